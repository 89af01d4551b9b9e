"""``TokenCounterBase`` and ``CharTokenCounter`` (one token per character: no tokenizer)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class TokenCounterBase(ABC):
    """Counts the tokens of formatted messages (the output of a formatter)."""

    @abstractmethod
    async def count(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> int:
        """The number of tokens ``messages`` (and ``tools``) take."""


class CharTokenCounter(TokenCounterBase):
    """Counts characters of the messages' text form: a cheap upper bound, no tokenizer.

    Example:
        >>> import asyncio
        >>> asyncio.run(CharTokenCounter().count([{"role": "user", "content": "hi"}]))
        33
    """

    async def count(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> int:
        texts = [str(msg) for msg in messages]
        if tools:
            texts.append(str(tools))
        return len("\n".join(texts))
