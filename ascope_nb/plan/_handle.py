"""``run.plan``: a person edits the plan of a live run from Python (the view's buttons call
the same ``edit``).

Each edit is checked at once against the plan (with the edits still queued) and a bad one
raises one ``ConfigError`` line; a good one reaches the agent before its next step, as a
``PlanChanged`` event by the human and a hint (or at once while the plan waits for approval).

Example:
    >>> run.plan.add("Check the budget", at=1)        # doctest: +SKIP
    >>> run.plan.mark(0, "abandoned", outcome="not needed")  # doctest: +SKIP
    >>> run.plan.approve()                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError
from ._edits import apply_edit, check_edit
from ._model import Plan
from ._notebook import PlanNotebook

APPROVAL_PREFIX = "plan_"


def plan_lines(plan: Plan | None) -> str:
    """A short, stable text of a plan: one line per subtask with its state and outcome."""
    if plan is None:
        return "(no open plan)"
    marks = {"todo": "[ ]", "in_progress": "[~]", "done": "[x]", "abandoned": "[-]"}
    lines = [f"Plan {plan.name!r} ({plan.state})"]
    for i, task in enumerate(plan.subtasks):
        outcome = f" -> {task.outcome}" if task.outcome else ""
        lines.append(f"  {i}. {marks[task.state]} {task.name}{outcome}")
    return "\n".join(lines)


class RunPlan:
    """The plan of a run's agent, and a person's edits of it."""

    def __init__(self, run: Any) -> None:
        self._run = run

    # ------------------------------------------------------------------ reading
    @property
    def notebook(self) -> PlanNotebook:
        """The plan notebook of the run's (active) agent."""
        candidates = [*reversed(getattr(self._run, "_active", [])), *self._run.agents]
        for agent in candidates:
            notebook = getattr(agent, "plan_notebook", None)
            if isinstance(notebook, PlanNotebook):
                return notebook
        raise ConfigError(
            f"run {self._run.title!r} has no plan: give its agent a PlanNotebook "
            "(ReActAgent(plan_notebook=PlanNotebook()) or %%agent NAME --plan)"
        )

    @property
    def current(self) -> Plan | None:
        """The open plan as the agent has it now (queued edits not yet applied)."""
        return self.notebook.current_plan

    @property
    def pending(self) -> list[dict[str, Any]]:
        """Edits queued for the agent's next step."""
        return [dict(e) for e in self.notebook._pending_edits]

    @property
    def waiting_for_approval(self) -> bool:
        """Whether the run waits for a person to approve the plan."""
        return self._approval_id() is not None

    def _approval_id(self) -> str | None:
        for agent in self._run.agents:
            control = getattr(agent, "control", None)
            for call_id in getattr(control, "pending_approvals", []):
                if call_id.startswith(APPROVAL_PREFIX):
                    return str(call_id)
        return None

    # ------------------------------------------------------------------ edits
    def edit(self, edit: dict[str, Any]) -> None:
        """Queue one edit (``{"op": "add" | "remove" | "move" | "rename" | "mark", ...}``,
        see ``PlanEdit``); a bad one raises ``ConfigError`` and nothing changes."""
        from ..agent._plan import queue_edit

        notebook = self.notebook
        preview = notebook.current_plan.model_copy(deep=True) if notebook.current_plan else None
        for queued in notebook._pending_edits:
            if preview is not None and check_edit(preview, queued) is None:
                apply_edit(preview, queued)
        problem = check_edit(preview, edit)
        if problem is not None:
            raise ConfigError(problem)
        self._run._on_loop(queue_edit, notebook, dict(edit))

    def add(
        self,
        name: str,
        *,
        at: int | None = None,
        description: str = "",
        expected_outcome: str = "",
    ) -> None:
        """Add a subtask named ``name`` at position ``at`` (default: the end)."""
        edit: dict[str, Any] = {"op": "add", "name": name}
        if at is not None:
            edit["index"] = at
        if description:
            edit["description"] = description
        if expected_outcome:
            edit["expected_outcome"] = expected_outcome
        self.edit(edit)

    def remove(self, index: int) -> None:
        """Remove subtask ``index``."""
        self.edit({"op": "remove", "index": index})

    def move(self, index: int, to: int) -> None:
        """Move subtask ``index`` to position ``to``."""
        self.edit({"op": "move", "index": index, "to": to})

    def rename(self, index: int, name: str, *, description: str = "") -> None:
        """Give subtask ``index`` a new name (and description)."""
        edit: dict[str, Any] = {"op": "rename", "index": index, "name": name}
        if description:
            edit["description"] = description
        self.edit(edit)

    def mark(self, index: int, state: str, *, outcome: str = "") -> None:
        """Set the state of subtask ``index`` (todo, in_progress, done, abandoned)."""
        self.edit({"op": "mark", "index": index, "state": state, "outcome": outcome})

    def approve(self) -> None:
        """Approve the plan the run waits on (``PlanNotebook(require_approval=True)``)."""
        call_id = self._approval_id()
        if call_id is None:
            raise ConfigError(f"run {self._run.title!r}: no plan is waiting for approval")
        self._run.approve(call_id)

    def deny(self, reason: str = "") -> None:
        """Send the plan back: the agent is told to revise it (with ``reason``)."""
        call_id = self._approval_id()
        if call_id is None:
            raise ConfigError(f"run {self._run.title!r}: no plan is waiting for approval")
        self._run.deny(call_id, reason)

    def __repr__(self) -> str:
        try:
            return plan_lines(self.current)
        except ConfigError as exc:
            return str(exc)


__all__ = ["RunPlan", "plan_lines"]
