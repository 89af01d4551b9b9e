"""The streamed part of the run fold: message content rebuilt from deltas and tool events.

A streamed message's content comes from its text/thinking deltas (by block), its tool calls
and its tool results, as they were streamed; ``fold_reply`` returns that. ``RunFold`` folds
this part only when asked (exporters use the completed messages instead).
"""

from __future__ import annotations

from typing import Any

Wire = dict[str, Any]


class Streamed:
    """Streamed pieces per message; each ``_s_<kind>`` folds one wire event."""

    def __init__(self) -> None:
        self.streamed: dict[str, list[Any]] = {}  # msg id -> [deltas by block, tool blocks]
        self.msg_order: list[str] = []  # streamed or completed messages, first-seen order
        self.completed: dict[str, Wire] = {}  # msg id -> the final Msg dict
        self.reply_ends: list[tuple[str, str]] = []  # (reply_id, msg_id) of finished replies

    def _parts(self, msg_id: str) -> list[Any]:
        parts = self.streamed.get(msg_id)
        if parts is None:
            parts = self.streamed[msg_id] = [{}, []]
            if msg_id not in self.completed:
                self.msg_order.append(msg_id)
        return parts

    def _s_delta(self, ev: Wire, kind: str) -> None:
        deltas = self._parts(ev.get("msg_id", ""))[0]
        block_id = ev.get("block_id", "")
        entry = deltas.get(block_id)
        if entry is None:
            entry = deltas[block_id] = [kind, []]
        entry[1].append(ev.get("delta", ""))

    def _s_text_delta(self, ev: Wire) -> None:
        self._s_delta(ev, "text")

    def _s_thinking_delta(self, ev: Wire) -> None:
        self._s_delta(ev, "thinking")

    def _s_tool_call(self, ev: Wire) -> None:
        self._parts(str(ev.get("msg_id", "")))[1].append(
            {
                "type": "tool_use",
                "id": str(ev.get("tool_call_id", "")),
                "name": str(ev.get("name", "")),
                "input": dict(ev.get("input") or {}),
            }
        )

    def _s_tool_result(self, ev: Wire) -> None:
        msg_id = str(ev.get("msg_id", ""))
        if msg_id:
            self._parts(msg_id)[1].append(
                {
                    "type": "tool_result",
                    "id": str(ev.get("tool_call_id", "")),
                    "name": ev.get("name", ""),
                    "output": list(ev.get("output") or []),
                }
            )

    def _s_message_completed(self, ev: Wire) -> None:
        msg = ev.get("msg") or {}
        msg_id = msg.get("id")
        if msg_id:
            if msg_id not in self.completed and msg_id not in self.streamed:
                self.msg_order.append(msg_id)
            self.completed[msg_id] = msg

    def _s_reply_ended(self, ev: Wire) -> None:
        self.reply_ends.append((str(ev.get("reply_id", "")), str(ev.get("msg_id", ""))))

    def content_of(self, msg_id: str) -> list[Any] | None:
        """The streamed content of ``msg_id`` (None: it was not streamed)."""
        piece = self.streamed.get(msg_id)
        if piece is None:
            return None
        blocks: list[Any] = []
        for block_id in sorted(piece[0], key=_block_index):
            kind, texts = piece[0][block_id]
            blocks.append({"type": kind, kind: "".join(texts)})
        blocks.extend(piece[1])
        return blocks


def _block_index(block_id: str) -> int:
    tail = block_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


__all__ = ["Streamed"]
