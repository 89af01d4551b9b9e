"""Deterministic chat models for tests and offline tutorials (on ``model._replay``)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any

from .._ids import new_id
from ..exceptions import ModelCallError
from ..message import ToolUseBlock
from ..model import ChatResponse
from ..model._replay import ModelCall, ReplayingModel, Reply


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


class ScriptedModel(ReplayingModel):
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


class FunctionModel(ReplayingModel):
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


__all__ = ["ScriptedModel", "FunctionModel", "Reply", "ModelCall", "tool_call", "as_reply"]
