"""Fold events back into messages: a saved run's events rebuild what the agents said.

Example:
    >>> from ascope_nb.events import MessageCompleted, ReplyEnded, TextDelta
    >>> events = [
    ...     TextDelta(msg_id="m1", block_id="m1:0", delta="Hel"),
    ...     TextDelta(msg_id="m1", block_id="m1:0", delta="lo"),
    ...     MessageCompleted(msg={"id": "m1", "name": "Friday", "role": "assistant",
    ...                           "content": [], "metadata": {}, "timestamp": "t"}),
    ...     ReplyEnded(msg_id="m1"),
    ... ]
    >>> fold_reply(events).get_text_content()
    'Hello'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .events import (
    Event,
    MessageCompleted,
    ReplyEnded,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolResult,
)
from .message import Msg


def _block_index(block_id: str) -> int:
    tail = block_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def fold_messages(events: Iterable[Event]) -> dict[str, Msg]:
    """Every message of the events, by id, with content rebuilt from the streamed pieces.

    Streamed messages (text / thinking deltas, tool calls, tool results) get their content
    from those events; others (user input, announcements) from ``MessageCompleted``.
    """
    streamed: dict[str, dict[str, Any]] = {}
    headers: dict[str, dict[str, Any]] = {}
    order: list[str] = []

    def parts(msg_id: str) -> dict[str, Any]:
        if msg_id not in streamed:
            streamed[msg_id] = {"deltas": {}, "tools": []}
            if msg_id not in headers:
                order.append(msg_id)
        return streamed[msg_id]

    for event in events:
        if isinstance(event, (TextDelta, ThinkingDelta)):
            kind = "text" if isinstance(event, TextDelta) else "thinking"
            deltas = parts(event.msg_id)["deltas"]
            entry = deltas.setdefault(event.block_id, [kind, []])
            entry[1].append(event.delta)
        elif isinstance(event, ToolCall):
            parts(event.msg_id)["tools"].append(
                {
                    "type": "tool_use",
                    "id": event.tool_call_id,
                    "name": event.name,
                    "input": dict(event.input),
                }
            )
        elif isinstance(event, ToolResult):
            parts(event.msg_id)["tools"].append(
                {
                    "type": "tool_result",
                    "id": event.tool_call_id,
                    "name": event.name,
                    "output": list(event.output),
                }
            )
        elif isinstance(event, MessageCompleted) and event.msg.get("id"):
            msg_id = event.msg["id"]
            if msg_id not in headers and msg_id not in streamed:
                order.append(msg_id)
            headers[msg_id] = event.msg

    result: dict[str, Msg] = {}
    for msg_id in order:
        header = headers.get(msg_id)
        if header is None:
            continue  # a message that never completed (e.g. a crash mid-stream)
        if msg_id in streamed:
            piece = streamed[msg_id]
            blocks: list[Any] = []
            for block_id in sorted(piece["deltas"], key=_block_index):
                kind, texts = piece["deltas"][block_id]
                blocks.append({"type": kind, kind: "".join(texts)})
            blocks.extend(piece["tools"])
            header = {**header, "content": blocks}
        result[msg_id] = Msg.from_dict(header)
    return result


def fold_reply(events: Iterable[Event], reply_id: str | None = None) -> Msg:
    """The Msg an agent returned, rebuilt from its events (the last reply if no ``reply_id``)."""
    events = list(events)
    ends = [
        e
        for e in events
        if isinstance(e, ReplyEnded) and (reply_id is None or e.reply_id == reply_id)
    ]
    if not ends:
        raise ValueError(
            f"no finished reply {reply_id!r} in these events"
            if reply_id
            else "no finished reply in these events"
        )
    msg_id = ends[-1].msg_id
    messages = fold_messages(events)
    if msg_id not in messages:
        raise ValueError(f"reply message {msg_id!r} is not in these events")
    return messages[msg_id]
