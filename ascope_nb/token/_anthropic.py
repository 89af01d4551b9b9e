"""``AnthropicTokenCounter``: Anthropic's own ``count_tokens`` endpoint."""

from __future__ import annotations

from typing import Any

from ._char import TokenCounterBase


class AnthropicTokenCounter(TokenCounterBase):
    """Counts the tokens of Anthropic-formatted messages with ``messages.count_tokens``.

    Args:
        model_name: The Claude model whose tokenizer counts.
        api_key: The Anthropic key.
        **kwargs: Passed to ``anthropic.AsyncAnthropic`` (``base_url``...).

    Example:
        >>> counter = AnthropicTokenCounter("claude-sonnet-4-20250514", api_key="sk-ant-x")
        >>> counter.model_name
        'claude-sonnet-4-20250514'
    """

    def __init__(self, model_name: str, api_key: str, **kwargs: Any) -> None:
        from ..model._anthropic import import_anthropic
        from ..redact import register_secret

        register_secret(api_key)
        self.client = import_anthropic().AsyncAnthropic(api_key=api_key, **kwargs)
        self.model_name = model_name

    async def count(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> int:
        """The input tokens of ``messages`` (a leading system message is sent as ``system``)."""
        request: dict[str, Any] = {"model": self.model_name, **kwargs}
        if messages and messages[0].get("role") == "system":
            request["system"] = messages[0]["content"]
            messages = messages[1:]
        request["messages"] = messages
        if tools:
            request["tools"] = tools
        result = await self.client.messages.count_tokens(**request)
        return int(result.input_tokens)
