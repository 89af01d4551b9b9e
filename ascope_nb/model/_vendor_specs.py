"""The ``anthropic:``, ``gemini:``, ``openai-responses:`` and ``deepseek:`` model specs."""

from __future__ import annotations

import os
from typing import Any

from ._base import ChatModelBase
from ._vendor import resolve_key

DEEPSEEK_BASE_URL = "https://api.deepseek.com"


def vendor_model(provider: str, name: str, **kwargs: Any) -> ChatModelBase:
    """The model of a vendor spec; a missing key is a one-line ``ConfigError`` now.

    Example:
        >>> model = vendor_model("deepseek", "deepseek-chat", api_key="sk-test-deepseek-key")
        >>> type(model).__name__, model.formatter_name
        ('OpenAIChatModel', 'DeepSeekChatFormatter')
    """
    if provider == "anthropic":
        from ._anthropic import AnthropicChatModel

        return AnthropicChatModel(name, **kwargs)
    if provider == "gemini":
        from ._gemini import GeminiChatModel

        return GeminiChatModel(name, **kwargs)
    if provider == "openai-responses":
        from ._openai_response import OpenAIResponseModel

        return OpenAIResponseModel(name, **kwargs)
    from ._openai import OpenAIChatModel

    client_kwargs = dict(kwargs.pop("client_kwargs", None) or {})
    base_url = client_kwargs.setdefault(
        "base_url", os.environ.get("DEEPSEEK_BASE_URL") or DEEPSEEK_BASE_URL
    )
    label = f"deepseek model {name!r}"
    explicit = kwargs.pop("api_key", None)
    local = base_url != DEEPSEEK_BASE_URL
    key = resolve_key(explicit, ("DEEPSEEK_API_KEY",), label, base_url=base_url if local else None)
    model = OpenAIChatModel(name, api_key=key or "EMPTY", client_kwargs=client_kwargs, **kwargs)
    model.formatter_name = "DeepSeekChatFormatter"  # type: ignore[attr-defined]
    return model
