"""Chat models: the base interface, responses, and OpenAI-compatible clients."""

from ._base import ChatModelBase
from ._openai import OpenAIChatModel
from ._presets import DashScopeChatModel, OllamaChatModel
from ._response import ChatResponse, ChatUsage
from ._spec import model_from_spec

__all__ = [
    "ChatModelBase",
    "ChatResponse",
    "ChatUsage",
    "OpenAIChatModel",
    "DashScopeChatModel",
    "OllamaChatModel",
    "model_from_spec",
]
