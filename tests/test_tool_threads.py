"""Sync tools always run off the loop: a tool quick so far never freezes the kernel later."""

from __future__ import annotations

import asyncio
import threading
import time

from ascope_nb.tool import Toolkit


async def _call(toolkit: Toolkit, name: str) -> str:
    chunks = [
        c
        async for c in toolkit.call_tool_function(
            {"type": "tool_use", "id": "x", "name": name, "input": {}}
        )
    ]
    return chunks[-1].content[0]["text"]


async def test_sync_tool_quick_at_first_does_not_freeze_the_loop_when_it_turns_slow() -> None:
    main = threading.get_ident()
    on_loop: list[bool] = []
    delay = [0.0]

    def where() -> str:
        """Report the thread."""
        on_loop.append(threading.get_ident() == main)
        time.sleep(delay[0])
        return "ok"

    toolkit = Toolkit()
    toolkit.register_tool_function(where)
    for _ in range(5):
        assert await _call(toolkit, "where") == "ok"
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    delay[0] = 0.5  # the same tool is now slow: the loop (Stop button) must keep running
    assert await _call(toolkit, "where") == "ok"
    task.cancel()
    assert on_loop == [False] * 6
    assert ticks > 10


async def test_slow_sync_tool_does_not_block_the_loop() -> None:
    def slow() -> str:
        """Block for a while."""
        time.sleep(0.4)
        return "done"

    toolkit = Toolkit()
    toolkit.register_tool_function(slow)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    for _ in range(2):
        assert await _call(toolkit, "slow") == "done"
    task.cancel()
    assert ticks > 20  # the loop kept running during both 0.4 s calls
