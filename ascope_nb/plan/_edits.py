"""A person's edits of a plan: add, remove, move, rename, mark a subtask.

An edit is a small dict (``PlanEdit``), the same from ``run.plan.*`` and from the view's
buttons. ``check_edit`` says in one line why an edit cannot apply (or None);
``apply_edit`` applies it and returns the sentence the agent is told.

Example:
    >>> from ascope_nb.plan import Plan, SubTask
    >>> plan = Plan(name="p", description="d", expected_outcome="e",
    ...             subtasks=[SubTask(name="a", description="", expected_outcome="")])
    >>> apply_edit(plan, {"op": "rename", "index": 0, "name": "b"})
    "renamed subtask 0 from 'a' to 'b'"
    >>> check_edit(plan, {"op": "remove", "index": 3})
    'plan edit: no subtask 3 (the plan has subtasks 0..0)'
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from ._model import SUBTASK_STATES, Plan, SubTask

EditOp = Literal["add", "remove", "move", "rename", "mark"]
EDIT_OPS: tuple[str, ...] = ("add", "remove", "move", "rename", "mark")


class PlanEdit(TypedDict):
    """One edit. ``index``: the subtask (for ``add``: where it goes, default the end);
    ``to``: the new index (``move``); ``name`` / ``description`` / ``expected_outcome``
    (``add``, ``rename``); ``state`` and ``outcome`` (``mark``)."""

    op: EditOp
    index: NotRequired[int]
    to: NotRequired[int]
    name: NotRequired[str]
    description: NotRequired[str]
    expected_outcome: NotRequired[str]
    state: NotRequired[str]
    outcome: NotRequired[str]


def _range(plan: Plan) -> str:
    n = len(plan.subtasks)
    return f"subtasks 0..{n - 1}" if n else "no subtasks"


def check_edit(plan: Plan | None, edit: dict[str, Any]) -> str | None:
    """Why ``edit`` cannot apply to ``plan``, in one line; None if it can."""
    op = edit.get("op")
    if op not in EDIT_OPS:
        return f"plan edit: unknown operation {op!r} (one of {', '.join(EDIT_OPS)})"
    if plan is None:
        return f"plan edit {op!r}: there is no open plan (none was made, or it is finished)"
    if plan.state in ("done", "abandoned"):
        return f"plan edit {op!r}: the plan {plan.name!r} is finished ({plan.state})"
    n = len(plan.subtasks)
    index = edit.get("index", n if op == "add" else None)
    if not isinstance(index, int) or isinstance(index, bool):
        return f"plan edit {op!r}: needs an integer 'index', got {index!r}"
    top = n if op == "add" else n - 1
    if not 0 <= index <= top:
        if op == "add":
            return f"plan edit: cannot add at {index} (positions 0..{n})"
        return f"plan edit: no subtask {index} (the plan has {_range(plan)})"
    if op in ("add", "rename"):
        name = edit.get("name")
        if not isinstance(name, str) or not name.strip():
            return f"plan edit {op!r}: needs a non-empty 'name'"
    if op == "move":
        to = edit.get("to")
        if not isinstance(to, int) or isinstance(to, bool) or not 0 <= to < n:
            return f"plan edit 'move': 'to' must be a position 0..{n - 1}, got {to!r}"
    if op == "mark":
        state = edit.get("state")
        if state not in SUBTASK_STATES:
            return f"plan edit 'mark': unknown state {state!r} (one of {', '.join(SUBTASK_STATES)})"
    return None


def apply_edit(plan: Plan, edit: dict[str, Any]) -> str:
    """Apply a checked ``edit`` to ``plan``; returns what changed, as a sentence part."""
    problem = check_edit(plan, edit)
    if problem is not None:
        raise ValueError(problem)
    op = edit["op"]
    if op == "add":
        index = int(edit.get("index", len(plan.subtasks)))
        task = SubTask(
            name=str(edit["name"]).strip(),
            description=str(edit.get("description") or edit["name"]),
            expected_outcome=str(edit.get("expected_outcome") or ""),
        )
        plan.subtasks.insert(index, task)
        return f"added subtask {index} {task.name!r}"
    index = int(edit["index"])
    task = plan.subtasks[index]
    if op == "remove":
        plan.subtasks.pop(index)
        plan.refresh_plan_state()
        return f"removed subtask {index} {task.name!r}"
    if op == "move":
        to = int(edit["to"])
        plan.subtasks.insert(to, plan.subtasks.pop(index))
        return f"moved subtask {task.name!r} from position {index} to {to}"
    if op == "rename":
        old, task.name = task.name, str(edit["name"]).strip()
        for key in ("description", "expected_outcome"):
            if isinstance(edit.get(key), str) and edit[key]:
                setattr(task, key, edit[key])
        return f"renamed subtask {index} from {old!r} to {task.name!r}"
    state = str(edit["state"])
    outcome = str(edit.get("outcome") or "")
    if state == "done":
        task.finish(outcome or "Marked done by the user.")
    else:
        task.state = state  # type: ignore[assignment]  # checked against SUBTASK_STATES
        if outcome:
            task.outcome = outcome
    plan.refresh_plan_state()
    why = f" ({outcome})" if outcome else ""
    return f"marked subtask {index} {task.name!r} as {state}{why}"


def edit_hint(changes: list[str]) -> str:
    """The guidance the agent gets for a person's plan edits (before its next step)."""
    listed = "; ".join(changes)
    return (
        f"<system-hint>The user edited the plan: {listed}. Follow the updated plan; do not "
        "undo the user's changes.</system-hint>"
    )


__all__ = ["PlanEdit", "EditOp", "EDIT_OPS", "check_edit", "apply_edit", "edit_hint"]
