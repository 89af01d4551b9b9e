"""Deterministic chat models for tests and offline tutorials."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._ids import new_id
from ..exceptions import ModelCallError
from ..message import ToolUseBlock
from ..model import ChatModelBase, ChatResponse, ChatUsage
from ..model._response import ResponseBlock

_TOKEN = re.compile(r"\s*\S+|\s+")


def tool_call(
    name: str, /, *, id: str | None = None, raw: str | None = None, **arguments: Any
) -> ToolUseBlock:
    """A tool call block for a scripted reply.

    ``raw`` sets the raw argument string as a model would send it (use it to script
    malformed JSON); otherwise the arguments are the keyword arguments.

    Example:
        >>> tool_call("add", a=1, b=2)["input"]
        {'a': 1, 'b': 2}
    """
    block: ToolUseBlock = {
        "type": "tool_use",
        "id": id or f"call_{new_id()[:12]}",
        "name": name,
        "input": dict(arguments),
    }
    if raw is not None:
        block["raw_input"] = raw
        try:
            parsed = json.loads(raw)
            block["input"] = parsed if isinstance(parsed, dict) else {}
        except json.JSONDecodeError:
            block["input"] = {}
    return block


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


ReplySpec = str | ToolUseBlock | Reply | BaseException | Sequence[str | ToolUseBlock]


def as_reply(spec: ReplySpec | ChatResponse) -> Reply:
    """Normalise a reply spec: text, a tool call, a list of both, a ``Reply`` or an exception."""
    if isinstance(spec, Reply):
        return spec
    if isinstance(spec, BaseException):
        return Reply(error=spec)
    if isinstance(spec, str):
        return Reply(text=spec)
    if isinstance(spec, ChatResponse):
        texts = [b["text"] for b in spec.content if b["type"] == "text"]  # type: ignore[typeddict-item]
        calls = [b for b in spec.content if b["type"] == "tool_use"]
        return Reply(text="".join(texts), tool_calls=calls, metadata=spec.metadata)  # type: ignore[arg-type]
    if isinstance(spec, dict):
        if spec.get("type") != "tool_use":
            raise TypeError(f"a dict reply must be a tool_use block, got {spec!r}")
        return Reply(tool_calls=[spec])
    text_parts = [s for s in spec if isinstance(s, str)]
    calls = [s for s in spec if isinstance(s, dict)]
    return Reply(text="".join(text_parts), tool_calls=calls)  # type: ignore[arg-type]


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


class _ReplayingModel(ChatModelBase):
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


class ScriptedModel(_ReplayingModel):
    """A model that answers from a script, in order, and records every request.

    Each reply is a text, a ``tool_call(...)`` block, a list mixing both, a ``Reply``, or an
    exception to raise. With ``stream=True`` text streams token by token (``token_delay``
    seconds apart), so live views and the stop button can be exercised.

    Example:
        >>> model = ScriptedModel([[tool_call("add", a=1, b=2)], "1 + 2 = 3"], stream=False)
        >>> len(model.replies)
        2
    """

    def __init__(
        self,
        replies: Sequence[ReplySpec],
        *,
        stream: bool = True,
        token_delay: float = 0.0,
        model_name: str = "scripted",
        repeat_last: bool = False,
    ) -> None:
        super().__init__(model_name, stream=stream, token_delay=token_delay)
        self.replies = [as_reply(r) for r in replies]
        self.repeat_last = repeat_last
        self._next = 0

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        self._record(messages, tools, tool_choice, kwargs)
        if self._next >= len(self.replies):
            if not (self.repeat_last and self.replies):
                raise ModelCallError(
                    f"ScriptedModel {self.model_name!r} ran out of replies after {len(self.replies)} calls"
                )
            reply = self.replies[-1]
        else:
            reply = self.replies[self._next]
            self._next += 1
        return self._respond(messages, reply)


ReplyFunction = Callable[
    [list[dict[str, Any]], list[dict[str, Any]] | None], ReplySpec | Awaitable[ReplySpec]
]


class FunctionModel(_ReplayingModel):
    """A model whose answer is computed by ``fn(messages, tools)`` (sync or async).

    Example:
        >>> model = FunctionModel(lambda messages, tools: f"you said {messages[-1]['content']}")
        >>> model.model_name
        'function'
    """

    def __init__(
        self,
        fn: ReplyFunction,
        *,
        stream: bool = False,
        token_delay: float = 0.0,
        model_name: str = "function",
    ) -> None:
        super().__init__(model_name, stream=stream, token_delay=token_delay)
        self.fn = fn

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        self._record(messages, tools, tool_choice, kwargs)
        result = self.fn(messages, tools)
        if inspect.isawaitable(result):
            result = await result
        return self._respond(messages, as_reply(result))  # type: ignore[arg-type]
