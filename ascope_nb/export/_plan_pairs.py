"""A person's plan edits as training signal: the plan the model made against the plan the
person wanted.

Rule: when a person edits a plan (a ``PlanChanged`` by the human, op ``edit``) and the
agent then works from the edited plan, the model's ``create_plan`` call that made the plan
is rejected and the same call with the edited subtasks is chosen (subtasks the person
abandoned or removed left out; their order and names as the person left them). The prompt
is what the model saw when it made the plan. No pair when the edits left the subtasks as
the model had them (only states changed along the way). The hint such an edit injects is
not also read as "guidance" (``is_plan_edit_hint``): the plan, not the next action, was
corrected. ``preference_pairs`` adds these pairs (kind ``"plan"``).

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> plan_edit_pairs(RunRecord(run_id="r1"))
    []
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ._corrections import EDIT_HINT_PREFIX, is_plan_edit_hint
from ._record import RunRecord

if TYPE_CHECKING:
    from ._corrections import PreferencePair

_KEYS = ("name", "description", "expected_outcome")


def _subtasks(tasks: Any) -> list[dict[str, Any]]:
    return [
        {k: str(t.get(k, "")) for k in _KEYS}
        for t in tasks or []
        if isinstance(t, dict) and t.get("state", "todo") != "abandoned"
    ]


def _plan_call(msg: dict[str, Any]) -> dict[str, Any] | None:
    content = msg.get("content")
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict) and block.get("type") == "tool_use":
            if block.get("name") == "create_plan":
                return block
    return None


def plan_edit_pairs(record: RunRecord) -> list[PreferencePair]:
    """One pair per plan a person edited (see the module docstring)."""
    fold = record._fold
    if fold is None or not fold.sync().plan_changes:
        return []
    from ._calls import model_calls
    from ._corrections import PreferencePair

    made: dict[str, tuple[Any, dict[str, Any]]] = {}  # plan id -> (call, create_plan block)
    edited: dict[str, dict[str, Any]] = {}  # plan id -> the plan after the last human edit
    calls = {c.msg_id: c for c in model_calls(record)}
    created_by: dict[str, str] = {c.id: c.msg_id for c in record.tool_calls.values()}
    last_create: tuple[Any, dict[str, Any]] | None = None
    for ev in fold.plan_changes:
        plan = ev.get("plan") or {}
        if ev.get("op") == "create_plan" and ev.get("by") == "agent":
            last_create = _creator(record, calls, created_by, ev)
            if last_create is not None and plan.get("id"):
                made[str(plan["id"])] = last_create
        elif ev.get("op") == "edit" and ev.get("by") == "human" and plan.get("id"):
            edited[str(plan["id"])] = plan
    pairs: list[PreferencePair] = []
    for plan_id, plan in edited.items():
        if plan_id not in made:
            continue
        call, block = made[plan_id]
        wanted = _subtasks(plan.get("subtasks"))
        if wanted == _subtasks(block.get("input", {}).get("subtasks")):
            continue
        rejected = copy.deepcopy(call.output)
        chosen = copy.deepcopy(call.output)
        target = _plan_call(chosen)
        if target is None:
            continue
        target["input"] = {**dict(target.get("input") or {}), "subtasks": wanted}
        target.pop("raw_input", None)
        pairs.append(
            PreferencePair(
                run_id=record.run_id,
                reply_id=call.reply_id,
                step=call.step,
                kinds=("plan",),
                prompt=call.prompt,
                chosen=chosen,
                rejected=rejected,
                tools=record.tools,
            )
        )
    return pairs


def _creator(
    record: RunRecord, calls: dict[str, Any], created_by: dict[str, str], ev: dict[str, Any]
) -> tuple[Any, dict[str, Any]] | None:
    """The model call whose ``create_plan`` made the plan of ``ev`` (the last one before)."""
    seq = int(ev.get("seq", -1))
    best: tuple[Any, dict[str, Any]] | None = None
    for tool in record.tool_calls.values():
        if tool.name != "create_plan" or tool.reply_id != ev.get("reply_id", tool.reply_id):
            continue
        call = calls.get(created_by.get(tool.id, ""))
        if call is None:
            continue
        block = _plan_call(call.output)
        if block is not None and (seq < 0 or tool.step < int(ev.get("step", 0))):
            best = (call, block)
    return best


__all__ = ["plan_edit_pairs", "is_plan_edit_hint", "EDIT_HINT_PREFIX"]
