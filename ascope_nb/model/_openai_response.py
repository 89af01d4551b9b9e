"""``OpenAIResponseModel``: OpenAI's Responses API (``/v1/responses``) through the ``openai``
SDK (AgentScope 1.x API). Format messages with ``OpenAIResponseChatFormatter``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

from .._guard import check_model_request_allowed
from ..exceptions import ConfigError
from ._base import ChatModelBase
from ._openai_errors import CallSite, to_model_error
from ._partial_json import parse_partial_object
from ._response import ChatResponse, ChatUsage, ResponseBlock
from ._vendor import LoopClient, guarded, str_id, vendor_endpoint

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def response_tools(schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI chat tool schemas as Responses API tools (the function fields flattened).

    Example:
        >>> response_tools([{"type": "function", "function": {"name": "add"}}])
        [{'type': 'function', 'name': 'add'}]
    """
    out = []
    for tool in schemas:
        function = tool.get("function")
        out.append({"type": "function", **(function if isinstance(function, dict) else tool)})
    return out


def response_tool_choice(tool_choice: str | list[str]) -> str | dict[str, Any]:
    """``auto`` / ``none`` / ``required``, one tool name, or a list of allowed tool names."""
    if isinstance(tool_choice, list):
        tools = [{"type": "function", "name": name} for name in tool_choice]
        return {"type": "allowed_tools", "mode": "auto", "tools": tools}
    if tool_choice in ("auto", "none", "required"):
        return tool_choice
    return {"type": "function", "name": tool_choice}


