"""``ToolCallStream``: the chunks of one tool call, iterable directly or after ``await``."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

from ._response import ToolResponse


class ToolCallStream:
    """Async iterator of cumulative ToolResponse chunks of one tool call.

    AgentScope 1.x code writes ``res = await toolkit.call_tool_function(call)`` and then
    ``async for chunk in res``; ``async for chunk in toolkit.call_tool_function(call)`` works
    too. The last chunk has ``is_last=True``.

    Example:
        >>> import asyncio
        >>> async def gen():
        ...     yield ToolResponse(content=[{"type": "text", "text": "hi"}])
        >>> asyncio.run(ToolCallStream(gen()).last()).content[0]["text"]
        'hi'
    """

    def __init__(self, chunks: AsyncGenerator[ToolResponse, None]) -> None:
        self._chunks = chunks

    def __await__(self) -> Generator[Any, None, ToolCallStream]:
        return self._self().__await__()

    async def _self(self) -> ToolCallStream:
        return self

    def __aiter__(self) -> ToolCallStream:
        return self

    async def __anext__(self) -> ToolResponse:
        return await self._chunks.__anext__()

    async def aclose(self) -> None:
        """Stop the tool call early (closes the underlying generator)."""
        await self._chunks.aclose()

    async def last(self) -> ToolResponse:
        """Run the call to the end and return its final (complete) response."""
        final: ToolResponse | None = None
        async for chunk in self:
            final = chunk
        if final is None:  # pragma: no cover - run_tool always yields at least once
            raise RuntimeError("the tool call produced no response")
        return final

    def __repr__(self) -> str:
        return "ToolCallStream()"
