"""Forks of runs with a plan: the fork's agent starts from the plan as it was at the step.

The fork gets its own ``PlanNotebook`` (the parent's is never touched), restored from the
fold (``RunFold.plan_at``): the open plan, the finished ones, whether it was approved. The
plan tools are bound to that notebook, not to the parent's.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ._source import Source, ToolMap, resolve_tools, tools_for

if TYPE_CHECKING:
    from ..agent import ReActAgent
    from ..fold._plan import PlanState
    from ..tool import Toolkit

PLAN_TOOLS = frozenset(
    (
        "view_subtasks",
        "update_subtask_state",
        "finish_subtask",
        "create_plan",
        "revise_current_plan",
        "finish_plan",
        "view_historical_plans",
        "recover_historical_plan",
    )
)


def _live_notebook(src: Source) -> Any:
    live = src.live_agent()
    return getattr(live, "plan_notebook", None) if live is not None else None


def has_plan(src: Source) -> bool:
    """Whether the run's agent planned (a live notebook, or plan events)."""
    return _live_notebook(src) is not None or bool(src.fold.sync().plan_changes)


def fork_tools(src: Source, given: ToolMap | None) -> Toolkit:
    """The fork's toolkit: as ``tools_for``, without the parent's plan tools."""
    if not has_plan(src):
        return tools_for(src, given)
    live = src.live_agent()
    if live is not None and given is None:
        toolkit = copy.copy(live.toolkit)  # the parent's toolkit stays as it is
        toolkit.tools = {k: v for k, v in live.toolkit.tools.items() if k not in PLAN_TOOLS}
        toolkit.groups = {k: copy.copy(v) for k, v in live.toolkit.groups.items()}
        toolkit.groups.pop("plan_related", None)
        return toolkit
    schemas = [
        s
        for s in src.metadata.get("tools") or []
        if s.get("function", {}).get("name") not in PLAN_TOOLS
    ]
    return resolve_tools(schemas, given=given, run_id=src.run_id)


def restore_plan(
    agent: ReActAgent, src: Source, reply_id: str, step: int, *, align: bool = False
) -> None:
    """Give ``agent`` a new notebook holding the plan of ``reply_id`` before ``step``.

    ``align`` (replays): each change the agent makes takes the times of the recording's
    change in the same place, so the plan hint (which shows creation times) is the one the
    recorded model saw."""
    if not has_plan(src):
        return
    from ..agent._plan import setup_plan
    from ..plan import Plan, PlanNotebook

    parent = _live_notebook(src)
    state: PlanState = src.fold.plan_at(reply_id, step)
    notebook = PlanNotebook(
        max_subtasks=getattr(parent, "max_tasks", None),
        plan_to_hint=getattr(parent, "plan_to_hint", None),
        require_approval=bool(getattr(parent, "require_approval", False)),
    )
    notebook.current_plan = Plan.model_validate(state.plan) if state.plan else None
    storage = getattr(notebook.storage, "plans", None)
    if storage is not None:
        for finished in state.history:
            plan = Plan.model_validate(finished)
            storage[plan.id] = plan
    if state.approved and notebook.current_plan is not None:
        notebook._approved = notebook.current_plan.id
    if align:
        recorded = [
            ev.get("plan")
            for ev in src.fold.sync().plan_changes
            if ev.get("reply_id") == reply_id and ev.get("by") == "agent"
        ]
        notebook.register_plan_change_hook("ascope_nb.replay_times", _aligner(recorded))
    live = src.live_agent()
    meta = bool(getattr(live, "enable_meta_tool", False)) and "plan_related" in getattr(
        getattr(live, "toolkit", None), "groups", {}
    )
    setup_plan(agent, notebook, meta)


def _aligner(recorded: list[Any]) -> Any:
    """A plan-change hook copying the recorded times onto the n-th change's plan."""
    count = [0]

    def align(notebook: Any, plan: Any) -> None:
        index = count[0]
        count[0] += 1
        if notebook.last_change.get("by") != "agent" or plan is None:
            return
        if index >= len(recorded) or not recorded[index]:
            return
        rec = recorded[index]
        plan.created_at = rec.get("created_at", plan.created_at)
        for task, old in zip(plan.subtasks, rec.get("subtasks") or [], strict=False):
            if old.get("name") == task.name:
                task.created_at = old.get("created_at", task.created_at)
                task.finished_at = old.get("finished_at", task.finished_at)

    return align


__all__ = ["fork_tools", "restore_plan", "has_plan", "PLAN_TOOLS"]
