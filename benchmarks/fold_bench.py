"""Folding a 10,000-step run: the one fold (``ascope_nb.fold``) beside the folds it replaced.

The old folds are read from git (commit ``ca75e9f``, before the one fold) into temporary
modules and timed in the same process on the same events:

- ``fold.py`` ``fold_messages`` (events -> messages), on ``Event`` objects;
- ``views/_fold.py`` ``RunFold`` (events -> steps + summary), on wire dicts;
- ``export/_record.py`` ``RunRecord.from_events`` (events -> record), on ``Event`` objects.

The new fold does all three jobs in its single pass (``RunFold().extend``); the derived
answers (steps, messages, model calls, record) are built on demand and timed separately.
Target: the single pass stays within 1.2x of the fastest old fold. Prints a Markdown table.

Example:
    $ python benchmarks/fold_bench.py                 # 10,000 steps, best of 5
    $ python benchmarks/fold_bench.py --steps 200 --repeats 1
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ascope_nb.events import (  # noqa: E402
    Event,
    MessageCompleted,
    ModelCallEnded,
    ModelCallStarted,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    StepEnded,
    StepStarted,
    TextDelta,
    ToolCall,
    ToolResult,
)

OLD_COMMIT = "ca75e9f"
OLD_FILES = {
    "fold": "ascope_nb/fold.py",
    "views": "ascope_nb/views/_fold.py",
    "record": "ascope_nb/export/_record.py",
}
IMPORTS = {
    "from .events import": "from ascope_nb.events import",
    "from .message import": "from ascope_nb.message import",
    "from ..events import": "from ascope_nb.events import",
    "from ._scrub import": "from ascope_nb.export._scrub import",
}


def old_module(name: str) -> types.ModuleType:
    """The module as it was at ``OLD_COMMIT``, its relative imports made absolute."""
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:{OLD_FILES[name]}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for old, new in IMPORTS.items():
        source = source.replace(old, new)
    module = types.ModuleType(f"_old_{name}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, OLD_FILES[name], "exec"), module.__dict__)
    return module


def run_events(steps: int) -> list[Event]:
    """One ReAct run of ``steps`` steps shaped as the agent emits it (a tool call a step)."""
    user = {"id": "u", "name": "user", "role": "user", "content": "Go", "metadata": {}}
    events: list[Event] = [
        RunStarted(agent="Friday", input=[user], metadata={"sys_prompt": "You are Friday."}),
        ReplyStarted(agent="Friday", reply_id="r", input=[user], memory_ids=[], memory=[]),
    ]
    for i in range(steps):
        m, res, call = f"m{i}", f"t{i}", f"c{i}"
        events += [
            StepStarted(agent="Friday", reply_id="r", step=i),
            ModelCallStarted(agent="Friday", reply_id="r", step=i, msg_id=m, n_memory=2 * i + 1),
            TextDelta(agent="Friday", reply_id="r", msg_id=m, block_id=f"{m}:0", delta="Let me "),
            TextDelta(agent="Friday", reply_id="r", msg_id=m, block_id=f"{m}:0", delta="add."),
            ModelCallEnded(
                agent="Friday",
                reply_id="r",
                step=i,
                msg_id=m,
                usage={"input_tokens": 100 + i, "output_tokens": 10},
            ),
            ToolCall(
                agent="Friday",
                reply_id="r",
                step=i,
                msg_id=m,
                tool_call_id=call,
                name="add",
                input={"a": i, "b": 1},
            ),
            MessageCompleted(
                agent="Friday",
                reply_id="r",
                msg={
                    "id": m,
                    "name": "Friday",
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "Let me add."},
                        {"type": "tool_use", "id": call, "name": "add", "input": {"a": i, "b": 1}},
                    ],
                    "metadata": {},
                },
            ),
            ToolResult(
                agent="Friday",
                reply_id="r",
                step=i,
                msg_id=res,
                tool_call_id=call,
                name="add",
                output=[{"type": "text", "text": str(i + 1)}],
            ),
            MessageCompleted(
                agent="Friday",
                reply_id="r",
                msg={
                    "id": res,
                    "name": "system",
                    "role": "system",
                    "content": [
                        {
                            "type": "tool_result",
                            "id": call,
                            "name": "add",
                            "output": [{"type": "text", "text": str(i + 1)}],
                        }
                    ],
                    "metadata": {},
                },
            ),
            StepEnded(agent="Friday", reply_id="r", step=i),
        ]
    events += [ReplyEnded(agent="Friday", reply_id="r", msg_id=f"m{steps - 1}"), RunEnded()]
    for seq, ev in enumerate(events):
        ev.run_id, ev.seq = "run", seq
    return events


def best_of(candidates: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """The best CPU time of each candidate (``process_time``: time waiting for a core on a
    busy machine is not counted); each round times every candidate once."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            started = time.process_time()
            fn()
            times[name].append(time.process_time() - started)
    return {name: min(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from ascope_nb.export import RunRecord
    from ascope_nb.fold import RunFold, fold_messages

    events = run_events(args.steps)
    wires = [ev.to_dict() for ev in events]
    old = {name: old_module(name) for name in OLD_FILES}
    fold = RunFold().extend(events)
    last = args.steps - 1
    one_pass = ("new RunFold, one pass (Event objects)", "new RunFold, one pass (wire dicts)")
    timed = best_of(
        {
            "old fold.py fold_messages (Event objects)": lambda: old["fold"].fold_messages(events),
            "old views RunFold (wire dicts)": lambda: old["views"].RunFold().extend(wires),
            "old RunRecord.from_events (Event objects)": lambda: old[
                "record"
            ].RunRecord.from_events(events),
            one_pass[0]: lambda: RunFold().extend(events),
            one_pass[1]: lambda: RunFold().extend(wires),
            "new fold_messages (one pass + messages())": lambda: fold_messages(events),
            "new RunRecord.from_events (one pass + record)": lambda: RunRecord.from_events(events),
            "on a folded run: steps() + summary()": lambda: (fold.steps(), fold.summary()),
            "on a folded run: memory_at(last step)": lambda: fold.memory_at("r", last),
        },
        args.repeats,
    )
    fastest = min(t for name, t in timed.items() if name.startswith("old"))
    n = len(events)
    print(f"{args.steps:,} steps, {n:,} events, best CPU time of {args.repeats} alternating rounds")
    print("ratio = time / the fastest old fold\n")
    print("| fold | ms | µs/event | ratio |")
    print("|---|---:|---:|---:|")
    for label, secs in timed.items():
        print(f"| {label} | {secs * 1e3:.1f} | {secs / n * 1e6:.2f} | {secs / fastest:.2f}x |")
    worst = max(timed[name] for name in one_pass) / fastest
    verdict = "PASS" if worst <= 1.2 else "FAIL"
    print(f"\none pass vs fastest old fold: {worst:.2f}x (target <= 1.2x): {verdict}")


if __name__ == "__main__":
    main()
