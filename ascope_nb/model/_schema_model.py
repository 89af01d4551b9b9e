"""``SchemaToolModel``: tool calls for models without native tool calling (JSON-schema steps)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable
from typing import Any

from ._base import ChatModelBase, ToolChoice
from ._response import ChatResponse, ResponseBlock
from ._schema_tools import (
    finish_name,
    previous_call,
    repeat_note,
    response_format,
    schema_messages,
    step_blocks,
    step_schema,
)

logger = logging.getLogger(__name__)

SAID_LIMIT = 512
"""How many of its own replies a model remembers to send back byte for byte."""

Constrain = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a step's JSON schema into the request fields that constrain the reply."""


def response_format_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI way: ``{"response_format": {"type": "json_schema", ...}}``."""
    return {"response_format": response_format(schema)}


def _reply_text(response: ChatResponse) -> str:
    return "".join(str(b.get("text", "")) for b in response.content if b.get("type") == "text")


class SchemaToolModel(ChatModelBase):
    """Wrap a chat model so that tools work through a JSON-schema-constrained reply.

    With tools, each call sends ``response_format`` = ``anyOf`` one object per tool
    (``{name, <its arguments>}``, or ``{name, arguments: {...}}`` for a tool with a
    parameter called ``name``) plus ``{name: "finish", answer}``, with the tool list in the system
    prompt and earlier tool calls and results rewritten as text (this model's own replies
    byte for byte, so a server's prompt cache is reused). The JSON comes back as our
    blocks: a tool choice as a ``tool_use`` block, ``finish`` as a ``text`` block. While
    streaming only the answer streams; the final chunk carries the ``tool_use``. A call
    identical to the previous one (same name and arguments) becomes a finish with a note, which stops small models that loop. Without tools the inner
    model is called unchanged.

    Works over any model whose server honours ``response_format`` JSON schemas
    (llama.cpp, vLLM, Ollama, OpenAI). ``constrain`` replaces ``response_format`` with
    another way to send the schema (``LocalModel`` sends a llama.cpp grammar, which
    keeps the reply compact and unfenced, so it is reused from the prompt cache).

    Args:
        inner: The model that talks to the server (e.g. an ``OpenAIChatModel``).
        detect_repeats: Turn a repeated identical call into a finish.
        constrain: The request fields for a step's schema (default ``response_format``).

    Example:
        >>> from ascope_nb.model import OpenAIChatModel
        >>> inner = OpenAIChatModel("qwen2.5", client_kwargs={"base_url": "http://127.0.0.1:8080/v1"})
        >>> SchemaToolModel(inner).model_name
        'qwen2.5'
    """

    def __init__(
        self,
        inner: ChatModelBase,
        *,
        detect_repeats: bool = True,
        constrain: Constrain = response_format_fields,
    ) -> None:
        super().__init__(inner.model_name, inner.stream)
        self.inner = inner
        self.detect_repeats = detect_repeats
        self.constrain = constrain
        self._said: OrderedDict[str, str] = OrderedDict()  # "call:<id>" / "text:<answer>"

    @property  # type: ignore[override]
    def stream(self) -> bool:
        return self.inner.stream

    @stream.setter
    def stream(self, value: bool) -> None:
        if hasattr(self, "inner"):
            self.inner.stream = value

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Call the inner model; with tools, one constrained step mapped to blocks."""
        if not tools or tool_choice == "none" or kwargs.get("structured_model") is not None:
            return await self.inner(messages, **kwargs)
        self._validate_tool_choice(tool_choice, tools)
        forced = tool_choice in ("required", "any")
        only = tool_choice if tool_choice not in (None, "auto", "required", "any") else None
        allow_finish = not forced and only is None
        schema = step_schema(tools, allow_finish=allow_finish, only=only)
        prompt = schema_messages(messages, tools, allow_finish=allow_finish, said=self._said)
        done = finish_name(tools)
        previous = previous_call(messages) if self.detect_repeats and allow_finish else None
        fields = dict(kwargs)
        for key, value in self.constrain(schema).items():
            if isinstance(value, dict) and isinstance(fields.get(key), dict):
                value = {**fields[key], **value}  # e.g. the caller's own extra_body
            fields[key] = value
        response = await self.inner(prompt, **fields)
        if isinstance(response, ChatResponse):
            return self._final(response, _reply_text(response), done, previous)
        return self._stream(response, done, previous)

    def _final(self, response: ChatResponse, text: str, done: str, previous: Any) -> ChatResponse:
        blocks = step_blocks(text, final=True, finish=done)
        note = repeat_note(blocks, previous)
        if note is not None:
            logger.info("%s: %s", self.model_name, note.splitlines()[0])
            blocks = [b for b in blocks if b.get("type") != "tool_use"]
            blocks.append({"type": "text", "text": note})
        else:
            self._remember(blocks, text)
        metadata = dict(response.metadata or {})
        metadata["schema_step"] = text
        return ChatResponse(content=blocks, id=response.id, usage=response.usage, metadata=metadata)

    def _remember(self, blocks: list[ResponseBlock], text: str) -> None:
        for block in blocks:
            if block.get("type") == "tool_use":
                self._said[f"call:{block.get('id')}"] = text
            elif block.get("type") == "text":
                self._said[f"text:{block.get('text')}"] = text
        while len(self._said) > SAID_LIMIT:
            self._said.popitem(last=False)

    async def _stream(
        self, chunks: AsyncGenerator[ChatResponse, None], done: str, previous: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        last: ChatResponse | None = None
        shown: list[ResponseBlock] = []
        async for chunk in chunks:
            last = chunk
            blocks = step_blocks(_reply_text(chunk), final=False, finish=done)
            if blocks != shown:
                shown = blocks
                yield ChatResponse(content=blocks, id=chunk.id, usage=chunk.usage)
        if last is not None:
            yield self._final(last, _reply_text(last), done, previous)

    def __repr__(self) -> str:
        return f"SchemaToolModel({self.inner!r})"
