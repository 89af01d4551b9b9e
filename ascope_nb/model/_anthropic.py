"""``AnthropicChatModel``: Claude through the official ``anthropic`` SDK (AgentScope 1.x API).

The SDK is an optional dependency: ``pip install 'ascope-nb[anthropic]'``. Format messages
with ``AnthropicChatFormatter`` (or ``AnthropicMultiAgentFormatter``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

from .._guard import check_model_request_allowed
from ..exceptions import ConfigError
from ..message import ThinkingBlock
from ._base import ChatModelBase, ToolChoice, check_messages
from ._native import ToolCallAccumulator, structured_tool, validated
from ._openai_errors import CallSite
from ._response import ChatResponse, ChatUsage, ResponseBlock
from ._vendor import (
    LoopClient,
    client_kwargs_from,
    function_schemas,
    guarded,
    str_id,
    vendor_endpoint,
    vendor_error,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.anthropic.com"


def import_anthropic() -> Any:
    """The ``anthropic`` module, or a one-line ``ConfigError`` saying how to install it."""
    try:
        import anthropic
    except ImportError:
        raise ConfigError(
            "AnthropicChatModel needs the anthropic package: pip install 'ascope-nb[anthropic]'"
        ) from None
    return anthropic


def anthropic_tool(function: dict[str, Any]) -> dict[str, Any]:
    """An Anthropic tool for an OpenAI-style ``function`` schema.

    Example:
        >>> anthropic_tool({"name": "add", "parameters": {"type": "object"}})
        {'name': 'add', 'description': '', 'input_schema': {'type': 'object'}}
    """
    return {
        "name": function["name"],
        "description": function.get("description", ""),
        "input_schema": function.get("parameters", {}),
    }


def anthropic_tool_choice(tool_choice: str) -> dict[str, Any]:
    """``auto`` / ``none`` / ``required`` (or ``any``) / a tool name in Anthropic's shape."""
    named = {"auto": {"type": "auto"}, "none": {"type": "none"}, "required": {"type": "any"}}
    named["any"] = named["required"]
    return named.get(tool_choice) or {"type": "tool", "name": tool_choice}


