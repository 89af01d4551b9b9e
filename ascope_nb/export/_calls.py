"""Model calls as training records: what one call saw (``prompt``) and produced (``output``).

``model_calls(record)`` lists a run's model calls in order. ``prompt`` is what the model
received, as OpenAI-style chat messages (``role``, ``content`` text, ``name`` where the
formatter sent one, ``tool_calls`` with JSON-string arguments, ``tool_call_id``): the
recorded input when the run recorded it (follow-ups carry the earlier turns, MsgHub speakers
appear in the multi-agent formatter's layout), else rebuilt from the run's memory order.
``output`` is the assistant ``Msg`` dict the call produced.

``why`` says why a call is not a training target ("" when it is):

- ``partial``: the call was stopped or failed mid-stream (its text is cut);
- ``stopped``: one of its tool calls was interrupted by a stop;
- ``max_iters``: the summary a ReActAgent is told to write after ``max_iters`` steps;
- ``empty``: no text and no tool call;
- ``denied`` / ``edited`` / ``hint`` / ``thumbs_down``: a person corrected it (it is the
  rejected side of a preference pair instead, see ``_pairs``).

The canned "I noticed that you have interrupted me" reply is not a model call at all.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> model_calls(RunRecord(run_id="r1"))
    []
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._chat import chat_messages, system_head, tool_uses
from ._record import RunRecord

CLEAN_FAILURES = ("partial", "stopped", "max_iters", "empty")
"""Reasons that make a call unusable even as the chosen side of a pair."""


@dataclass
class CallRecord:
    """One model call of a run: its prompt, its output and whether it is a training target."""

    run_id: str
    agent: str
    reply_id: str
    step: int
    msg_id: str
    prompt: list[dict[str, Any]]
    output: dict[str, Any]
    why: str = ""
    tools: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        """True when the call is a training target."""
        return not self.why

    @property
    def clean(self) -> bool:
        """True when the call ran to its end (it may still have been corrected)."""
        return self.why not in CLEAN_FAILURES


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, Mapping) and b.get("type") == "text"
        )
    return ""


def normalise(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Formatter output (or OpenAI messages) as canonical chat messages: text content,
    JSON-string arguments, ``name`` kept where present."""
    out: list[dict[str, Any]] = []
    for msg in messages:
        item: dict[str, Any] = {
            "role": str(msg.get("role", "user")),
            "content": _text(msg.get("content")),
        }
        if msg.get("name"):
            item["name"] = str(msg["name"])
        calls = msg.get("tool_calls")
        if calls:
            fixed = []
            for call in calls:
                fn = call.get("function") or {}
                args = fn.get("arguments", "{}")
                fixed.append(
                    {
                        "id": str(call.get("id", "")),
                        "type": "function",
                        "function": {
                            "name": str(fn.get("name", "")),
                            "arguments": args
                            if isinstance(args, str)
                            else json.dumps(args, ensure_ascii=False),
                        },
                    }
                )
            item["tool_calls"] = fixed
        if msg.get("tool_call_id") is not None:
            item["tool_call_id"] = str(msg["tool_call_id"])
        out.append(item)
    return out


def output_message(msg: Mapping[str, Any]) -> dict[str, Any]:
    """The assistant ``Msg`` dict ``msg`` as one canonical chat message."""
    items = list(chat_messages([msg], args="json"))
    item = items[0] if items else {"role": "assistant", "content": ""}
    if msg.get("name"):
        item["name"] = str(msg["name"])
    return item


def _why_not(
    record: RunRecord, msg: Mapping[str, Any], corrections: Mapping[str, Any], last: bool
) -> str:
    msg_id = str(msg.get("id"))
    info = record.model_calls.get(msg_id)
    if info is not None and (info.error is not None or not info.ended):
        return "partial"
    calls = tool_uses(msg)
    if any(
        (c := record.tool_calls.get(str(b.get("id")))) is not None and c.state == "interrupted"
        for b in calls
    ):
        return "stopped"
    if last and info is not None and record.reply_status.get(info.reply_id) == "max_iters":
        return "max_iters"
    kinds = corrections.get(msg_id, [])
    for kind in ("denied", "hint", "edited"):
        if kind in kinds:
            return kind
    if not calls and not _text(msg.get("content")):
        return "empty"
    if info is not None and _thumbs_down(record, info.step, info.reply_id):
        return "thumbs_down"
    return ""


def _thumbs_down(record: RunRecord, step: int, reply_id: str) -> bool:
    for item in record.feedback:
        if item.step != step or (item.reply_id and item.reply_id != reply_id):
            continue
        if item.label == "down" or (
            item.label is None and item.score is not None and item.score < 0.5
        ):
            return True
    return False


def model_calls(
    record: RunRecord, *, hint_sources: tuple[str, ...] = ("human",)
) -> list[CallRecord]:
    """Every model call of ``record`` that produced a message, in call order."""
    from ._pairs import corrections_of

    corrections = corrections_of(record, hint_sources)
    index = {str(m.get("id")): i for i, m in enumerate(record.messages)}
    calls = [info for info in record.model_calls.values() if info.msg_id in index]
    last_of_reply: dict[str, str] = {}
    for info in calls:
        last_of_reply[info.reply_id] = info.msg_id
    out: list[CallRecord] = []
    for info in calls:
        position = index[info.msg_id]
        msg = record.messages[position]
        if info.input is not None:
            prompt = normalise(info.input)
        else:
            prompt = normalise(
                [
                    *system_head(record.sys_prompt),
                    *chat_messages(record.messages[:position], args="json", tool_names=True),
                ]
            )
        out.append(
            CallRecord(
                run_id=record.run_id,
                agent=info.agent or str(msg.get("name", "")),
                reply_id=info.reply_id,
                step=info.step,
                msg_id=info.msg_id,
                prompt=prompt,
                output=msg,
                why=_why_not(record, msg, corrections, last_of_reply[info.reply_id] == info.msg_id),
                tools=record.tools,
            )
        )
    return out


def by_reply(calls: Iterable[CallRecord]) -> Iterator[list[CallRecord]]:
    """The calls grouped by reply, in order of each reply's first call."""
    groups: dict[str, list[CallRecord]] = {}
    for call in calls:
        groups.setdefault(call.reply_id, []).append(call)
    yield from groups.values()


__all__ = ["CallRecord", "model_calls", "by_reply", "normalise", "output_message", "CLEAN_FAILURES"]
