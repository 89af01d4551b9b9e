"""Sync tools: quick ones run on the loop after a first call, slow ones never hold the loop."""

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


async def test_quick_sync_tool_moves_onto_the_loop_and_back() -> None:
    main = threading.get_ident()
    threads: list[bool] = []
    delay = [0.0]

    def where() -> str:
        """Report the thread."""
        threads.append(threading.get_ident() == main)
        time.sleep(delay[0])
        return "ok"

    toolkit = Toolkit()
    toolkit.register_tool_function(where)
    for _ in range(3):
        assert await _call(toolkit, "where") == "ok"
    assert threads == [False, True, True]  # first call in a thread, then inline
    delay[0] = 0.05
    await _call(toolkit, "where")  # slow inline call: the next ones go back to a thread
    await _call(toolkit, "where")
    assert threads[3:] == [True, False]


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
