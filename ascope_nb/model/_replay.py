"""The replaying model core: turn a scripted ``Reply`` into a response or a token stream.

``DemoModel`` and the test doubles (``ascope_nb.testing``) are built on it; it lives here so
that production code never imports the testing package.

Example:
    >>> import asyncio
    >>> class Hello(ReplayingModel):
    ...     async def __call__(self, messages, tools=None, tool_choice=None, **kwargs):
    ...         return self._respond(messages, Reply(text="Hello"))
    >>> asyncio.run(Hello("hello", stream=False, token_delay=0)([])).content
    [{'type': 'text', 'text': 'Hello'}]
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from .._ids import new_id
from ..exceptions import ModelCallError
from ..message import ToolUseBlock
from ._base import ChatModelBase
from ._response import ChatResponse, ChatUsage, ResponseBlock

_TOKEN = re.compile(r"\s*\S+|\s+")


@dataclass
class Reply:
    """One scripted model answer: optional thinking, text, tool calls, or an error.

    ``fail_after_tokens`` raises ``error`` after that many streamed text tokens, simulating
    a connection that breaks mid-stream.
    """

    text: str = ""
    tool_calls: list[ToolUseBlock] = field(default_factory=list)
    thinking: str = ""
    error: BaseException | None = None
    fail_after_tokens: int | None = None
    metadata: dict[str, Any] | None = None


@dataclass
class ModelCall:
    """What a test model received in one call."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    tool_choice: str | None
    kwargs: dict[str, Any]

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools or []]

    def text(self) -> str:
        """All message texts of the request, joined (handy for ``assert "x" in call.text()``)."""
        parts: list[str] = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return "\n".join(parts)


class ReplayingModel(ChatModelBase):
    """Shared machinery: turn a ``Reply`` into a ChatResponse or a cumulative stream."""

    def __init__(
        self, model_name: str, *, stream: bool, token_delay: float, record: bool = True
    ) -> None:
        super().__init__(model_name, stream)
        self.token_delay = token_delay
        self.record = record
        self.calls: list[ModelCall] = []

    def _record(
        self, messages: list[dict[str, Any]], tools: Any, tool_choice: Any, kwargs: dict[str, Any]
    ) -> None:
        if self.record:  # a test model keeps every request (a copy of the whole prompt)
            self.calls.append(ModelCall(list(messages), tools, tool_choice, dict(kwargs)))

    def _usage(self, messages: list[dict[str, Any]], reply: Reply, started: float) -> ChatUsage:
        prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
        out_chars = (
            len(reply.text)
            + len(reply.thinking)
            + sum(len(json.dumps(c["input"])) for c in reply.tool_calls)
        )
        return ChatUsage(
            input_tokens=max(1, prompt_chars // 4),
            output_tokens=max(1, out_chars // 4),
            time=time.perf_counter() - started,
        )

    @staticmethod
    def _blocks(thinking: str, text: str, calls: list[ToolUseBlock]) -> list[ResponseBlock]:
        blocks: list[ResponseBlock] = []
        if thinking:
            blocks.append({"type": "thinking", "thinking": thinking})
        if text:
            blocks.append({"type": "text", "text": text})
        blocks.extend(dict(c) for c in calls)  # type: ignore[misc]
        return blocks

    def _respond(
        self, messages: list[dict[str, Any]], reply: Reply
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        started = time.perf_counter()
        if not self.stream:
            if reply.error is not None:
                raise reply.error
            return ChatResponse(
                content=self._blocks(reply.thinking, reply.text, reply.tool_calls),
                usage=self._usage(messages, reply, started),
                metadata=reply.metadata,
            )
        return self._stream(messages, reply, started)

    async def _stream(
        self, messages: list[dict[str, Any]], reply: Reply, started: float
    ) -> AsyncGenerator[ChatResponse, None]:
        response_id = new_id()
        thinking = ""
        for token in _TOKEN.findall(reply.thinking):
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            thinking += token
            yield ChatResponse(content=self._blocks(thinking, "", []), id=response_id)
        text = ""
        for count, token in enumerate(_TOKEN.findall(reply.text)):
            if reply.fail_after_tokens is not None and count >= reply.fail_after_tokens:
                raise reply.error or ModelCallError(
                    f"{self.model_name}: stream broken after {count} tokens"
                )
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            text += token
            yield ChatResponse(content=self._blocks(thinking, text, []), id=response_id)
        if reply.error is not None:
            raise reply.error
        yield ChatResponse(
            content=self._blocks(thinking, text, reply.tool_calls),
            id=response_id,
            usage=self._usage(messages, reply, started),
            metadata=reply.metadata,
        )


__all__ = ["Reply", "ModelCall", "ReplayingModel"]
