"""``OpenAIChatModel``: any OpenAI-compatible chat completions endpoint (AgentScope 1.x API)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections.abc import AsyncGenerator
from typing import Any, Literal

from .._guard import check_model_request_allowed
from ..exceptions import ConfigError, ModelCallError
from ..redact import register_secrets_in
from ._base import ChatModelBase, ToolChoice, check_messages
from ._native import STRUCTURED_TOOL, structured_tool
from ._openai_errors import CallSite, is_retryable, stream_error, to_model_error
from ._openai_parse import StreamAccumulator, completion_to_response
from ._response import ChatResponse

logger = logging.getLogger(__name__)

_MODES = {"auto": "auto", "none": "none", "required": "required", "any": "required"}


class OpenAIChatModel(ChatModelBase):
    """A chat model over the ``openai`` package, for OpenAI and any compatible server.

    Point it at vLLM, llama.cpp, LM Studio, Ollama or DashScope with
    ``client_kwargs={"base_url": ...}``. Requests are retried with exponential backoff on
    HTTP 429, 5xx and connection errors; failures raise ``ModelCallError`` with one line
    naming the model, the URL and the cause.

    Args:
        model_name: The model, e.g. ``"gpt-4o-mini"``.
        api_key: The key; defaults to ``$OPENAI_API_KEY``. Without either, a ``base_url``
            (a local server) is required and the key ``"EMPTY"`` is sent.
        stream: Return an async generator of cumulative chunks instead of one response.
        reasoning_effort: Sent as ``reasoning_effort`` (o-series, gpt-5, DeepSeek, ...).
        organization: The OpenAI organization id.
        stream_tool_parsing: Parse partial tool arguments while streaming (else ``{}``
            until the final chunk).
        client_type: ``"openai"`` or ``"azure"`` (``AsyncAzureOpenAI``).
        client_kwargs: Passed to ``AsyncOpenAI`` (``base_url``, ``timeout``, headers, ...).
        generate_kwargs: Sent with every request (``temperature``, ``seed``, ...).
        max_retries: Retries after the first attempt for retryable errors.
        retry_base_delay: First backoff delay in seconds; doubles each retry.
        retry_max_delay: Upper bound of one backoff delay in seconds.

    Example:
        >>> model = OpenAIChatModel(
        ...     "qwen2.5:7b", client_kwargs={"base_url": "http://localhost:11434/v1"}
        ... )
        >>> model.base_url
        'http://localhost:11434/v1'
    """

    key_env: str = "OPENAI_API_KEY"
    """The environment variable the API key is read from."""

    def __init__(
        self,
        model_name: str,
        api_key: str | None = None,
        stream: bool = True,
        reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"]
        | str
        | None = None,
        organization: str | None = None,
        stream_tool_parsing: bool = True,
        client_type: Literal["openai", "azure"] = "openai",
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        *,
        max_retries: int = 3,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 8.0,
        **kwargs: Any,
    ) -> None:
        client_args = kwargs.pop("client_args", None)
        if client_args is not None:
            if client_kwargs is not None:
                raise ConfigError("pass either client_kwargs or client_args, not both")
            client_kwargs = client_args
        if kwargs:
            logger.warning("%s ignores unknown arguments %r", type(self).__name__, sorted(kwargs))
        if client_type not in ("openai", "azure"):
            raise ConfigError(f"client_type must be 'openai' or 'azure', got {client_type!r}")
        if max_retries < 0 or retry_base_delay < 0 or retry_max_delay < 0:
            raise ConfigError("max_retries, retry_base_delay and retry_max_delay must be >= 0")
        super().__init__(model_name, stream)
        self.reasoning_effort = reasoning_effort
        self.stream_tool_parsing = stream_tool_parsing
        self.generate_kwargs: dict[str, Any] = dict(generate_kwargs or {})
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay

        ckw = dict(client_kwargs or {})
        base_url = ckw.get("base_url") or ckw.get("azure_endpoint") or self._env_base_url()
        key = api_key or os.environ.get(self.key_env)
        if not key:
            if not base_url:
                raise ConfigError(
                    f"{type(self).__name__} {model_name!r}: no API key - pass api_key=... or set "
                    f"{self.key_env} (for a local server give client_kwargs={{'base_url': ...}})"
                )
            key = "EMPTY"

        self._structured_output_fallback = False
        self._extra_body: dict[str, Any] = {}
        """Set once the endpoint failed ``response_format`` structured output: later calls
        ask for it as a forced tool call (AgentScope 1.x behaviour)."""
        self._client_args: dict[str, Any] = {"api_key": key, "organization": organization, **ckw}
        register_secrets_in(self._client_args)  # the key and header values never leave the kernel
        self._client_type = client_type
        self.client: Any = self._new_client()
        # An httpx pool is tied to the event loop it first ran on; one client per loop
        # keeps repeated ``asyncio.run(...)`` calls on the same model working.
        self._loop_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _new_client(self) -> Any:
        import openai

        client: Any
        if self._client_type == "azure":
            client = openai.AsyncAzureOpenAI(**self._client_args)
        else:  # AgentScope 1.x builds ``openai.AsyncClient(api_key, organization, **client_kwargs)``
            client = openai.AsyncClient(**self._client_args)
        return client.with_options(max_retries=0)  # our retry loop is the only one

    def _loop_client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._loop_clients.get(loop)
        if client is None:
            bound = any(c is self.client for c in self._loop_clients.values())
            client = self._new_client() if bound else self.client
            self._loop_clients[loop] = client
        return client

    @staticmethod
    def _env_base_url() -> str | None:
        return os.environ.get("OPENAI_BASE_URL") or None

    @property
    def base_url(self) -> str:
        """The endpoint requests go to, without a trailing slash."""
        return str(self.client.base_url).rstrip("/")

    @property
    def _site(self) -> CallSite:
        return CallSite(f"{type(self).__name__} {self.model_name!r}", self.base_url, self.key_env)

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        structured_model: type[Any] | None = None,
        **generate_kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Send formatted messages; a ``ChatResponse`` or, when streaming, cumulative chunks.

        Args:
            messages: OpenAI chat messages (the output of a formatter).
            tools: Tool JSON schemas (``{"type": "function", "function": {...}}``).
            tool_choice: ``"auto"``, ``"none"``, ``"required"`` (``"any"``) or a tool name.
            structured_model: A pydantic model; the reply is requested as JSON of that
                schema and the validated dict is put in ``ChatResponse.metadata``. Tools
                are not sent with it.
            **generate_kwargs: Extra request fields for this call (``temperature``, ...).

        Raises:
            ModelCallError: The request failed (after retries) or the stream broke off.
        """
        if structured_model is not None:
            if tools or tool_choice:
                logger.warning("structured_model given: tools and tool_choice are not sent")
            if self._structured_output_fallback:
                return await self._structured_via_tool(messages, structured_model, generate_kwargs)
            return await self._structured(messages, structured_model, generate_kwargs)
        request = self._build_request(messages, tools, tool_choice, None, generate_kwargs)
        check_model_request_allowed(self.base_url, self._site.label)
        started = time.monotonic()
        response = await self._create(request)
        if request.get("stream"):
            return self._stream(response, started, None)
        return completion_to_response(response, started=started)

    async def _structured(
        self, messages: list[dict[str, Any]], structured_model: Any, extra: dict[str, Any]
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Structured output through the SDK's ``chat.completions.parse()`` (``.stream()``
        when streaming) with ``response_format=structured_model``, as AgentScope 1.x does;
        a refused ``response_format`` or a reply that does not validate falls back to a
        forced tool call (for this and later calls)."""
        import openai
        from pydantic import ValidationError

        request = self._build_request(messages, None, None, structured_model, extra)
        check_model_request_allowed(self.base_url, self._site.label)
        started = time.monotonic()
        if self.stream:
            return self._structured_stream(request, messages, structured_model, extra, started)
        request.pop("stream", None)
        try:
            response = await self._create(
                request, passthrough=(openai.BadRequestError, ValidationError), method="parse"
            )
        except (openai.BadRequestError, ValidationError) as exc:
            return await self._fall_back(messages, structured_model, extra, exc)
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
            raise self._structured_error(structured_model, exc) from exc
        parsed = getattr(response.choices[0].message, "parsed", None) if response.choices else None
        if not isinstance(parsed, structured_model):
            mismatch = ValueError(f"the reply parsed as {type(parsed).__name__}")
            return await self._fall_back(messages, structured_model, extra, mismatch)
        result = completion_to_response(response, started=started)
        result.metadata = parsed.model_dump(mode="json")
        return result

    async def _structured_stream(
        self,
        request: dict[str, Any],
        messages: list[dict[str, Any]],
        structured_model: Any,
        extra: dict[str, Any],
        started: float,
    ) -> AsyncGenerator[ChatResponse, None]:
        import openai
        from pydantic import ValidationError

        request.pop("stream", None)
        refused = (openai.BadRequestError, ValidationError)
        try:
            chunks = self._parsed_stream_chunks(request, passthrough=refused)
            async for chunk in self._stream(
                chunks, started, structured_model, (messages, extra), passthrough=refused
            ):
                yield chunk
            return
        except refused as exc:
            retried = await self._fall_back(messages, structured_model, extra, exc)
        if isinstance(retried, ChatResponse):
            yield retried
        else:
            async for chunk in retried:
                yield chunk

    async def _parsed_stream_chunks(
        self, request: dict[str, Any], *, passthrough: tuple[type[BaseException], ...]
    ) -> AsyncGenerator[Any, None]:
        """The raw chunks of ``chat.completions.stream()``; opening it is retried like
        ``_create`` (429, 5xx, connection errors)."""
        import openai

        attempt = 0
        while True:
            attempt += 1
            manager = self._loop_client().chat.completions.stream(**request)
            try:
                stream = await manager.__aenter__()
                break
            except passthrough:
                raise
            except openai.APIError as exc:
                if not is_retryable(exc) or attempt > self.max_retries:
                    raise to_model_error(exc, self._site, attempts=attempt) from exc
                await asyncio.sleep(self._delay(attempt, exc))
        try:
            async for event in stream:
                if getattr(event, "type", None) == "chunk":
                    yield event.chunk
        finally:
            await manager.__aexit__(None, None, None)

    async def _fall_back(
        self,
        messages: list[dict[str, Any]],
        structured_model: Any,
        generate_kwargs: dict[str, Any],
        exc: Exception,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        logger.warning(
            "%s: response_format structured output failed (%s); using a tool call for it "
            "from now on",
            self._site.label,
            " ".join(str(exc).split())[:200],
        )
        self._structured_output_fallback = True
        return await self._structured_via_tool(messages, structured_model, generate_kwargs)

    async def _structured_via_tool(
        self, messages: list[dict[str, Any]], structured_model: Any, extra: dict[str, Any]
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Ask for ``structured_model`` as a call of a tool with its schema (forced; with
        ``tool_choice="auto"`` when the endpoint refuses a forced choice, as thinking
        models do); the validated arguments become ``metadata``."""
        import openai

        tool = structured_tool(structured_model)  # AgentScope's generate_structured_output
        name = tool["function"]["name"]
        request = self._build_request(messages, [tool], name, None, extra)
        check_model_request_allowed(self.base_url, self._site.label)
        started = time.monotonic()
        try:
            response = await self._create(request, passthrough=(openai.BadRequestError,))
        except openai.BadRequestError as exc:
            if "tool_choice" not in str(exc):
                raise to_model_error(exc, self._site, attempts=1) from exc
            logger.warning("%s: forced tool_choice refused; retrying with 'auto'", self._site.label)
            request["tool_choice"] = "auto"
            response = await self._create(request)
        if request.get("stream"):
            return self._tool_structured_stream(request, response, started, structured_model)
        result = completion_to_response(response, started=started)
        return self._with_tool_metadata(result, structured_model)

    async def _tool_structured_stream(
        self, request: dict[str, Any], response: Any, started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        """The stream of the structured-output tool call; a forced ``tool_choice`` refused
        in the stream itself (before any chunk) is retried once with ``"auto"``."""
        yielded = False
        try:
            async for chunk in self._tool_chunks(response, started, structured_model):
                yielded = True
                yield chunk
            return
        except ModelCallError as exc:
            if yielded or "tool_choice" not in str(exc) or request.get("tool_choice") == "auto":
                raise
        logger.warning("%s: forced tool_choice refused; retrying with 'auto'", self._site.label)
        request["tool_choice"] = "auto"
        response = await self._create(request)
        async for chunk in self._tool_chunks(response, time.monotonic(), structured_model):
            yield chunk

    async def _tool_chunks(
        self, response: Any, started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        last: ChatResponse | None = None
        async for chunk in self._stream(response, started, None):
            if last is not None:
                yield last
            last = chunk
        if last is not None:
            yield self._with_tool_metadata(last, structured_model)

    def _with_tool_metadata(self, result: ChatResponse, structured_model: Any) -> ChatResponse:
        from pydantic import ValidationError

        calls = [b for b in result.content if b.get("type") == "tool_use"]
        named = [b for b in calls if b.get("name") in (STRUCTURED_TOOL, structured_model.__name__)]
        for block in named or calls[:1]:  # with tool_choice "auto" a model may misname it
            try:
                value = structured_model.model_validate(block.get("input") or {})
            except ValidationError as exc:
                raise self._structured_error(structured_model, exc) from exc
            result.metadata = value.model_dump(mode="json")
            return result
        raise self._structured_error(
            structured_model, ValueError("the model did not call the structured-output tool")
        )

    def _build_request(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        tool_choice: ToolChoice | None,
        structured_model: type[Any] | None,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        check_messages(messages, type(self).__name__)
        request: dict[str, Any] = {
            "model": self.model_name,
            "messages": messages,
            "stream": self.stream,
            **self.generate_kwargs,
            **extra,
        }
        if self._extra_body:  # provider fields of a preset (e.g. DashScope's enable_thinking)
            request["extra_body"] = {**self._extra_body, **(request.get("extra_body") or {})}
        if self.reasoning_effort and "reasoning_effort" not in request:
            request["reasoning_effort"] = self.reasoning_effort
        if structured_model is not None:  # for parse() / stream(), which build the schema
            tools, tool_choice = None, None
            request["response_format"] = structured_model
        if tools:
            request["tools"] = tools
        if tool_choice:
            self._validate_tool_choice(tool_choice, tools)
            request["tool_choice"] = _MODES.get(
                tool_choice, {"type": "function", "function": {"name": tool_choice}}
            )
        if request.get("stream"):
            request["stream_options"] = {
                **(request.get("stream_options") or {}),
                "include_usage": True,
            }
        else:
            request.pop("stream_options", None)
        return request

    def _delay(self, attempt: int, exc: BaseException) -> float:
        delay = self.retry_base_delay * (2 ** (attempt - 1))
        response = getattr(exc, "response", None)
        retry_after = getattr(response, "headers", {}).get("retry-after") if response else None
        try:
            if retry_after is not None:
                delay = max(delay, float(retry_after))
        except ValueError:
            pass
        return min(delay, self.retry_max_delay)

    async def _create(
        self,
        request: dict[str, Any],
        *,
        passthrough: tuple[type[BaseException], ...] = (),
        method: str = "create",
    ) -> Any:
        import openai

        attempt = 0
        while True:
            attempt += 1
            try:
                return await getattr(self._loop_client().chat.completions, method)(**request)
            except passthrough:
                raise
            except openai.APIError as exc:
                if not is_retryable(exc) or attempt > self.max_retries:
                    raise to_model_error(exc, self._site, attempts=attempt) from exc
                delay = self._delay(attempt, exc)
                logger.info(
                    "%s: attempt %d failed (%s), retrying in %.2fs",
                    self._site.label,
                    attempt,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _stream(
        self,
        response: Any,
        started: float,
        structured_model: type[Any] | None,
        fallback: tuple[list[dict[str, Any]], dict[str, Any]] | None = None,
        passthrough: tuple[type[BaseException], ...] = (),
    ) -> AsyncGenerator[ChatResponse, None]:
        acc = StreamAccumulator(started=started, structured_model=structured_model)
        last: ChatResponse | None = None
        try:
            async for chunk in response:
                if not acc.add(chunk):
                    continue
                partial = acc.response(final=False)
                if not self.stream_tool_parsing:
                    for block in partial.content:
                        if block["type"] == "tool_use":
                            block["input"] = {}
                last = partial
                yield partial
        except ModelCallError:
            raise
        except passthrough:  # the caller handles these (structured-output fallback)
            raise
        except Exception as exc:  # transport errors surface here as httpx/openai errors
            raise stream_error(exc, self._site, chunks=acc.chunks) from exc
        finally:
            close = getattr(response, "close", None) or getattr(response, "aclose", None)
            if close is not None:
                await close()
        if acc.finish_reason is None:
            logger.warning(
                "%s: the stream from %s ended without a finish_reason (cut off?)",
                self._site.label,
                self.base_url,
            )
        try:
            final = acc.response(final=True)
        except ValueError as exc:
            if fallback is None:
                raise self._structured_error(structured_model, exc) from exc
            retried = await self._fall_back(fallback[0], structured_model, fallback[1], exc)
            if isinstance(retried, ChatResponse):
                yield retried
            else:
                async for chunk in retried:
                    yield chunk
            return
        if last is None or (last.content, last.metadata, last.usage) != (
            final.content,
            final.metadata,
            final.usage,
        ):  # the last chunk is already the whole answer: do not repeat it
            yield final

    def _structured_error(self, structured_model: Any, exc: Exception) -> ModelCallError:
        name = getattr(structured_model, "__name__", "the schema")
        detail = " ".join(str(exc).split())[:200]
        return self._site.error(f"reply does not match {name}: {detail}")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model_name={self.model_name!r}, stream={self.stream!r}, "
            f"base_url={self.base_url!r})"
        )
