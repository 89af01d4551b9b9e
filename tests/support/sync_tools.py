"""Helpers for the sync-tool placement tests: call a tool, watch the loop, promote a tool."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from ascope_nb.tool import Toolkit, ToolResponse
from ascope_nb.tool._sync_tools import runs_inline


async def response(toolkit: Toolkit, name: str, **kwargs: Any) -> ToolResponse:
    """The final chunk of one call of ``name`` through ``toolkit``."""
    call = {"type": "tool_use", "id": "x", "name": name, "input": kwargs}
    chunks = [c async for c in toolkit.call_tool_function(call)]  # type: ignore[arg-type]
    return chunks[-1]


async def text(toolkit: Toolkit, name: str, **kwargs: Any) -> str:
    return (await response(toolkit, name, **kwargs)).content[0]["text"]  # type: ignore[typeddict-item]


async def until_inline(
    toolkit: Toolkit, func: Callable[..., Any], *, name: str, limit: int = 60, **kwargs: Any
) -> int:
    """Call the tool until it runs on the loop (a busy machine may make a quick call look
    slow now and then, which restarts the count); returns the calls it took."""
    for calls in range(1, limit + 1):
        await response(toolkit, name, **kwargs)
        if runs_inline(func):
            return calls
    raise AssertionError(f"{name} still runs in a thread after {limit} quick calls")


def where_tool(delay: list[float], on_loop: list[bool]) -> Callable[[], str]:
    """A sync tool ``where`` noting whether it runs on this (the loop's) thread, then
    sleeping ``delay[0]`` seconds."""
    main = threading.get_ident()

    def where() -> str:
        """Report the thread."""
        on_loop.append(threading.get_ident() == main)
        time.sleep(delay[0])
        return "ok"

    return where


@asynccontextmanager
async def loop_gaps() -> AsyncIterator[list[float]]:
    """The longest time the loop went without running a 5 ms ticker, measured while inside."""
    longest, last = [0.0], [0.0]

    def tick() -> None:
        now = time.perf_counter()
        longest[0] = max(longest[0], now - last[0])
        last[0] = now

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.005)
            tick()

    last[0] = time.perf_counter()
    task = asyncio.create_task(ticker())
    try:
        yield longest
    finally:
        tick()  # a hold that lasted until the end of the block counts too
        task.cancel()
