"""A console printer: the plain-Python way to watch agents (subscribes to events)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from ..events import (
    Event,
    InputRequested,
    MessageCompleted,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolResult,
)
from ..message._text import content_text
from ..redact import redact_text


def _blocks_text(content: Any) -> str:
    """Text blocks as they are, any other block as ``<type>``."""
    return content_text(content, other=lambda block: f"<{block.get('type')}>")


class ConsolePrinter:
    """Prints an agent's events as they stream: ``Friday: text``, tool calls and results.

    AgentScope 1.x prints from inside the agent; here printing is only a subscriber, so a
    notebook view, a store or a test can watch the same run without any console output.

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> ConsolePrinter(file=out)(TextDelta(agent="Friday", msg_id="m", block_id="b", delta="Hi"))
        >>> out.getvalue()
        'Friday: Hi'
    """

    def __init__(self, *, file: TextIO | None = None) -> None:
        self._file = file
        self._open_msg: str | None = None

    @property
    def file(self) -> TextIO:
        return self._file or sys.stdout

    def _write(self, text: str) -> None:
        self.file.write(redact_text(text))  # events are redacted already; formatted text too
        self.file.flush()

    def _start_line(self, msg_id: str, name: str) -> None:
        if self._open_msg != msg_id:
            if self._open_msg is not None:
                self._write("\n")
            self._write(f"{name}: ")
            self._open_msg = msg_id

    def _close(self) -> None:
        if self._open_msg is not None:
            self._write("\n")
            self._open_msg = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, (TextDelta, ThinkingDelta)):
            self._start_line(event.msg_id, event.agent)
            self._write(event.delta)
        elif isinstance(event, ToolCall):
            self._close()
            self._write(
                f"{event.agent}: -> {event.name}({json.dumps(event.input, ensure_ascii=False)})\n"
            )
        elif isinstance(event, ToolResult):
            self._close()
            self._write(
                f"{event.agent}: <- {event.name} [{event.state}] {_blocks_text(event.output)}\n"
            )
        elif isinstance(event, MessageCompleted):
            if self._open_msg == event.msg.get("id"):
                self._close()
            elif event.msg.get("role") == "user" and event.msg.get("name") == event.agent:
                # a message the agent authored without streaming it (a UserAgent's input)
                self._write(f"{event.msg.get('name')}: {_blocks_text(event.msg.get('content'))}\n")
        elif isinstance(event, InputRequested):
            self._close()