class AnthropicChatModel(ChatModelBase):
    """A Claude model through the Anthropic Messages API.

    Args:
        model_name: E.g. ``"claude-sonnet-4-20250514"``.
        api_key: The key; defaults to ``$ANTHROPIC_API_KEY``.
        max_tokens: The reply's token limit (Anthropic requires one).
        stream: Return an async generator of cumulative chunks (the default, as in
            AgentScope 1.x).
        thinking: Extended thinking, e.g. ``{"type": "enabled", "budget_tokens": 1024}``.
        stream_tool_parsing: Parse tool arguments while they stream (else ``{}`` until the
            end, then one more chunk with the parsed arguments).
        client_kwargs: Passed to ``anthropic.AsyncAnthropic`` (``base_url``, ``timeout``...).
        generate_kwargs: Sent with every request (``temperature``, ``top_p``...).

    Example:
        >>> model = AnthropicChatModel("claude-sonnet-4-20250514", api_key="sk-ant-test")
        >>> model.max_tokens, model.stream
        (2048, True)
    """

    key_env = "ANTHROPIC_API_KEY"

    def __init__(
        self,
        model_name: str,
        api_key: str | None = None,
        max_tokens: int = 2048,
        stream: bool = True,
        thinking: dict[str, Any] | None = None,
        stream_tool_parsing: bool = True,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        client_kwargs = client_kwargs_from(
            client_kwargs, kwargs, owner="AnthropicChatModel", log=logger
        )
        anthropic = import_anthropic()
        super().__init__(model_name, stream)
        ckw = dict(client_kwargs or {})
        self.base_url, key = vendor_endpoint(
            ckw,
            api_key,
            key_env=self.key_env,
            url_env="ANTHROPIC_BASE_URL",
            default_url=DEFAULT_BASE_URL,
            label=self._label,
        )
        self._clients = LoopClient(lambda: anthropic.AsyncAnthropic(api_key=key or "EMPTY", **ckw))
        self.client: Any = self._clients.own
        self.max_tokens = max_tokens
        self.thinking = thinking
        self.stream_tool_parsing = stream_tool_parsing
        self.generate_kwargs: dict[str, Any] = dict(generate_kwargs or {})

    @property
    def _label(self) -> str:
        return f"AnthropicChatModel {self.model_name!r}"

    @property
    def _site(self) -> CallSite:
        return CallSite(self._label, self.base_url, self.key_env)

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        structured_model: type[Any] | None = None,
        **generate_kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Send formatted messages; a ``ChatResponse`` or, when streaming, cumulative chunks.

        A leading system message becomes the ``system`` field. With ``structured_model``
        the model is made to call ``generate_structured_output`` and its arguments become
        ``ChatResponse.metadata``.

        Raises:
            ModelCallError: One line naming the model and the cause.
        """
        check_messages(messages, "AnthropicChatModel", formatter="AnthropicChatFormatter")
        request: dict[str, Any] = {
            "model": self.model_name,
            "max_tokens": self.max_tokens,
            "stream": self.stream,
            **self.generate_kwargs,
            **generate_kwargs,
        }
        if self.thinking and "thinking" not in request:
            request["thinking"] = self.thinking
        if tools:
            request["tools"] = function_schemas(tools, anthropic_tool)
        if tool_choice:
            if tool_choice == "any":
                tool_choice = "required"
            self._validate_tool_choice(tool_choice, tools)
            request["tool_choice"] = anthropic_tool_choice(tool_choice)
        if structured_model is not None:
            if tools or tool_choice:
                logger.warning("%s: structured_model replaces tools and tool_choice", self._label)
            schema = structured_tool(structured_model)
            request["tools"] = function_schemas([schema], anthropic_tool)
            request["tool_choice"] = anthropic_tool_choice(schema["function"]["name"])
        if messages and messages[0]["role"] == "system":
            request["system"] = messages[0]["content"]
            messages = messages[1:]
        request["messages"] = messages
        check_model_request_allowed(self.base_url, self._label)
        started = time.monotonic()
        anthropic = import_anthropic()
        try:
            self.client = self._clients.current(self.client)
            response = await self.client.messages.create(**request)
        except anthropic.APIError as exc:
            raise vendor_error(exc, self._site) from exc
        if self.stream:
            stream = self._stream(response, started, structured_model)
            return guarded(stream, self._site, (anthropic.APIError,))
        return self._parse(response, started, structured_model)

    def _parse(self, response: Any, started: float, structured_model: Any) -> ChatResponse:
        blocks: list[ResponseBlock] = []
        for item in getattr(response, "content", None) or []:
            kind = getattr(item, "type", None)
            if kind == "thinking":
                block = ThinkingBlock(type="thinking", thinking=item.thinking)
                block["signature"] = item.signature  # type: ignore[typeddict-unknown-key]
                blocks.append(block)
            elif kind == "text":
                blocks.append({"type": "text", "text": item.text})
            elif kind == "tool_use":
                blocks.append(
                    {"type": "tool_use", "id": item.id, "name": item.name, "input": item.input}
                )
        usage = getattr(response, "usage", None)
        result = ChatResponse(content=blocks, usage=_usage(usage, None, started))
        response_id = str_id(getattr(response, "id", None))
        if response_id:
            result.id = response_id
        return validated(result, structured_model, self._site.error)

    async def _stream(
        self, response: Any, started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        response_id: str | None = None
        usage: ChatUsage | None = None
        text, thinking, signature = "", "", ""
        calls = ToolCallAccumulator()
        last: list[ResponseBlock] = []
        async for event in response:
            kind = getattr(event, "type", None)
            changed = False
            if kind == "message_start":
                message = event.message
                response_id = response_id or str_id(getattr(message, "id", None))
                usage = _usage(getattr(message, "usage", None), None, started)
            elif kind == "content_block_start":
                block = event.content_block
                if getattr(block, "type", None) == "tool_use":
                    calls.add(event.index, block.id, block.name, "")
                    changed = True
            elif kind == "content_block_delta":
                delta = event.delta
                if delta.type == "text_delta":
                    text += delta.text
                    changed = True
                elif delta.type == "thinking_delta":
                    thinking += delta.thinking
                    changed = True
                elif delta.type == "signature_delta":
                    signature = delta.signature
                elif delta.type == "input_json_delta":
                    calls.add(event.index, None, None, delta.partial_json or "")
                    changed = True
            elif kind == "message_delta":
                _update_usage(usage, getattr(event, "usage", None), started)
            if not changed:
                continue
            last = self._blocks(thinking, signature, text, calls, final=False)
            yield self._chunk(last, usage, response_id, structured_model, calls)
        if last and not self.stream_tool_parsing and any(b["type"] == "tool_use" for b in last):
            final = self._blocks(thinking, signature, text, calls, final=True)
            result = self._chunk(final, usage, response_id, None, calls)
            yield validated(result, structured_model, self._site.error)

    def _blocks(
        self, thinking: str, signature: str, text: str, calls: ToolCallAccumulator, *, final: bool
    ) -> list[ResponseBlock]:
        blocks: list[ResponseBlock] = []
        if thinking:
            block = ThinkingBlock(type="thinking", thinking=thinking)
            block["signature"] = signature  # type: ignore[typeddict-unknown-key]
            blocks.append(block)
        if text:
            blocks.append({"type": "text", "text": text})
        blocks.extend(calls.blocks(final=final, streaming=self.stream_tool_parsing or final))
        return blocks

    @staticmethod
    def _chunk(
        blocks: list[ResponseBlock],
        usage: ChatUsage | None,
        response_id: str | None,
        structured_model: Any,
        calls: ToolCallAccumulator,
    ) -> ChatResponse:
        chunk = ChatResponse(content=blocks, usage=usage)
        if response_id:
            chunk.id = response_id
        if structured_model is not None:
            chunk.metadata = calls.first_input()
        return chunk

    def __repr__(self) -> str:
        return f"AnthropicChatModel(model_name={self.model_name!r}, stream={self.stream!r})"


def _update_usage(usage: ChatUsage | None, raw: Any, started: float) -> None:
    """Fold a ``message_delta`` usage into ``usage`` in place: the chunks already yielded
    share the object, so the last one carries the final counts (as in AgentScope 1.x)."""
    if usage is None or raw is None:
        return
    tokens_in = getattr(raw, "input_tokens", 0)
    if isinstance(tokens_in, int) and tokens_in > usage.input_tokens:
        usage.input_tokens = tokens_in
    tokens_out = getattr(raw, "output_tokens", None)
    if isinstance(tokens_out, int):
        usage.output_tokens = tokens_out
    usage.time = time.monotonic() - started


def _usage(raw: Any, before: ChatUsage | None, started: float) -> ChatUsage | None:
    """Anthropic usage (``input_tokens`` on ``message_start``, ``output_tokens`` growing on
    ``message_delta``) merged into a ``ChatUsage``."""
    if raw is None:
        return before
    tokens_in = getattr(raw, "input_tokens", 0)
    tokens_out = getattr(raw, "output_tokens", 0)
    tokens_in = tokens_in if isinstance(tokens_in, int) else 0
    tokens_out = tokens_out if isinstance(tokens_out, int) else 0
    if before is not None:
        tokens_in = max(tokens_in, before.input_tokens)
    return ChatUsage(tokens_in, tokens_out, time.monotonic() - started)
