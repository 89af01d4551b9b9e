"""Chat models: the base interface, responses, and OpenAI-compatible clients."""

from ._base import ChatModelBase
from ._openai import OpenAIChatModel
from ._presets import DashScopeChatModel, OllamaChatModel
from ._response import ChatResponse, ChatUsage

__all__ = [
    "ChatModelBase",
    "ChatResponse",
    "ChatUsage",
    "OpenAIChatModel",
    "DashScopeChatModel",
    "OllamaChatModel",
]
