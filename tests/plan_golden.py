"""Golden fixtures of the plan fold, shared by ``fold/_plan.py`` and ``static/plan_fold.js``.

Each ``tests/fixtures/plan/<name>.json`` holds one run's wire events (a planning agent on a
scripted model) and the plan view dict the Python fold gives. Rewrite them with

    python tests/plan_golden.py
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ascope_nb  # noqa: E402
from ascope_nb.fold import RunFold  # noqa: E402
from ascope_nb.fold._plan import plan_view  # noqa: E402
from ascope_nb.testing import tool_call  # noqa: E402
from tests.support.plan_runs import plan_call, planner, planning_script  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "plan"


def expected(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The plan view both folds must give for ``events``."""
    return plan_view(RunFold().extend(events).plan_state())


async def _events(agent: Any, edits: Any = None) -> list[dict[str, Any]]:
    run = ascope_nb.start(agent, "Plan a trip.", store=False)
    if edits is not None:
        await edits(run)
    await run
    return [e.to_dict() for e in run.events]


async def _approved_with_edits(run: Any) -> None:
    while not run.plan.waiting_for_approval:
        await asyncio.sleep(0.005)
    run.plan.rename(1, "Book a night train")
    run.plan.add("Pack bags")
    run.plan.mark(2, "abandoned", outcome="staying with friends")
    while run.plan.pending:
        await asyncio.sleep(0.005)
    run.plan.approve()


async def scenarios() -> dict[str, list[dict[str, Any]]]:
    out = {"finished": await _events(planner(planning_script())[0])}
    midway = planning_script()[:3] + ["Paused midway."]
    out["midway"] = await _events(planner(midway)[0])
    replaced = [[plan_call("A", "B")], [plan_call("C", plan="Other")], "ok"]
    out["replaced"] = await _events(planner(replaced)[0])
    approved = [
        [plan_call("Pick dates", "Book train", "Book hotel")],
        [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")],
        "Started.",
    ]
    out["approved_edits"] = await _events(planner(approved, approval=True)[0], _approved_with_edits)
    return out


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, events in asyncio.run(scenarios()).items():
        data = {"events": events, "view": expected(events)}
        (FIXTURES / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {name}.json ({len(events)} events)")


if __name__ == "__main__":
    main()
