"""``OllamaChatModel``: a model served by Ollama, through the ``ollama`` SDK (AgentScope 1.x).

The SDK is an optional dependency: ``pip install 'ascope-nb[ollama]'``. For Ollama's
OpenAI-compatible ``/v1`` endpoint use ``OpenAIChatModel`` with
``client_kwargs={"base_url": "http://localhost:11434/v1"}``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from .._guard import check_model_request_allowed
from ..exceptions import ConfigError, ModelCallError
from ..redact import register_secrets_in
from ._base import ChatModelBase, ToolChoice, check_messages
from ._layouts import to_ollama
from ._native import ToolCallAccumulator, backoff, prepend, reply_blocks
from ._response import ChatResponse, ChatUsage, ResponseBlock

logger = logging.getLogger(__name__)

DEFAULT_HOST = "http://localhost:11434"
_RETRYABLE = (408, 429, 500, 502, 503, 504)


def import_ollama() -> Any:
    """The ``ollama`` module, or a one-line ``ConfigError`` saying how to install it."""
    try:
        import ollama
    except ImportError:
        raise ConfigError(
            "OllamaChatModel needs the ollama package: pip install 'ascope-nb[ollama]'"
        ) from None
    return ollama


class OllamaChatModel(ChatModelBase):
    """A model served by Ollama (``/api/chat``); no key needed.

    Args:
        model_name: E.g. ``"qwen3:8b"``.
        stream: Return an async generator of cumulative chunks (off by default, as in
            AgentScope 1.x: ``await model(msgs)`` is one ``ChatResponse``).
        options: Ollama options sent with every request (``temperature``, ``num_ctx``, ...).
        keep_alive: How long Ollama keeps the model loaded, e.g. ``"5m"``.
        enable_thinking: Sent as ``think`` (qwen3, deepseek-r1, ...); kept as ``.think``.
        host: The server; default ``$OLLAMA_HOST`` or ``http://localhost:11434``.
        client_kwargs: Passed to ``ollama.AsyncClient`` (``timeout``, ``headers``, ...).
        generate_kwargs: Sent with every request.
        max_retries: Retries after the first attempt on HTTP 429 / 5xx / connection errors.
        retry_base_delay: First backoff delay in seconds; doubles each retry.
        **kwargs: Passed to ``ollama.AsyncClient`` too.

    Example:
        >>> model = OllamaChatModel("qwen3:8b", host="http://gpu-box:11434")
        >>> model.stream, model.host
        (False, 'http://gpu-box:11434')
    """

    def __init__(
        self,
        model_name: str,
        stream: bool = False,
        options: dict[str, Any] | None = None,
        keep_alive: str = "5m",
        enable_thinking: bool | None = None,
        host: str | None = None,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        *,
        max_retries: int = 3,
        retry_base_delay: float = 0.5,
        **kwargs: Any,
    ) -> None:
        ollama = import_ollama()
        super().__init__(model_name, stream)
        self.options = options
        """The Ollama options as given (sent as ``options``)."""
        self.keep_alive = keep_alive
        self.think = enable_thinking
        self.generate_kwargs: dict[str, Any] = dict(generate_kwargs or {})
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self._client_args: dict[str, Any] = {"host": host, **(client_kwargs or {}), **kwargs}
        register_secrets_in(self._client_args)  # e.g. an Authorization header, a URL password
        self.host = (host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST).rstrip("/")
        self.client: Any = ollama.AsyncClient(**self._client_args)
        self._own_client = self.client
        self._client_loop: asyncio.AbstractEventLoop | None = None

    @property
    def enable_thinking(self) -> bool | None:
        """The same as ``think``."""
        return self.think

    def _loop_client(self) -> Any:
        """``self.client``; a fresh one of ours when the event loop changed (an httpx pool
        is tied to its loop), so repeated ``asyncio.run(...)`` calls work."""
        loop = asyncio.get_running_loop()
        if self.client is self._own_client and self._client_loop not in (None, loop):
            self.client = self._own_client = import_ollama().AsyncClient(**self._client_args)
        self._client_loop = loop
        return self.client

    @property
    def _label(self) -> str:
        return f"OllamaChatModel {self.model_name!r}"

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
            messages: Message dicts, e.g. from ``OpenAIChatFormatter``: turned into Ollama's
                layout (text content, base64 ``images``, tool-call arguments as objects).
            tools: Tool JSON schemas (``{"type": "function", "function": {...}}``).
            tool_choice: Ollama has none; ignored with a warning.
            structured_model: A pydantic model: its JSON schema is sent as ``format``; the
                validated reply becomes ``ChatResponse.metadata``.
            **kwargs: Extra request fields for this call (``format``, ``think``, ...).

        Raises:
            ModelCallError: The request failed (after retries) or the reply does not match
                ``structured_model``.
        """
        check_messages(messages, "OllamaChatModel")
        request: dict[str, Any] = {
            "model": self.model_name,
            "messages": to_ollama(messages),
            "stream": self.stream,
            "options": self.options,
            "keep_alive": self.keep_alive,
            **self.generate_kwargs,
            **kwargs,
        }
        if self.think is not None and "think" not in request:
            request["think"] = self.think
        if tools:
            request["tools"] = tools
        if tool_choice:
            logger.warning("%s: Ollama has no tool_choice; %r is ignored", self._label, tool_choice)
        if structured_model is not None:
            request["format"] = structured_model.model_json_schema()
        check_model_request_allowed(self.host, self._label)
        started = time.monotonic()
        response = await self._send(request)
        if self.stream:
            return self._stream(response, started, structured_model)
        blocks, calls = _blocks(response.message, "", "", ToolCallAccumulator())
        result = ChatResponse(content=blocks, usage=_usage(response, started))
        return self._structured(result, structured_model)

    async def _send(self, request: dict[str, Any]) -> Any:
        """Call ``client.chat``, retrying 429 / 5xx and connection errors with backoff; a
        stream is opened up to its first chunk so that its failure is retried too."""
        ollama = import_ollama()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._loop_client().chat(**request)
                if not self.stream:
                    return response
                stream = aiter(response)
                first = await anext(stream, None)
                return prepend(first, stream)
            except ollama.ResponseError as exc:
                status = getattr(exc, "status_code", None)
                if status in _RETRYABLE and attempt <= self.max_retries:
                    await backoff(attempt, self.retry_base_delay, self._label, logger)
                    continue
                what = " ".join(str(getattr(exc, "error", exc)).split())
                hint = " - is the model pulled? (ollama pull NAME)" if status == 404 else ""
                raise self._error(f"HTTP {status} from {self.host}: {what}{hint}") from exc
            except (ConnectionError, OSError) as exc:
                if attempt <= self.max_retries:
                    await backoff(attempt, self.retry_base_delay, self._label, logger)
                    continue
                raise self._error(
                    f"cannot reach {self.host} after {attempt} attempts - is Ollama running? "
                    f"({type(exc).__name__})"
                ) from exc

    def _error(self, what: str) -> ModelCallError:
        from ._openai_errors import CallSite

        return CallSite(self._label, self.host, "OLLAMA_HOST").error(what)

    def _structured(self, result: ChatResponse, structured_model: Any) -> ChatResponse:
        if structured_model is None:
            return result
        from pydantic import ValidationError

        text = "".join(b["text"] for b in result.content if b["type"] == "text")
        try:
            value = structured_model.model_validate_json(text)
        except ValidationError as exc:
            detail = " ".join(str(exc).split())[:200]
            what = f"reply does not match {structured_model.__name__}: {detail}"
            raise self._error(what) from exc
        result.metadata = value.model_dump(mode="json")
        return result

    async def _stream(
        self, response: AsyncIterator[Any], started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        thinking, text = "", ""
        calls = ToolCallAccumulator()
        last: ChatResponse | None = None
        try:
            async for chunk in response:
                message = chunk.message
                thinking += getattr(message, "thinking", None) or ""
                text += getattr(message, "content", None) or ""
                blocks, calls = _blocks(message, thinking, text, calls, cumulative=True)
                if blocks or getattr(chunk, "done", False):
                    last = ChatResponse(content=blocks, usage=_usage(chunk, started))
                    if structured_model is not None and text:
                        from ._partial_json import parse_partial_object

                        last.metadata = parse_partial_object(text)
                    if getattr(chunk, "done", False) and structured_model is not None:
                        last = self._structured(last, structured_model)
                    yield last
        except (ConnectionError, OSError) as exc:
            raise self._error(f"the stream from {self.host} broke off ({exc})") from exc

    def __repr__(self) -> str:
        return (
            f"OllamaChatModel(model_name={self.model_name!r}, stream={self.stream!r}, "
            f"host={self.host!r})"
        )


def _blocks(
    message: Any,
    thinking: str,
    text: str,
    calls: ToolCallAccumulator,
    *,
    cumulative: bool = False,
) -> tuple[list[ResponseBlock], ToolCallAccumulator]:
    """Content blocks of a reply (or of the stream so far, ``cumulative``): thinking, text,
    then the tool calls (ids ``"{index}_{name}"``, as in AgentScope; Ollama sends none)."""
    if not cumulative:
        thinking = getattr(message, "thinking", None) or ""
        text = getattr(message, "content", None) or ""
    offset = len(calls.blocks(final=True, streaming=True)) if cumulative else 0
    for i, call in enumerate(getattr(message, "tool_calls", None) or [], start=offset):
        function = call.function
        calls.add(i, f"{i}_{function.name}", function.name, dict(function.arguments or {}))
    blocks = reply_blocks(thinking, text)
    blocks.extend(calls.blocks(final=True, streaming=True))  # arguments arrive whole
    return blocks, calls


def _usage(response: Any, started: float) -> ChatUsage | None:
    tokens_in = getattr(response, "prompt_eval_count", None)
    tokens_out = getattr(response, "eval_count", None)
    if tokens_in is None and tokens_out is None:
        return None
    return ChatUsage(int(tokens_in or 0), int(tokens_out or 0), time.monotonic() - started)