class OpenAIResponseModel(ChatModelBase):
    """A model behind OpenAI's Responses API (reasoning summaries, function calls).

    Args:
        model_name: E.g. ``"o3"`` or ``"gpt-4.1"``.
        api_key: The key; defaults to ``$OPENAI_API_KEY``.
        stream: Return an async generator of cumulative chunks (the default).
        reasoning_effort: ``minimal`` / ``low`` / ``medium`` / ``high``.
        reasoning_summary: ``auto`` / ``concise`` / ``detailed`` (shown as thinking).
        organization: The OpenAI organization.
        stream_tool_parsing: Parse tool arguments while they stream.
        client_kwargs: Passed to ``openai.AsyncClient`` (``base_url``, ``timeout``...).
        generate_kwargs: Sent with every request.

    Example:
        >>> model = OpenAIResponseModel("o3", api_key="sk-test", reasoning_effort="low")
        >>> model.stream, model.reasoning_effort
        (True, 'low')
    """

    key_env = "OPENAI_API_KEY"

    def __init__(
        self,
        model_name: str,
        api_key: str | None = None,
        stream: bool = True,
        reasoning_effort: str | None = None,
        reasoning_summary: str | None = None,
        organization: str | None = None,
        stream_tool_parsing: bool = True,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            logger.warning("OpenAIResponseModel ignores unknown arguments %s", sorted(kwargs))
        super().__init__(model_name, stream)
        import openai

        ckw = dict(client_kwargs or {})
        self.base_url, key = vendor_endpoint(
            ckw,
            api_key,
            key_env=self.key_env,
            url_env="OPENAI_BASE_URL",
            default_url=DEFAULT_BASE_URL,
            label=self._label,
        )
        self._clients = LoopClient(
            lambda: openai.AsyncClient(api_key=key or "EMPTY", organization=organization, **ckw)
        )
        self.client: Any = self._clients.own
        self.reasoning_effort = reasoning_effort
        self.reasoning_summary = reasoning_summary
        self.stream_tool_parsing = stream_tool_parsing
        self.generate_kwargs: dict[str, Any] = dict(generate_kwargs or {})

    @property
    def _label(self) -> str:
        return f"OpenAIResponseModel {self.model_name!r}"

    @property
    def _site(self) -> CallSite:
        return CallSite(self._label, self.base_url, self.key_env)

    def _validate_tool_choice(self, tool_choice: Any, tools: list[dict[str, Any]] | None) -> None:
        if not isinstance(tool_choice, list):
            super()._validate_tool_choice(tool_choice, tools)
            return
        names = [t["function"]["name"] for t in tools or []]
        if not tool_choice or not tools:
            raise ConfigError("tool_choice as a list needs tools and at least one tool name")
        for name in tool_choice:
            if not isinstance(name, str) or name not in names:
                raise ConfigError(f"tool_choice names {name!r}, which is none of {names!r}")

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | list[str] | None = None,
        structured_model: type[Any] | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Send ``input`` items; a ``ChatResponse`` or, when streaming, cumulative chunks.

        Raises:
            ModelCallError: One line naming the model and the cause.
        """
        if not isinstance(messages, list) or not all(
            isinstance(m, dict) and ("role" in m or "type" in m) for m in messages
        ):
            raise ConfigError(
                f"{self._label} expects a list of input items (dicts with 'role' or 'type'); "
                "format Msg objects with OpenAIResponseChatFormatter first"
            )
        request: dict[str, Any] = {
            "model": self.model_name,
            "input": messages,
            "stream": self.stream,
            **self.generate_kwargs,
            **kwargs,
        }
        if self.reasoning_effort and "reasoning" not in request:
            request["reasoning"] = {"effort": self.reasoning_effort}
            if self.reasoning_summary:
                request["reasoning"]["summary"] = self.reasoning_summary
        if structured_model is not None:
            if tools or tool_choice:
                logger.warning("%s: structured_model replaces tools and tool_choice", self._label)
            request.pop("tools", None)
            request.pop("tool_choice", None)
            request["text"] = {
                "format": {
                    "type": "json_schema",
                    "name": structured_model.__name__,
                    "schema": structured_model.model_json_schema(),
                    "strict": True,
                }
            }
        else:
            if tools:
                request["tools"] = response_tools(tools)
            if tool_choice:
                self._validate_tool_choice(tool_choice, tools)
                request["tool_choice"] = response_tool_choice(tool_choice)
        check_model_request_allowed(self.base_url, self._label)
        import openai

        started = time.monotonic()
        self.client = self._clients.current(self.client)
        try:
            response = await self.client.responses.create(**request)
        except openai.APIError as exc:
            raise to_model_error(exc, self._site, attempts=1) from exc
        if self.stream:
            stream = self._stream(response, started, structured_model)
            return guarded(stream, self._site, (openai.APIError,))
        return self._parse(response, started, structured_model)

    def _parse(self, response: Any, started: float, structured_model: Any) -> ChatResponse:
        blocks: list[ResponseBlock] = []
        metadata: dict[str, Any] | None = None
        for item in response.output or []:
            kind = getattr(item, "type", None)
            if kind == "reasoning":
                for summary in getattr(item, "summary", None) or []:
                    if getattr(summary, "text", ""):
                        blocks.append({"type": "thinking", "thinking": summary.text})
            elif kind == "message":
                for part in getattr(item, "content", None) or []:
                    if getattr(part, "type", None) == "output_text":
                        blocks.append({"type": "text", "text": part.text})
                        if structured_model is not None:
                            metadata = parse_partial_object(part.text)
            elif kind == "function_call":
                call_id = str_id(getattr(item, "call_id", None)) or str_id(item.id) or ""
                args = parse_partial_object(getattr(item, "arguments", "") or "{}") or {}
                blocks.append({"type": "tool_use", "id": call_id, "name": item.name, "input": args})
        result = ChatResponse(content=blocks, usage=_usage(response, started), metadata=metadata)
        response_id = str_id(getattr(response, "id", None))
        if response_id:
            result.id = response_id
        return result

    async def _stream(
        self, response: Any, started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        text, thinking = "", ""
        calls: dict[str, dict[str, str]] = {}
        response_id: str | None = None
        usage: ChatUsage | None = None
        last: list[ResponseBlock] = []
        metadata: dict[str, Any] | None = None
        async for event in response:
            kind = event.type
            response_id = response_id or str_id(
                getattr(getattr(event, "response", None), "id", None)
            )
            if kind == "response.reasoning_summary_text.delta":
                thinking += event.delta
            elif kind == "response.output_text.delta":
                text += event.delta
            elif kind == "response.output_item.added":
                item = event.item
                if getattr(item, "type", None) == "function_call":
                    call_id = str_id(getattr(item, "call_id", None)) or str(item.id)
                    calls[item.id] = {"id": call_id, "name": getattr(item, "name", ""), "raw": ""}
            elif kind == "response.function_call_arguments.delta":
                if event.item_id in calls:
                    calls[event.item_id]["raw"] += event.delta
            elif kind == "response.completed":
                usage = _usage(event.response, started)
            elif kind in ("response.failed", "error"):
                error = getattr(getattr(event, "response", None), "error", None) or event
                raise self._site.error(f"the response failed: {getattr(error, 'message', error)}")
            blocks = self._blocks(thinking, text, calls, parse=self.stream_tool_parsing)
            if structured_model is not None and text:
                metadata = parse_partial_object(text)
            if blocks:
                last = blocks
                yield self._chunk(blocks, usage, response_id, metadata)
        if last and calls and not self.stream_tool_parsing:
            yield self._chunk(
                self._blocks(thinking, text, calls, parse=True), usage, response_id, metadata
            )

    @staticmethod
    def _blocks(
        thinking: str, text: str, calls: dict[str, dict[str, str]], *, parse: bool
    ) -> list[ResponseBlock]:
        blocks: list[ResponseBlock] = []
        if thinking:
            blocks.append({"type": "thinking", "thinking": thinking})
        if text:
            blocks.append({"type": "text", "text": text})
        for call in calls.values():
            args = (parse_partial_object(call["raw"] or "{}") or {}) if parse else {}
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call["id"],
                    "name": call["name"],
                    "input": args,
                    "raw_input": call["raw"],  # type: ignore[typeddict-unknown-key]
                }
            )
        return blocks

    @staticmethod
    def _chunk(
        blocks: list[ResponseBlock],
        usage: ChatUsage | None,
        response_id: str | None,
        metadata: dict[str, Any] | None,
    ) -> ChatResponse:
        chunk = ChatResponse(content=blocks, usage=usage, metadata=metadata)
        if response_id:
            chunk.id = response_id
        return chunk

    def __repr__(self) -> str:
        return f"OpenAIResponseModel(model_name={self.model_name!r}, stream={self.stream!r})"


def _usage(response: Any, started: float) -> ChatUsage | None:
    usage = getattr(response, "usage", None)
    if not usage:
        return None
    tokens_in = getattr(usage, "input_tokens", 0)
    tokens_out = getattr(usage, "output_tokens", 0)
    if not isinstance(tokens_in, int) or not isinstance(tokens_out, int):
        return None
    return ChatUsage(tokens_in, tokens_out, time.monotonic() - started)
