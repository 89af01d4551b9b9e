"""The plan part of the run fold: the plan after each ``PlanChanged`` event.

``static/plan_fold.js`` is its browser twin (both tested on ``tests/fixtures/plan/``).
A fork from step k restores ``plan_at(reply_id, k)``: the last change before that step's
model call (a person's edits before step k count; the tools of step k do not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Wire = dict[str, Any]


@dataclass
class PlanState:
    """An agent's plan at one point of a run: the open plan (None: none), the plans that
    left it (finished or replaced, oldest first), and whether a person approved the plan."""

    plan: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    approved: bool = False
    changes: int = 0


def plan_view(state: PlanState) -> dict[str, Any]:
    """What the plan view shows (the same dict as ``view()`` in ``plan_fold.js``): the open
    plan, or else the plan that finished last (``open`` says which)."""
    plan = state.plan if state.plan is not None else (state.history[-1] if state.history else None)
    subtasks = []
    for i, task in enumerate((plan or {}).get("subtasks") or []):
        subtasks.append(
            {
                "index": i,
                "name": str(task.get("name", "")),
                "state": str(task.get("state", "todo")),
                "outcome": task.get("outcome"),
                "expected_outcome": str(task.get("expected_outcome", "")),
            }
        )
    return {
        "name": (plan or {}).get("name"),
        "state": (plan or {}).get("state"),
        "outcome": (plan or {}).get("outcome"),
        "open": state.plan is not None,
        "subtasks": subtasks,
        "approved": state.approved,
        "finished": [
            {"name": p.get("name"), "state": p.get("state"), "outcome": p.get("outcome")}
            for p in state.history
        ],
        "changes": state.changes,
    }


class PlanFold:
    """Folds ``plan_changed`` events; ``RunFold`` mixes it in (conversation table)."""

    def __init__(self) -> None:
        self.plan_changes: list[Wire] = []

    def _c_plan_changed(self, ev: Wire) -> None:
        self.plan_changes.append(ev)

    def _sync(self) -> None:  # RunFold's: folds the log up to the last event
        raise NotImplementedError

    def plan_state(self, *, agent: str | None = None, before_seq: int | None = None) -> PlanState:
        """The plan of ``agent`` (default: the last agent that changed one) after every
        change, or only the changes before event ``before_seq``."""
        self._sync()
        changes = self.plan_changes
        if agent is None and changes:
            agent = str(changes[-1].get("agent", ""))
        state = PlanState()
        for ev in changes:
            if agent is not None and str(ev.get("agent", "")) != agent:
                continue
            seq = int(ev.get("seq", -1))
            if before_seq is not None and seq >= 0 and seq >= before_seq:
                break
            fold_change(state, ev)
        return state

    def plan(self, *, agent: str | None = None) -> dict[str, Any] | None:
        """The open plan after the last change (``Plan.model_dump()``), or None."""
        return self.plan_state(agent=agent).plan


def fold_change(state: PlanState, ev: Wire) -> None:
    """Apply one ``plan_changed`` event to ``state``."""
    plan = ev.get("plan")
    if ev.get("finished"):
        state.history.append(ev["finished"])
    old_id = (state.plan or {}).get("id")
    if ev.get("op") == "approve":
        state.approved = True
    elif plan is None or plan.get("id") != old_id:
        state.approved = False  # a new plan (or none) is not approved yet
    state.plan = plan
    state.changes += 1


__all__ = ["PlanFold", "PlanState", "plan_view", "fold_change"]
