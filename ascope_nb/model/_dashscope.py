"""``DashScopeChatModel``: Qwen and other DashScope models through the native ``dashscope`` SDK.

As in AgentScope 1.x it calls ``dashscope.aigc.generation.AioGeneration.call`` (or
``dashscope.AioMultiModalConversation.call`` for ``-vl`` / ``qvq`` models) with the
messages of ``DashScopeChatFormatter``. The SDK is an optional dependency:
``pip install 'ascope-nb[dashscope]'``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from .._guard import check_model_request_allowed
from ..exceptions import ConfigError, ModelCallError
from ..message._text import parts_text
from ..redact import register_secrets_in
from ._base import ChatModelBase, ToolChoice, check_messages
from ._layouts import dashscope_to_openai, to_dashscope
from ._native import (
    ToolCallAccumulator,
    backoff,
    prepend,
    reply_blocks,
    structured_tool,
    validated,
)
from ._response import ChatResponse, ChatUsage, ResponseBlock

logger = logging.getLogger(__name__)

NATIVE_URL = "https://dashscope.aliyuncs.com/api/v1"
_RETRYABLE = (408, 409, 429, 500, 502, 503, 504)


def import_dashscope() -> Any:
    """The ``dashscope`` module, or a one-line ``ConfigError`` saying how to install it."""
    try:
        import dashscope
    except ImportError:
        raise ConfigError(
            "DashScopeChatModel needs the dashscope package: pip install 'ascope-nb[dashscope]'"
        ) from None
    return dashscope


class DashScopeChatModel(ChatModelBase):
    """Qwen and other DashScope (Alibaba Cloud Model Studio) models, native API.

    Args:
        model_name: E.g. ``"qwen-max"``, ``"qwen3-235b-a22b"``, ``"qwen-vl-max"``.
        api_key: Defaults to ``$DASHSCOPE_API_KEY``; required.
        stream: Stream cumulative chunks (forced on when ``enable_thinking``).
        enable_thinking: Sent as ``enable_thinking`` (Qwen3, QwQ, DeepSeek-R1).
        multimodality: ``True`` calls the multimodal API, ``False`` the text API, ``None``
            picks the multimodal one for ``-vl`` and ``qvq`` models.
        generate_kwargs: Sent with every request (``temperature``, ``seed``, ...).
        base_http_api_url: Another region's API root, e.g.
            ``"https://dashscope-intl.aliyuncs.com/api/v1"``. A ``.../compatible-mode/v1``
            URL (or ``client_kwargs={"base_url": ...}``) uses DashScope's
            OpenAI-compatible endpoint through the ``openai`` package instead.
        stream_tool_parsing: Parse partial tool arguments while streaming (else ``{}``
            until the final chunk).
        max_retries: Retries after the first attempt on HTTP 429 / 5xx / connection errors.
        retry_base_delay: First backoff delay in seconds; doubles each retry.
        **kwargs: ``client_kwargs`` (OpenAI-compatible mode only); others are ignored.

    ``$DASHSCOPE_API_HEADERS`` (a JSON object) adds HTTP headers to every request.

    Example:
        >>> model = DashScopeChatModel("qwen-max", api_key="sk-...", stream=False)
        >>> model.base_url
        'https://dashscope.aliyuncs.com/api/v1'
    """

    key_env = "DASHSCOPE_API_KEY"

    def __init__(
        self,
        model_name: str,
        api_key: str | None = None,
        stream: bool = True,
        enable_thinking: bool | None = None,
        multimodality: bool | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        base_http_api_url: str | None = None,
        stream_tool_parsing: bool = True,
        *,
        max_retries: int = 3,
        retry_base_delay: float = 0.5,
        **kwargs: Any,
    ) -> None:
        key = api_key or os.environ.get(self.key_env)
        if not key:
            raise ConfigError(
                f"DashScopeChatModel {model_name!r}: no API key - pass api_key=... "
                f"or set {self.key_env}"
            )
        if enable_thinking and not stream:
            logger.info("DashScopeChatModel: enable_thinking needs streaming; stream=True is used")
            stream = True
        super().__init__(model_name, stream)
        self.api_key = key
        self.enable_thinking = enable_thinking
        self.multimodality = multimodality
        self.generate_kwargs: dict[str, Any] = dict(generate_kwargs or {})
        self.stream_tool_parsing = stream_tool_parsing
        self.base_http_api_url = base_http_api_url
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self._headers = _env_headers()
        register_secrets_in({"api_key": key, "headers": self._headers})
        client_kwargs = kwargs.pop("client_kwargs", None) or kwargs.pop("client_args", None)
        self._compatible: Any = None
        if (client_kwargs and client_kwargs.get("base_url")) or "compatible-mode" in (
            base_http_api_url or ""
        ):
            from ._presets import CompatibleDashScope

            ckw = dict(client_kwargs or {})
            ckw.setdefault("base_url", base_http_api_url)
            self._compatible = CompatibleDashScope(
                model_name,
                api_key=key,
                stream=stream,
                enable_thinking=enable_thinking,
                generate_kwargs=self.generate_kwargs,
                stream_tool_parsing=stream_tool_parsing,
                client_kwargs=ckw,
                max_retries=max_retries,
                retry_base_delay=retry_base_delay,
                **kwargs,
            )
        elif kwargs:
            logger.warning("DashScopeChatModel ignores unknown arguments %r", sorted(kwargs))

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        if self._compatible is not None:
            return str(self._compatible.base_url)
        url = self.base_http_api_url or os.environ.get("DASHSCOPE_HTTP_BASE_URL") or NATIVE_URL
        return url.rstrip("/")

    @property
    def _label(self) -> str:
        return f"DashScopeChatModel {self.model_name!r}"

    def _multimodal(self) -> bool:
        if self.multimodality is not None:
            return self.multimodality
        return self.model_name.startswith("qvq") or "-vl" in self.model_name

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        structured_model: type[Any] | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Send formatted messages; a ``ChatResponse`` or, when streaming, cumulative chunks.

        Args:
            messages: Messages from ``DashScopeChatFormatter``; OpenAI-layout messages (e.g.
                from ``OpenAIChatFormatter``) are turned into DashScope's layout.
            tools: Tool JSON schemas (``{"type": "function", "function": {...}}``).
            tool_choice: ``"auto"``, ``"none"`` or a tool name; ``"required"`` / ``"any"``
                become ``"auto"`` (DashScope has no "required").
            structured_model: A pydantic model: requested as a forced call of the tool
                ``generate_structured_output``; the validated arguments become
                ``ChatResponse.metadata``. Tools are not sent with it.
            **kwargs: Extra request fields for this call.

        Raises:
            ModelCallError: The request failed (after retries) or the reply does not match
                ``structured_model``. It is a ``RuntimeError``, as in AgentScope.
        """
        if self._compatible is not None:
            return await self._compatible(  # type: ignore[no-any-return]
                dashscope_to_openai(messages), tools, tool_choice, structured_model, **kwargs
            )
        dashscope = import_dashscope()
        request = self._build_request(messages, tools, tool_choice, structured_model, kwargs)
        check_model_request_allowed(self.base_url, self._label)
        if self._multimodal():
            call = dashscope.AioMultiModalConversation.call
        else:
            call = dashscope.aigc.generation.AioGeneration.call
        started = time.monotonic()
        response = await self._send(call, request)
        if self.stream:
            return self._stream(response, started, structured_model)
        return self._parse(response, started, structured_model)

    def _build_request(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        tool_choice: ToolChoice | None,
        structured_model: type[Any] | None,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        check_messages(messages, "DashScopeChatModel", formatter="DashScopeChatFormatter")
        request: dict[str, Any] = {
            "messages": to_dashscope(messages),
            "model": self.model_name,
            "stream": self.stream,
            "result_format": "message",
            "incremental_output": self.stream,  # each chunk carries only what is new
            **self.generate_kwargs,
            **extra,
        }
        for schema in tools or []:
            if not (isinstance(schema, dict) and schema.get("type") == "function"):
                raise ConfigError(
                    f"each tool schema must be a dict with 'type': 'function' and a "
                    f"'function' key, got {schema!r}"[:300]
                )
        if tools:
            request["tools"] = tools
        if tool_choice:
            if tool_choice in ("any", "required"):
                logger.warning("DashScope has no tool_choice %r; 'auto' is sent", tool_choice)
                tool_choice = "auto"
            self._validate_tool_choice(tool_choice, tools)
            request["tool_choice"] = _tool_choice(tool_choice)
        if self.enable_thinking is not None and "enable_thinking" not in request:
            request["enable_thinking"] = self.enable_thinking
        if structured_model is not None:
            if tools or tool_choice:
                logger.warning("structured_model given: tools and tool_choice are not sent")
            tool = structured_tool(structured_model)
            request["tools"] = [tool]
            request["tool_choice"] = _tool_choice(tool["function"]["name"])
        if self._headers:
            request["headers"] = {**self._headers, **(request.get("headers") or {})}
        if self.base_http_api_url:
            request.setdefault("base_address", self.base_http_api_url)
        return request

    async def _send(self, call: Any, request: dict[str, Any]) -> Any:
        """Call the SDK, retrying 429 / 5xx answers and connection errors with backoff.

        A stream is opened up to its first chunk, so its status can be retried too.
        """
        await _close_session_with_loop()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await call(api_key=self.api_key, **request)
                first = None
                if self.stream:
                    response = _aiter(response)
                    first = await anext(response, None)
                status = getattr(first if self.stream else response, "status_code", 200)
            except (OSError, asyncio.TimeoutError) as exc:
                if attempt > self.max_retries:
                    raise self._error(f"cannot reach {self.base_url} ({exc})") from exc
                status = None
            except Exception as exc:
                if "aiohttp" not in type(exc).__module__ or attempt > self.max_retries:
                    raise
                status = None
            if status is None or (status in _RETRYABLE and attempt <= self.max_retries):
                await backoff(attempt, self.retry_base_delay, self._label, logger)
                continue
            if self.stream:
                return prepend(first, response)
            return response

    def _error(self, what: str) -> ModelCallError:
        from ._openai_errors import CallSite

        return CallSite(self._label, self.base_url, self.key_env).error(what)

    def _status_error(self, response: Any) -> ModelCallError:
        status = response.status_code
        code = getattr(response, "code", "") or ""
        message = getattr(response, "message", "") or ""
        detail = f"{code}: {message}" if isinstance(code, str) and code else str(message)
        if status in (401, 403):
            return self._error(
                f"authentication failed (HTTP {status}) at {self.base_url} - check api_key / "
                f"{self.key_env}: {detail}"
            )
        return self._error(f"request failed (HTTP {status}) at {self.base_url}: {detail}")

    def _parse(self, response: Any, started: float, structured_model: Any) -> ChatResponse:
        if response.status_code != 200:
            raise self._status_error(response)
        message = response.output.choices[0].message
        reasoning = message.get("reasoning_content")
        thinking = reasoning if isinstance(reasoning, str) else ""
        blocks = reply_blocks(thinking, _text_of(message.get("content")))
        calls = ToolCallAccumulator()
        for i, call in enumerate(message.get("tool_calls") or []):
            calls.add(
                i, call.get("id"), call["function"].get("name"), call["function"].get("arguments")
            )
        blocks.extend(calls.blocks(final=True, streaming=False))
        result = _response(blocks, _usage(response, started), _id_of(response))
        return validated(result, structured_model, self._error)

    async def _stream(
        self, response: AsyncIterator[Any], started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        thinking, text = "", ""
        calls = ToolCallAccumulator()
        usage: ChatUsage | None = None
        request_id: str | None = None
        last: ChatResponse | None = None
        async for chunk in response:
            if chunk.status_code != 200:
                raise self._status_error(chunk)
            request_id = request_id or _id_of(chunk)
            message = chunk.output.choices[0].message
            reasoning = message.get("reasoning_content")
            if isinstance(reasoning, str):
                thinking += reasoning
            text += _text_of(message.get("content"))
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                calls.add(
                    call.get("index", 0),
                    call.get("id"),
                    function.get("name"),
                    function.get("arguments"),
                )
            usage = _usage(chunk, started) or usage
            blocks = reply_blocks(thinking, text)
            blocks.extend(calls.blocks(final=False, streaming=self.stream_tool_parsing))
            if blocks:
                chunk_response = _response(blocks, usage, request_id)
                if structured_model is not None:
                    chunk_response.metadata = calls.first_input()
                if last is None or _differs(chunk_response, last):
                    last = chunk_response
                    yield last
        if last is None:
            return
        final_blocks: list[ResponseBlock] = [b for b in last.content if b["type"] != "tool_use"]
        final_blocks.extend(calls.blocks(final=True, streaming=True))
        final = validated(_response(final_blocks, usage, request_id), structured_model, self._error)
        if _differs(final, last):
            yield final

    def __repr__(self) -> str:
        return (
            f"DashScopeChatModel(model_name={self.model_name!r}, stream={self.stream!r}, "
            f"base_url={self.base_url!r})"
        )


def _differs(a: ChatResponse, b: ChatResponse) -> bool:
    """Whether chunk ``a`` tells more than chunk ``b`` (content, metadata or token counts)."""
    tokens = [(u.input_tokens, u.output_tokens) if u else None for u in (a.usage, b.usage)]
    return (a.content, a.metadata, tokens[0]) != (b.content, b.metadata, tokens[1])


def _tool_choice(choice: str) -> str | dict[str, Any]:
    if choice in ("auto", "none"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def _text_of(content: Any) -> str:
    """A DashScope message's text: a string, or the text parts of a multimodal list."""
    return parts_text(content, separator="")


def _usage(response: Any, started: float) -> ChatUsage | None:
    usage = getattr(response, "usage", None)
    if not usage:
        return None
    try:
        tokens_in = int(getattr(usage, "input_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "output_tokens", 0) or 0)
    except (TypeError, ValueError):
        return None
    return ChatUsage(tokens_in, tokens_out, time.monotonic() - started)


def _id_of(response: Any) -> str | None:
    """The server's request id (the reply's id, as in AgentScope), if it sent one."""
    request_id = getattr(response, "request_id", None)
    return request_id if isinstance(request_id, str) and request_id else None


def _response(
    blocks: list[ResponseBlock], usage: ChatUsage | None, request_id: str | None
) -> ChatResponse:
    result = ChatResponse(content=blocks, usage=usage)
    if request_id:
        result.id = request_id
    return result


def _env_headers() -> dict[str, str]:
    raw = os.environ.get("DASHSCOPE_API_HEADERS")
    if not raw:
        return {}
    try:
        headers = json.loads(raw)
    except json.JSONDecodeError:
        headers = None
    if not isinstance(headers, dict):
        logger.warning("DASHSCOPE_API_HEADERS is not a JSON object; ignored")
        return {}
    return {str(k): str(v) for k, v in headers.items()}


async def _aiter(response: Any) -> AsyncIterator[Any]:
    """The SDK's stream as an async iterator (some SDK versions return a plain generator)."""
    if hasattr(response, "__aiter__"):
        async for item in response:
            yield item
    else:
        for item in response:
            yield item


_session_closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
    weakref.WeakKeyDictionary()
)


async def _close_session_with_loop() -> None:
    """Close the DashScope SDK's shared aiohttp session of this loop when the loop shuts
    down (``asyncio.run`` finalises async generators before closing the loop): the SDK
    never closes it, so every script ended with "Unclosed client session" warnings."""
    loop = asyncio.get_running_loop()
    if loop in _session_closers:
        return

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            import dashscope

            try:
                close: Any = dashscope.close_shared_aio_session  # a coroutine function
                await close()
            except Exception:  # closing is best effort: never fail the loop's shutdown
                logger.debug("dashscope: closing the shared session failed", exc_info=True)

    parked = closer()
    await anext(parked)  # parked at its yield until the loop's shutdown_asyncgens()
    _session_closers[loop] = parked
