"""Formatters: turn ``Msg`` lists into the message dicts of a model API."""

from ._a2a import A2AChatFormatter
from ._anthropic import AnthropicChatFormatter, AnthropicMultiAgentFormatter
from ._base import FormatterBase, TokenCounter, TruncatedFormatterBase
from ._dashscope import DashScopeChatFormatter, DashScopeMultiAgentFormatter
from ._deepseek import DeepSeekChatFormatter, DeepSeekMultiAgentFormatter
from ._default import formatter_for_model
from ._gemini import GeminiChatFormatter, GeminiMultiAgentFormatter
from ._ollama import OllamaChatFormatter, OllamaMultiAgentFormatter
from ._openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from ._openai_response import OpenAIResponseChatFormatter, OpenAIResponseMultiAgentFormatter

__all__ = [
    "FormatterBase",
    "TruncatedFormatterBase",
    "TokenCounter",
    "OpenAIChatFormatter",
    "OpenAIMultiAgentFormatter",
    "DashScopeChatFormatter",
    "DashScopeMultiAgentFormatter",
    "A2AChatFormatter",
    "AnthropicChatFormatter",
    "AnthropicMultiAgentFormatter",
    "DeepSeekChatFormatter",
    "DeepSeekMultiAgentFormatter",
    "GeminiChatFormatter",
    "GeminiMultiAgentFormatter",
    "OllamaChatFormatter",
    "OllamaMultiAgentFormatter",
    "OpenAIResponseChatFormatter",
    "OpenAIResponseMultiAgentFormatter",
    "formatter_for_model",
]
