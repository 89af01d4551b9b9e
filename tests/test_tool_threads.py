"""Sync tools and the event loop: an unproven tool never holds the loop (the Stop button);
a tool that has shown itself quick runs on the loop, and goes back to a thread for good as
soon as one call there is slow (``ascope_nb/tool/_sync_tools.py``)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

from ascope_nb.agent import ReActAgent
from ascope_nb.run import start
from ascope_nb.testing import tool_call
from ascope_nb.tool import Toolkit
from ascope_nb.tool._sync_tools import INLINE_AFTER, INLINE_BOUND, runs_inline
from tests.support.agents import scripted_agent
from tests.support.sync_tools import loop_gaps, text, until_inline, where_tool


async def test_sync_tool_runs_in_threads_until_proven_quick_then_on_the_loop() -> None:
    on_loop: list[bool] = []
    where = where_tool([0.0], on_loop)
    toolkit = Toolkit()
    toolkit.register_tool_function(where)
    threaded = await until_inline(toolkit, where, name="where")
    assert threaded >= INLINE_AFTER
    for _ in range(3):
        assert await text(toolkit, "where") == "ok"
    assert on_loop == [False] * threaded + [True] * 3


async def test_quick_tool_turning_slow_holds_the_loop_once_then_never_again() -> None:
    delay, on_loop = [0.0], []
    where = where_tool(delay, on_loop)
    toolkit = Toolkit()
    toolkit.register_tool_function(where)
    threaded = await until_inline(toolkit, where, name="where")
    assert await text(toolkit, "where") == "ok"
    delay[0] = 2.0  # the same tool now blocks for 2 s
    async with loop_gaps() as longest:
        assert await text(toolkit, "where") == "ok"  # the residual risk: held once
    assert 1.9 < longest[0] < 2.5
    assert not runs_inline(where)
    async with loop_gaps() as longest:  # later calls: in a thread, the loop runs on
        assert await text(toolkit, "where") == "ok"
    assert longest[0] < 0.25, f"the loop stood still {longest[0]:.3f} s"
    delay[0] = 0.0
    for _ in range(INLINE_AFTER + 2):  # quick again: demoted for good all the same
        assert await text(toolkit, "where") == "ok"
    assert on_loop == [False] * threaded + [True, True] + [False] * (INLINE_AFTER + 3)


async def test_slow_sync_tool_never_runs_on_the_loop() -> None:
    delay, on_loop = [3 * INLINE_BOUND], []
    toolkit = Toolkit()
    toolkit.register_tool_function(where_tool(delay, on_loop))
    for _ in range(3 * INLINE_AFTER):
        assert await text(toolkit, "where") == "ok"
    delay[0] = 0.4
    async with loop_gaps() as longest:
        for _ in range(2):
            assert await text(toolkit, "where") == "ok"
    assert on_loop == [False] * (3 * INLINE_AFTER + 2)
    assert longest[0] < 0.25  # the loop kept running during both 0.4 s calls


async def test_one_slow_call_among_quick_ones_starts_the_count_again() -> None:
    delay, on_loop = [0.0], []
    where = where_tool(delay, on_loop)
    toolkit = Toolkit()
    toolkit.register_tool_function(where)
    for _ in range(INLINE_AFTER - 1):
        await text(toolkit, "where")
    delay[0] = 0.02
    await text(toolkit, "where")
    delay[0] = 0.0
    for _ in range(INLINE_AFTER - 1):
        await text(toolkit, "where")
    assert not runs_inline(where)  # at most 4 quick calls since the slow one
    await until_inline(toolkit, where, name="where")
    assert len(on_loop) - INLINE_AFTER >= INLINE_AFTER  # 5 quick calls after the slow one
    assert True not in on_loop  # the call that follows a promotion is the first on the loop


async def test_generator_and_async_tools_are_unchanged() -> None:
    main = threading.get_ident()
    gen_threads: list[bool] = []
    async_threads: list[bool] = []

    def count(n: int) -> Iterator[str]:
        """Stream numbers.

        Args:
            n: How many.
        """
        for i in range(n):
            gen_threads.append(threading.get_ident() == main)
            yield str(i)

    async def ping() -> str:
        """Answer on the loop."""
        async_threads.append(threading.get_ident() == main)
        return "pong"

    toolkit = Toolkit()
    toolkit.register_tool_function(count)
    toolkit.register_tool_function(ping)
    for _ in range(2 * INLINE_AFTER):
        assert await text(toolkit, "count", n=2) == "1"
        assert await text(toolkit, "ping") == "pong"
    assert gen_threads == [False] * (4 * INLINE_AFTER)  # every chunk in a worker thread
    assert async_threads == [True] * (2 * INLINE_AFTER)


def _blocking_agent(replies: list[object], where) -> ReActAgent:  # type: ignore[no-untyped-def]
    return scripted_agent(replies, where)


async def test_stop_interrupts_a_slow_sync_tool_promptly_after_quick_calls() -> None:
    delay, on_loop = [0.0], []
    where = where_tool(delay, on_loop)
    await until_inline(_blocking_agent([], where).toolkit, where, name="where")
    agent = _blocking_agent([[tool_call("where")], "all quick"], where)
    assert (await start(agent, "go", store=False)).get_text_content() == "all quick"
    threaded = len(on_loop) - 1
    delay[0] = 1.5  # one inline call holds the loop 1.5 s, then the tool is threaded
    agent = _blocking_agent([[tool_call("where")], [tool_call("where")], "never"], where)
    run = start(agent, "go", store=False)
    while len(on_loop) < threaded + 3:  # the second slow call has started
        await asyncio.sleep(0.01)
    pressed = time.perf_counter()
    run.stop()
    await asyncio.wait_for(run.wait(), 5)
    assert time.perf_counter() - pressed < 0.5, "Stop waited for the sync tool"
    assert run.status == "interrupted"
    states = [e.state for e in run.events if e.kind == "tool_result"]
    assert states == ["success", "interrupted"]
    assert on_loop == [False] * threaded + [True, True, False]
