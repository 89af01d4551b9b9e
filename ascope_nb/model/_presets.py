"""DashScope and Ollama presets of ``OpenAIChatModel`` (their OpenAI-compatible endpoints).

The constructors accept what AgentScope 1.x's ``DashScopeChatModel`` and
``OllamaChatModel`` accept; arguments of their native SDKs that have no meaning for
an OpenAI-compatible endpoint (``multimodality``, ``keep_alive``) are accepted and ignored.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ..exceptions import ConfigError
from ._openai import OpenAIChatModel

DASHSCOPE_BASE_URL = "https://dashscope.aliyuncs.com/compatible-mode/v1"
OLLAMA_HOST = "http://localhost:11434"

# Ollama option names that have an OpenAI chat completions field of their own.
_OLLAMA_OPTION_FIELDS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "stop": "stop",
    "num_predict": "max_tokens",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}

logger = logging.getLogger(__name__)


def _extra_body(generate_kwargs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = dict(generate_kwargs.get("extra_body") or {})
    body.update({k: v for k, v in fields.items() if v is not None})
    return body


def _dashscope_url(base_http_api_url: str | None) -> str:
    if not base_http_api_url:
        return DASHSCOPE_BASE_URL
    url = base_http_api_url.rstrip("/")
    # AgentScope passes the native API root (".../api/v1"); its compatible twin sits beside it.
    if url.endswith("/api/v1"):
        url = url[: -len("/api/v1")] + "/compatible-mode/v1"
    return url


class DashScopeChatModel(OpenAIChatModel):
    """Qwen and other DashScope (Alibaba Cloud Model Studio) models.

    Args:
        model_name: E.g. ``"qwen-max"``, ``"qwen3-235b-a22b"``.
        api_key: Defaults to ``$DASHSCOPE_API_KEY``; required.
        stream: Stream cumulative chunks (forced on when ``enable_thinking``).
        enable_thinking: Sent as ``enable_thinking`` (Qwen3, QwQ, DeepSeek-R1).
        multimodality: Accepted for AgentScope compatibility; ignored.
        generate_kwargs: Sent with every request.
        base_http_api_url: Another region's endpoint, e.g.
            ``"https://dashscope-intl.aliyuncs.com/api/v1"`` (mapped to compatible mode).
        stream_tool_parsing: Parse partial tool arguments while streaming.
        **kwargs: Passed to ``OpenAIChatModel`` (``client_kwargs``, ``max_retries``, ...).

    Example:
        >>> model = DashScopeChatModel("qwen-max", api_key="sk-...")
        >>> model.base_url
        'https://dashscope.aliyuncs.com/compatible-mode/v1'
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
        **kwargs: Any,
    ) -> None:
        key = api_key or os.environ.get(self.key_env)
        if not key:
            raise ConfigError(
                f"DashScopeChatModel {model_name!r}: no API key - pass api_key=... "
                f"or set {self.key_env}"
            )
        gen = dict(generate_kwargs or {})
        if enable_thinking and not stream:
            logger.info("DashScopeChatModel: enable_thinking needs streaming; stream=True is used")
        client_kwargs = dict(kwargs.pop("client_kwargs", None) or {})
        client_kwargs.setdefault("base_url", _dashscope_url(base_http_api_url))
        self.enable_thinking = enable_thinking
        self.api_key = key
        super().__init__(
            model_name,
            api_key=key,
            stream=True if enable_thinking else stream,
            stream_tool_parsing=stream_tool_parsing,
            client_kwargs=client_kwargs,
            generate_kwargs=gen,
            **kwargs,
        )
        if enable_thinking is not None:  # sent with each request, not kept in generate_kwargs
            self._extra_body["enable_thinking"] = enable_thinking


def _ollama_url(host: str | None) -> str:
    url = (host or os.environ.get("OLLAMA_HOST") or OLLAMA_HOST).strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    return url if url.endswith("/v1") else url + "/v1"


class OllamaChatModel(OpenAIChatModel):
    """A model served by a local Ollama (its OpenAI-compatible ``/v1`` endpoint); no key needed.

    Args:
        model_name: E.g. ``"qwen3:8b"``.
        stream: Stream cumulative chunks (off by default, as in AgentScope 1.x).
        options: Ollama options; ``temperature``, ``top_p``, ``seed``, ``stop``,
            ``num_predict`` (as ``max_tokens``) and the penalties become request fields,
            the rest is sent as ``options`` in the body.
        keep_alive: Kept as ``.keep_alive`` for AgentScope compatibility; the ``/v1``
            endpoint does not take it.
        enable_thinking: Sent as ``think`` (qwen3, deepseek-r1, ...).
        host: The server, default ``$OLLAMA_HOST`` or ``http://localhost:11434``.
        client_kwargs: Passed to ``AsyncOpenAI``.
        generate_kwargs: Sent with every request.
        **kwargs: Passed to ``OpenAIChatModel`` (``max_retries``, ...).

    Example:
        >>> OllamaChatModel("qwen3:8b", host="http://gpu-box:11434").base_url
        'http://gpu-box:11434/v1'
    """

    key_env = "OLLAMA_API_KEY"

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
        **kwargs: Any,
    ) -> None:
        gen = dict(generate_kwargs or {})
        rest: dict[str, Any] = {}
        for name, value in (options or {}).items():
            if name in _OLLAMA_OPTION_FIELDS:
                gen.setdefault(_OLLAMA_OPTION_FIELDS[name], value)
            else:
                rest[name] = value
        if rest or enable_thinking is not None:
            gen["extra_body"] = _extra_body(gen, options=rest or None, think=enable_thinking)
        ckw = dict(client_kwargs or {})
        ckw.setdefault("base_url", _ollama_url(host))
        self.enable_thinking = enable_thinking
        self.options = options
        """The Ollama options as given (AgentScope 1.x attribute)."""
        self.think = enable_thinking
        self.keep_alive = keep_alive
        api_key = kwargs.pop("api_key", None) or os.environ.get(self.key_env) or "ollama"
        super().__init__(
            model_name,
            api_key=api_key,
            stream=stream,
            client_kwargs=ckw,
            generate_kwargs=gen,
            **kwargs,
        )
