"""API keys of the voice models: taken from the argument or the vendor's variable, checked
when the model is made (one clear line), and registered for redaction."""

from __future__ import annotations

import os

from ..exceptions import ConfigError
from ..redact import register_secret


def require_key(api_key: str | None, *, env: str, who: str) -> str:
    """``api_key``, else ``$env``; ConfigError naming both when neither is set.

    Example:
        >>> require_key("k-123", env="OPENAI_API_KEY", who="OpenAITTSModel")
        'k-123'
    """
    key = (api_key or os.environ.get(env) or "").strip()
    if not key:
        raise ConfigError(f"{who}: no API key (pass api_key= or set {env})")
    register_secret(key)
    return key


def set_dashscope_key(api_key: str | None, *, who: str) -> None:
    """Give the ``dashscope`` SDK its key (``api_key``, else ``$DASHSCOPE_API_KEY``).

    Example:
        >>> set_dashscope_key("sk-123", who="DashScopeRealtimeTTSModel")  # doctest: +SKIP
    """
    import dashscope

    dashscope.api_key = require_key(api_key, env="DASHSCOPE_API_KEY", who=who)
