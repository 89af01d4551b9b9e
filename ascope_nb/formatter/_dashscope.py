"""DashScope names of the OpenAI formatters (DashScope's compatible mode speaks OpenAI)."""

from __future__ import annotations

from ._openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter


class DashScopeChatFormatter(OpenAIChatFormatter):
    """``OpenAIChatFormatter`` under AgentScope's DashScope name, for ``DashScopeChatModel``.

    Example:
        >>> isinstance(DashScopeChatFormatter(), OpenAIChatFormatter)
        True
    """


class DashScopeMultiAgentFormatter(OpenAIMultiAgentFormatter):
    """``OpenAIMultiAgentFormatter`` under AgentScope's DashScope name.

    Example:
        >>> isinstance(DashScopeMultiAgentFormatter(), OpenAIMultiAgentFormatter)
        True
    """
