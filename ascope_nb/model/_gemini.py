"""``GeminiChatModel``: Gemini through the official ``google-genai`` SDK (AgentScope 1.x API).

The SDK is an optional dependency: ``pip install 'ascope-nb[gemini]'``. Format messages with
``GeminiChatFormatter`` (or ``GeminiMultiAgentFormatter``).
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

from .._guard import check_model_request_allowed
from ..exceptions import ConfigError
from ..message import ToolUseBlock
from ._base import ChatModelBase, ToolChoice, check_messages
from ._openai_errors import CallSite
from ._partial_json import parse_partial_object
from ._response import ChatResponse, ChatUsage, ResponseBlock
from ._vendor import LoopClient, client_kwargs_from, guarded, resolve_key, str_id, vendor_error

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
KEY_ENV = ("GEMINI_API_KEY", "GOOGLE_API_KEY")


def import_genai() -> Any:
    """The ``google.genai`` module, or a one-line ``ConfigError`` saying how to install it."""
    try:
        from google import genai
    except ImportError:
        raise ConfigError(
            "GeminiChatModel needs the google-genai package: pip install 'ascope-nb[gemini]'"
        ) from None
    return genai


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``#/$defs/...`` references replaced by their definitions (Gemini
    rejects ``$ref``); a circular reference becomes a described ``object``.

    Example:
        >>> s = {"properties": {"p": {"$ref": "#/$defs/P"}}, "$defs": {"P": {"type": "string"}}}
        >>> inline_refs(s)
        {'properties': {'p': {'type': 'string'}}}
    """
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})

    def resolve(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in seen:
                logger.warning("circular reference to %r in a tool schema", name)
                return {"type": "object", "description": f"(circular: {name})"}
            if name in defs:
                out = resolve(defs[name], seen | {name})
                out.update({k: resolve(v, seen | {name}) for k, v in node.items() if k != "$ref"})
                return out
            return node
        return {k: resolve(v, seen) for k, v in node.items()}

    result: dict[str, Any] = resolve(schema, frozenset())
    return result


class GeminiChatModel(ChatModelBase):
    """A Gemini model through ``generateContent`` / ``streamGenerateContent``.

    Args:
        model_name: E.g. ``"gemini-2.5-flash"``.
        api_key: The key; defaults to ``$GEMINI_API_KEY`` or ``$GOOGLE_API_KEY``.
        stream: Return an async generator of cumulative chunks (the default).
        thinking_config: E.g. ``{"include_thoughts": True, "thinking_budget": 1024}``.
        client_kwargs: Passed to ``genai.Client`` (``http_options={"base_url": ...}``...).
        generate_kwargs: Put in every request's ``config`` (``temperature``...).

    Example:
        >>> model = GeminiChatModel("gemini-2.5-flash", api_key="AIza-test")
        >>> model.stream, model.thinking_config
        (True, None)
    """

    def __init__(
        self,
        model_name: str,
        api_key: str | None = None,
        stream: bool = True,
        thinking_config: dict[str, Any] | None = None,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        client_kwargs = client_kwargs_from(
            client_kwargs, kwargs, owner="GeminiChatModel", log=logger
        )
        genai = import_genai()
        super().__init__(model_name, stream)
        ckw = dict(client_kwargs or {})
        options = ckw.get("http_options")
        base = options.get("base_url") if isinstance(options, dict) else None
        base = base or getattr(options, "base_url", None)
        self.base_url = str(base or DEFAULT_BASE_URL).rstrip("/")
        key = resolve_key(api_key, KEY_ENV, self._label, base_url=base)
        self._clients = LoopClient(lambda: genai.Client(api_key=key or "EMPTY", **ckw))
        self.client: Any = self._clients.own
        self.thinking_config = thinking_config
        self.generate_kwargs: dict[str, Any] = dict(generate_kwargs or {})

    @property
    def _label(self) -> str:
        return f"GeminiChatModel {self.model_name!r}"

    @property
    def _site(self) -> CallSite:
        return CallSite(self._label, self.base_url, "GEMINI_API_KEY")

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        structured_model: type[Any] | None = None,
        **config_kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Send formatted ``contents``; a ``ChatResponse`` or, streaming, cumulative chunks.

        With ``structured_model`` the reply is JSON of its schema (``response_schema``); the
        parsed object becomes ``ChatResponse.metadata``.

        Raises:
            ModelCallError: One line naming the model and the cause.
        """
        check_messages(messages, "GeminiChatModel", formatter="GeminiChatFormatter")
        config: dict[str, Any] = {
            "thinking_config": self.thinking_config,
            **self.generate_kwargs,
            **config_kwargs,
        }
        if tools:
            config["tools"] = self._format_tools_json_schemas(tools)
        if tool_choice:
            if tool_choice == "any":
                tool_choice = "required"
            self._validate_tool_choice(tool_choice, tools)
            config["tool_config"] = _tool_config(tool_choice)
        if structured_model is not None:
            if tools or tool_choice:
                logger.warning("%s: structured_model replaces tools and tool_choice", self._label)
            config.pop("tools", None)
            config.pop("tool_config", None)
            config["response_mime_type"] = "application/json"
            config["response_schema"] = structured_model
        request = {"model": self.model_name, "contents": messages, "config": config}
        check_model_request_allowed(self.base_url, self._label)
        started = time.monotonic()
        errors = _sdk_errors()
        self.client = self._clients.current(self.client)
        try:
            if self.stream:
                response = await self.client.aio.models.generate_content_stream(**request)
                stream = self._stream(response, started, structured_model)
                return guarded(stream, self._site, errors)
            response = await self.client.aio.models.generate_content(**request)
        except errors as exc:
            raise vendor_error(exc, self._site) from exc
        return self._parse(response, started, structured_model)

    def _format_tools_json_schemas(self, schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """OpenAI-style tool schemas as one Gemini ``function_declarations`` tool."""
        declarations = []
        for schema in schemas:
            if "function" not in schema:
                continue
            function = dict(schema["function"])
            if "parameters" in function:
                function["parameters"] = inline_refs(function["parameters"])
            declarations.append(function)
        return [{"function_declarations": declarations}]

    def _parse(self, response: Any, started: float, structured_model: Any) -> ChatResponse:
        blocks: list[ResponseBlock] = []
        calls: list[ToolUseBlock] = []
        text_signature: str | None = None
        for part in _parts(response):
            if part.text:
                kind = "thinking" if part.thought else "text"
                piece: Any = {"type": kind, kind: part.text}
                blocks.append(piece)
            signature = _signature(part)
            if part.function_call:
                calls.append(_call(part.function_call, signature, len(calls)))
            elif signature:
                text_signature = signature
        if text_signature:
            for block in reversed(blocks):
                if block["type"] == "text":
                    block["thought_signature"] = text_signature  # type: ignore[typeddict-unknown-key]
                    break
        result = ChatResponse(content=blocks + calls, usage=_usage(response, started))  # type: ignore[operator]
        if structured_model is not None:
            text = getattr(response, "text", None)
            if isinstance(text, str) and text:
                result.metadata = parse_partial_object(text)
        response_id = str_id(getattr(response, "response_id", None))
        if response_id:
            result.id = response_id
        return result

    async def _stream(
        self, response: Any, started: float, structured_model: Any
    ) -> AsyncGenerator[ChatResponse, None]:
        text, thinking = "", ""
        calls: list[ToolUseBlock] = []
        text_signature: str | None = None
        response_id: str | None = None
        finished = False
        async for chunk in response:
            candidates = getattr(chunk, "candidates", None) or []
            finished = finished or any(getattr(c, "finish_reason", None) for c in candidates)
            for part in _parts(chunk):
                if part.text:
                    if part.thought:
                        thinking += part.text
                    else:
                        text += part.text
                signature = _signature(part)
                if part.function_call:
                    calls.append(_call(part.function_call, signature, len(calls)))
                elif signature:
                    text_signature = signature
            blocks: list[ResponseBlock] = []
            if thinking:
                blocks.append({"type": "thinking", "thinking": thinking})
            if text:
                text_block: Any = {"type": "text", "text": text}
                if text_signature:
                    text_block["thought_signature"] = text_signature
                blocks.append(text_block)
            response_id = response_id or str_id(getattr(chunk, "response_id", None))
            result = ChatResponse(content=blocks + list(calls), usage=_usage(chunk, started))
            if response_id:
                result.id = response_id
            if structured_model is not None and text:
                result.metadata = parse_partial_object(text)
            yield result
        if not finished:  # Gemini's last chunk has a finish reason; a cut stream has none
            raise self._site.error(
                f"the stream from {self.base_url} broke off before its finish reason"
            )

    def __repr__(self) -> str:
        return f"GeminiChatModel(model_name={self.model_name!r}, stream={self.stream!r})"


def _sdk_errors() -> tuple[type[BaseException], ...]:
    """The SDK's errors and its transports' (httpx, or aiohttp when installed)."""
    import httpx
    from google.genai import errors

    found: list[type[BaseException]] = [errors.APIError, httpx.HTTPError]
    try:
        import aiohttp
    except ImportError:
        return tuple(found)
    return (*found, aiohttp.ClientError)


def _tool_config(tool_choice: str) -> dict[str, Any]:
    mode = {"auto": "AUTO", "none": "NONE", "required": "ANY"}.get(tool_choice)
    if mode:
        return {"function_calling_config": {"mode": mode}}
    return {"function_calling_config": {"mode": "ANY", "allowed_function_names": [tool_choice]}}


def _parts(response: Any) -> list[Any]:
    candidates = getattr(response, "candidates", None)
    if not candidates:
        return []
    content = getattr(candidates[0], "content", None)
    return list(getattr(content, "parts", None) or []) if content else []


def _signature(part: Any) -> str | None:
    raw = getattr(part, "thought_signature", None)
    return base64.b64encode(raw).decode() if isinstance(raw, bytes) and raw else None


def _call(function_call: Any, signature: str | None, index: int) -> ToolUseBlock:
    """A ``tool_use`` block; Gemini sends no id, so the thought signature (when there is
    one) or ``call_{index}`` stands for it, as in AgentScope 1.x."""
    args = dict(function_call.args or {})
    call_id = signature or str_id(getattr(function_call, "id", None)) or f"call_{index}"
    block = ToolUseBlock(
        type="tool_use",
        id=call_id,
        name=function_call.name,
        input=args,
        raw_input=json.dumps(args, ensure_ascii=False),  # type: ignore[typeddict-unknown-key]
    )
    if signature:
        block["thought_signature"] = signature  # type: ignore[typeddict-unknown-key]
    return block


def _usage(response: Any, started: float) -> ChatUsage | None:
    meta = getattr(response, "usage_metadata", None)
    if not meta:
        return None
    prompt = getattr(meta, "prompt_token_count", None)
    total = getattr(meta, "total_token_count", None)
    if isinstance(prompt, int) and isinstance(total, int):
        return ChatUsage(prompt, total - prompt, time.monotonic() - started)
    return None
