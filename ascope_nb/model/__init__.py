"""Chat models: the base interface, responses, OpenAI-compatible, DashScope and Ollama clients."""

from ._base import ChatModelBase
from ._dashscope import DashScopeChatModel
from ._ollama import OllamaChatModel
from ._openai import OpenAIChatModel
from ._response import ChatResponse, ChatUsage
from ._spec import model_from_spec

_LAZY = {
    "LocalModel": "._local",
    "SchemaToolModel": "._schema_model",
    "DemoModel": "._demo",
    "AnthropicChatModel": "._anthropic",
    "GeminiChatModel": "._gemini",
    "OpenAIResponseModel": "._openai_response",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'ascope_nb.model' has no attribute {name!r}")


__all__ = [
    "ChatModelBase",
    "ChatResponse",
    "ChatUsage",
    "OpenAIChatModel",
    "DashScopeChatModel",
    "OllamaChatModel",
    "model_from_spec",
    "LocalModel",
    "SchemaToolModel",
    "DemoModel",
    "AnthropicChatModel",
    "GeminiChatModel",
    "OpenAIResponseModel",
]
