"""Formatters: turn ``Msg`` lists into the message dicts of a model API."""

from ._a2a import A2AChatFormatter
from ._base import FormatterBase, TokenCounter, TruncatedFormatterBase
from ._dashscope import DashScopeChatFormatter, DashScopeMultiAgentFormatter
from ._openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter

__all__ = [
    "FormatterBase",
    "TruncatedFormatterBase",
    "TokenCounter",
    "OpenAIChatFormatter",
    "OpenAIMultiAgentFormatter",
    "DashScopeChatFormatter",
    "DashScopeMultiAgentFormatter",
    "A2AChatFormatter",
]
