"""Token counters (AgentScope 1.x ``agentscope.token``): how big a formatted prompt is."""

from ._char import CharTokenCounter, TokenCounterBase

__all__ = ["TokenCounterBase", "CharTokenCounter"]
