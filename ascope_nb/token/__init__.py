"""Token counters (AgentScope 1.x ``agentscope.token``): how big a formatted prompt is."""

from ._anthropic import AnthropicTokenCounter
from ._char import CharTokenCounter, TokenCounterBase
from ._openai import OpenAITokenCounter

__all__ = ["TokenCounterBase", "CharTokenCounter", "AnthropicTokenCounter", "OpenAITokenCounter"]
