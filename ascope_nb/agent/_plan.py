"""A ReActAgent's plan: its tools, its hint, its events, a person's edits and approval.

``ReActAgent(plan_notebook=nb)`` calls ``setup_plan``; the loop calls ``plan_before_step``
before each step (a person's queued edits apply, and with ``require_approval`` a new plan
waits for a decision) and ``plan_hint`` when it builds the prompt (the plan's
``<system-hint>`` goes after the memory, for that one model call, as AgentScope 1.x adds it
with the ``hint`` mark and deletes it after formatting).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Literal

from ..events import PlanChanged
from ..message import Msg
from ..plan._edits import apply_edit, check_edit, edit_hint

if TYPE_CHECKING:
    from ..plan import PlanNotebook
    from ._react import ReActAgent

PLAN_GROUP = "plan_related"
APPROVAL_PREFIX = "plan_"  # the approval id of a plan is "plan_<plan id>"
_log = logging.getLogger("ascope_nb.plan")


def setup_plan(agent: ReActAgent, notebook: PlanNotebook | None, enable_meta_tool: bool) -> None:
    """Offer the notebook's tools (in the ``plan_related`` group with ``enable_meta_tool``)
    and emit each plan change as a ``PlanChanged`` event of the agent."""
    agent.plan_notebook = notebook
    if notebook is None:
        return
    from ..plan import PlanNotebook

    if not isinstance(notebook, PlanNotebook):
        from ..exceptions import ConfigError

        raise ConfigError(f"plan_notebook must be a PlanNotebook, got {type(notebook).__name__}")
    if enable_meta_tool:
        agent.toolkit.create_tool_group(PLAN_GROUP, description=notebook.description)
        for tool in notebook.list_tools():
            agent.toolkit.register_tool_function(tool, group_name=PLAN_GROUP)
    else:
        for tool in notebook.list_tools():
            agent.toolkit.register_tool_function(tool)
    notebook.register_plan_change_hook(
        f"ascope_nb.events:{agent.name}", lambda nb, _plan: emit_change(agent, nb)
    )


def emit_change(agent: ReActAgent, notebook: PlanNotebook) -> None:
    """The notebook's last change as a ``PlanChanged`` event of ``agent``."""
    change = notebook.last_change
    by: Literal["agent", "human"] = "human" if change.get("by") == "human" else "agent"
    plan = notebook.current_plan
    agent._emit(
        PlanChanged(
            plan=plan.model_dump() if plan is not None else None,
            op=str(change.get("op", "")),
            by=by,
            detail=str(change.get("detail", "")),
            finished=change.get("finished"),
            step=agent._step if by == "human" else agent._step + 1,
        )
    )


async def plan_hint(agent: ReActAgent) -> list[Msg]:
    """The plan's hint for the next model call (empty without a notebook or a hint)."""
    notebook = agent.plan_notebook
    if notebook is None:
        return []
    hint = await notebook.get_current_hint()
    if hint is None:
        return []
    if agent.print_hint_msg:
        await agent.print(hint)
    return [hint]


async def apply_pending_edits(agent: ReActAgent, notebook: PlanNotebook) -> None:
    """Apply a person's queued edits: one ``PlanChanged`` (by human) and one hint."""
    edits, notebook._pending_edits = notebook._pending_edits, []
    changes: list[str] = []
    for edit in edits:
        problem = check_edit(notebook.current_plan, edit)
        if problem is not None:  # the agent changed the plan since the edit was checked
            _log.warning(
                "%s (skipped: the plan changed before the edit reached the agent)", problem
            )
            continue
        assert notebook.current_plan is not None
        changes.append(apply_edit(notebook.current_plan, edit))
    if changes:
        await notebook._changed("edit", "; ".join(changes), by="human")
        agent.control.steer(edit_hint(changes), source="human")


async def plan_before_step(agent: ReActAgent) -> None:
    """Before a step: a person's edits reach the plan; a plan to approve waits for a decision."""
    notebook = agent.plan_notebook
    if notebook is None:
        return
    if notebook._pending_edits:
        await apply_pending_edits(agent, notebook)
    if notebook.require_approval:
        await _wait_for_approval(agent, notebook)


async def _wait_for_approval(agent: ReActAgent, notebook: PlanNotebook) -> None:
    plan = notebook.current_plan
    if plan is None or plan.state in ("done", "abandoned") or notebook._approved == plan.id:
        return
    if notebook._decided_version == notebook.version:  # denied, and unchanged since
        return
    call = {"id": APPROVAL_PREFIX + plan.id, "name": "plan", "input": {"plan": plan.model_dump()}}
    decided = asyncio.Event()
    edits = asyncio.ensure_future(_apply_edits_while_waiting(agent, notebook, decided))
    try:
        decision = await agent.control.request_approval(call, agent._emit)
    finally:
        # let an edit being applied finish (its PlanChanged event and hint), never cut it
        decided.set()
        if notebook._edit_signal is not None:
            notebook._edit_signal.set()
        try:
            await edits
        finally:
            notebook._edit_signal = None
    if notebook._pending_edits:
        await apply_pending_edits(agent, notebook)
    if decision.decision == "denied":
        notebook._decided_version = notebook.version
        reason = f" Reason: {decision.reason}" if decision.reason else ""
        agent.control.steer(
            "<system-hint>The user did not approve the plan." + reason + " Revise it with "
            "'revise_current_plan' (or make a new one with 'create_plan') before executing "
            "it.</system-hint>",
            source="human",
        )
        return
    current = notebook.current_plan
    notebook._approved = current.id if current is not None else plan.id
    await notebook._changed("approve", "approved the plan", by="human")


async def _apply_edits_while_waiting(
    agent: ReActAgent, notebook: PlanNotebook, decided: asyncio.Event
) -> None:
    """While a plan waits for approval, a person's edits apply at once (they see them); once
    ``decided`` is set, the edits queued so far are applied and the task ends."""
    while True:
        signal = notebook._edit_signal = asyncio.Event()
        if notebook._pending_edits:
            await apply_pending_edits(agent, notebook)
            continue
        if decided.is_set():
            return
        await signal.wait()


def queue_edit(notebook: PlanNotebook, edit: dict[str, Any]) -> None:
    """Queue a checked edit (on the agent's loop); it applies before the agent's next step,
    or at once while a plan waits for approval."""
    notebook._pending_edits.append(dict(edit))
    if notebook._edit_signal is not None:
        notebook._edit_signal.set()


__all__ = ["setup_plan", "plan_hint", "plan_before_step", "queue_edit", "PLAN_GROUP"]
