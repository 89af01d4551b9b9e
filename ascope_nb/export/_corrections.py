"""What a person corrected in a run, and the pair shape it becomes (one home for the rule).

A correction is a tool call the person **denied** or **edited**, or the action just before
**guidance** they injected (``HintInjected.step == s`` corrects step ``s - 1``); a fork judged
up against its parent's step judged down is one too (``_fork_pairs``). ``_calls`` leaves
corrected calls out of training targets, ``_pairs`` and ``_fork_pairs`` turn them into
``PreferencePair`` / ``LabeledExample`` rows.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> corrections_of(RunRecord(run_id="r1"))
    {}
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from ._chat import tool_uses
from ._record import RunRecord

EDIT_HINT_PREFIX = "<system-hint>The user edited the plan:"


def is_plan_edit_hint(text: str) -> bool:
    """Whether a hint is the one a person's plan edit injected (``plan._edits.edit_hint``)."""
    return text.startswith(EDIT_HINT_PREFIX)


PairKind = Literal["edited", "denied", "hint", "fork", "plan"]


@dataclass
class PreferencePair:
    """A rejected and a chosen assistant message after the same ``prompt`` messages."""

    run_id: str
    reply_id: str
    step: int | None
    kinds: tuple[PairKind, ...]
    prompt: list[dict[str, Any]]
    chosen: dict[str, Any]
    rejected: dict[str, Any]
    sys_prompt: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LabeledExample:
    """A completion judged good (``label`` True) or bad after ``prompt`` (KTO)."""

    run_id: str
    prompt: list[dict[str, Any]]
    completion: list[dict[str, Any]]
    label: bool
    source: Literal["feedback", "pair"]
    sys_prompt: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)


def corrections_of(
    record: RunRecord, hint_sources: tuple[str, ...] = ("human",)
) -> dict[str, list[PairKind]]:
    """Assistant message id -> why a person corrected it (denied / edited / hint)."""
    out: dict[str, list[PairKind]] = {}
    for call in record.tool_calls.values():
        if call.decision in ("denied", "edited") and call.msg_id:
            kinds = out.setdefault(call.msg_id, [])
            kind: PairKind = "denied" if call.decision == "denied" else "edited"
            if kind not in kinds:
                kinds.append(kind)
    hinted = {
        (h.reply_id, h.step - 1)
        for h in record.hints
        if h.source in hint_sources and h.step > 0 and not is_plan_edit_hint(h.text)
    }
    if hinted:
        for msg in record.messages:
            if msg.get("role") != "assistant":
                continue
            msg_id = str(msg.get("id"))
            key = (record.msg_replies.get(msg_id, ""), record.msg_steps.get(msg_id, -1))
            if key in hinted or ("", key[1]) in hinted:
                out.setdefault(msg_id, []).append("hint")
    return out


def _original(msg: dict[str, Any], record: RunRecord) -> dict[str, Any]:
    """``msg`` with each tool call's input restored to what the model proposed."""
    out = copy.deepcopy(msg)
    for block in tool_uses(out):
        call = record.tool_calls.get(str(block.get("id")))
        if call is not None and call.decision == "edited":
            block["input"] = copy.deepcopy(call.original_input)
            block.pop("raw_input", None)
    return out


def _edited(msg: dict[str, Any], record: RunRecord) -> dict[str, Any] | None:
    """``msg`` as the person corrected it: edited inputs, denied calls left out."""
    out = copy.deepcopy(msg)
    content = out.get("content")
    if not isinstance(content, list):
        return None
    kept: list[Any] = []
    for block in content:
        if block.get("type") == "tool_use":
            call = record.tool_calls.get(str(block.get("id")))
            if call is not None and call.decision == "denied":
                continue
            if call is not None and call.decision == "edited":
                block["input"] = copy.deepcopy(call.input)
                block.pop("raw_input", None)
        kept.append(block)
    out["content"] = kept
    return out if tool_uses(out) else None
