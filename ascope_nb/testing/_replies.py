"""The scripted replies of the fake model servers: ``FakeReply``, ``FakeToolCall`` and how a
reply spec (a text, a dict, a callable) becomes one.

Example:
    >>> from ascope_nb.testing.openai_server import FakeReply
    >>> FakeReply(text="hi").text
    'hi'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeToolCall:
    """A tool call the fake model makes.

    ``arguments`` is a dict (sent as JSON) or a raw string (sent verbatim, e.g. to
    test malformed JSON).
    """

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def arguments_text(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False)


@dataclass
class FakeReply:
    """One scripted answer of the fake server.

    Attributes:
        text: The assistant text.
        tool_calls: Tool calls (``FakeToolCall`` or ``{"name": ..., "arguments": ...}``).
        reasoning: Reasoning text, sent as ``reasoning_content``.
        status: Answer with this HTTP error status instead (e.g. 401, 429, 500).
        error_message: The error message sent with ``status``.
        chunk_delay: Seconds to sleep before each streamed chunk (and once before a
            reply that is not streamed).
        chunk_chars: Characters per streamed text / argument fragment.
        die_after: Close the connection abruptly after this many streamed chunks (for a
            non-streaming request: before answering at all).
        interleave_tool_calls: Stream argument fragments of parallel calls interleaved.
        usage: ``(prompt_tokens, completion_tokens)``; computed from lengths if None.
        finish_reason: Overrides the computed finish reason.
        timings: llama.cpp-style ``timings`` sent with the usage (e.g. ``cache_n``).
    """

    text: str = ""
    tool_calls: Sequence[FakeToolCall | dict[str, Any]] = field(default_factory=list)
    reasoning: str = ""
    status: int | None = None
    error_message: str = "scripted error"
    chunk_delay: float = 0.0
    chunk_chars: int = 4
    die_after: int | None = None
    interleave_tool_calls: bool = False
    usage: tuple[int, int] | None = None
    finish_reason: str | None = None
    timings: dict[str, Any] | None = None

    def calls(self) -> list[FakeToolCall]:
        """The tool calls as ``FakeToolCall`` objects, with ids filled in."""
        out = []
        for i, call in enumerate(self.tool_calls):
            tc = call if isinstance(call, FakeToolCall) else FakeToolCall(**call)
            out.append(FakeToolCall(tc.name, tc.arguments, tc.id or f"call_{i}"))
        return out

    def openai_tool_calls(self) -> list[dict[str, Any]]:
        """The tool calls as a message's ``tool_calls`` (OpenAI's layout, also DashScope's)."""
        return [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments_text()},
            }
            for c in self.calls()
        ]

    def output_tokens(self) -> int:
        """Completion tokens estimated from the reply's length (about 4 characters each)."""
        out = self.text + self.reasoning + "".join(c.arguments_text() for c in self.calls())
        return max(1, len(out) // 4)


ReplySpec = FakeReply | str | dict[str, Any] | Callable[[dict[str, Any]], Any]
"""A reply: a ``FakeReply``, a plain text, a dict of ``FakeReply`` fields, or a
callable ``(request_body) -> reply`` computing one of those from the request."""


def _to_reply(spec: Any, body: dict[str, Any]) -> FakeReply:
    if callable(spec) and not isinstance(spec, FakeReply):
        spec = spec(body)
    if isinstance(spec, FakeReply):
        return spec
    if isinstance(spec, str):
        return FakeReply(text=spec)
    if isinstance(spec, dict):
        return FakeReply(**spec)
    raise TypeError(
        f"a reply must be a FakeReply, str, dict or callable, got {type(spec).__name__}"
    )


def _pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]
