"""Golden fixtures of the run fold, shared by the Python fold and ``static/fold.js``.

Each ``tests/fixtures/fold/<name>.json`` holds one run's wire events (from a real agent on a
scripted model) and the steps and summary the Python fold gives; ``tests/test_fold_golden.py``
and ``tests/js/fold_golden.test.js`` check both folds against them. Rewrite them with

    python tests/fold_golden.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ascope_nb.events import Event  # noqa: E402
from ascope_nb.fold import RunFold  # noqa: E402
from tests.support.fold_runs import CallSpec, ReplySpec, Session, run_hub, run_session  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "fold"
SUMMARY_KEYS = ("status", "agent", "title", "step", "n_steps", "tokens", "error", "live")


def expected(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What both folds must give for ``events``: the steps and the summary's stable keys."""
    fold = RunFold().extend(events)
    summary = fold.summary()
    return {
        "steps": json.loads(json.dumps(fold.steps())),
        "summary": {k: summary[k] for k in SUMMARY_KEYS},
    }


def fixture(events: list[Event]) -> dict[str, Any]:
    wires = [e.to_dict() for e in events]
    return {"events": wires, **expected(wires)}


def _runs(session: Session) -> list[list[Event]]:
    by_run: dict[str, list[Event]] = {}
    for ev in session.events:
        by_run.setdefault(ev.run_id, []).append(ev)
    return list(by_run.values())


def scenarios() -> dict[str, list[Event]]:
    """The named runs of the golden set."""
    add = CallSpec("add", {"a": 2, "b": 3})
    out: dict[str, list[Event]] = {}
    session = run_session(
        [("What is 2 + 3?", [ReplySpec("Let me add.", "Adding.", [add]), ReplySpec("It is 5.")])]
    )
    out["react_tools"] = _runs(session)[0]
    session = run_session(
        [
            (
                "Divide and add",
                [
                    ReplySpec("Both at once.", calls=[add, CallSpec("divide", {"a": 1, "b": 0})]),
                    ReplySpec("One failed."),
                ],
            )
        ],
        parallel=True,
    )
    out["parallel_error"] = _runs(session)[0]
    session = run_session(
        [
            (
                "Three sums",
                [
                    ReplySpec(
                        calls=[
                            CallSpec("add", {"a": 1, "b": 1}, "approved"),
                            CallSpec("add", {"a": 2, "b": 2}, "denied"),
                            CallSpec("add", {"a": 3, "b": 3}, "edited", {"a": 30, "b": 30}),
                        ]
                    ),
                    ReplySpec("Done."),
                ],
            )
        ],
        approval=True,
    )
    out["approvals"] = _runs(session)[0]
    session = run_session(
        [
            (
                "Go",
                [
                    ReplySpec("Hmm.", calls=[CallSpec("nudge", {"text": "be brief"})]),
                    ReplySpec("Stopping.", calls=[CallSpec("halt", {})]),
                ],
            )
        ]
    )
    out["steer_stop"] = _runs(session)[0]
    session = run_session([("Loop", [ReplySpec(calls=[add])] * 3)], max_iters=2)
    out["max_iters"] = _runs(session)[0]
    session = run_session([("Hi", [ReplySpec("Hello.")]), ("Fail", [ReplySpec(error=True)])])
    out["model_error"] = _runs(session)[1]
    session = run_session(
        [
            ("Add", [ReplySpec(calls=[add]), ReplySpec("5.")]),
            ("And again?", [ReplySpec("Still 5.")]),
        ]
    )
    out["follow_up"] = _runs(session)[1]
    session = run_hub(
        {
            "Alice": [ReplySpec("Sandwiches!"), ReplySpec("Agreed.")],
            "Bob": [
                ReplySpec("I count.", calls=[add]),
                ReplySpec("Five people."),
                ReplySpec("Ok."),
            ],
            "Carol": [ReplySpec("Lemonade.")],
        },
        rounds=2,
    )
    out["hub"] = _runs(session)[0]
    return out


def random_runs(seed: int, n: int) -> list[list[Event]]:
    """``n`` runs of random scripts (for comparing the two folds beyond the golden set)."""
    rng = random.Random(seed)
    words = ["hello", "世界", "42", "a<b>", "ok", "x y"]

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))

    def call() -> CallSpec:
        name = rng.choice(["add", "divide", "nudge", "halt", "add"])
        args = (
            {"text": text() or "again"}
            if name == "nudge"
            else {}
            if name == "halt"
            else {
                "a": rng.randint(0, 9),
                "b": rng.randint(0, 2),
            }
        )
        decision = rng.choice([None, "approved", "denied", "edited"])
        return CallSpec(name, args, decision, {"a": 1, "b": 1} if "a" in args else dict(args))

    def reply() -> ReplySpec:
        calls = [call() for _ in range(rng.choice([0, 0, 1, 2]))]
        return ReplySpec(text(), rng.choice(["", text()]), calls, rng.random() < 0.05)

    runs: list[list[Event]] = []
    while len(runs) < n:
        turns = [
            (text(), [reply() for _ in range(rng.randint(0, 3))]) for _ in range(rng.randint(1, 2))
        ]
        session = run_session(
            turns,
            parallel=rng.random() < 0.5,
            stream=rng.random() < 0.7,
            max_iters=rng.randint(2, 4),
            approval=rng.random() < 0.5,
        )
        runs.extend(_runs(session))
    return runs[:n]


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, events in scenarios().items():
        path = FIXTURES / f"{name}.json"
        path.write_text(
            json.dumps(fixture(events), ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
