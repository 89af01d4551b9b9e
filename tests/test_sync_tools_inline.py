"""Quick sync tools on the loop, under faults: the same results as in a thread, the opt-outs,
and two agents calling one tool at once (``ascope_nb/tool/_sync_tools.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.memory import InMemoryMemory
from ascope_nb.message import Msg
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, always_in_thread
from ascope_nb.tool._sync_tools import HOLD_BOUND, INLINE_AFTER, SYNC_TOOLS_ENV, runs_inline
from tests.support.sync_tools import response, until_inline


def _threads_seen(calls: list[bool]):  # type: ignore[no-untyped-def]
    main = threading.get_ident()

    def divide(a: int, b: int) -> str:
        """Divide.

        Args:
            a: Dividend.
            b: Divisor.
        """
        calls.append(threading.get_ident() == main)
        return str(a // b)

    return divide


async def test_an_error_inline_is_the_same_result_as_in_a_thread() -> None:
    on_loop: list[bool] = []
    divide = _threads_seen(on_loop)
    toolkit = Toolkit()
    toolkit.register_tool_function(divide)
    threaded = await until_inline(toolkit, divide, name="divide", a=1, b=0)  # quick failures
    seen = [await response(toolkit, "divide", a=1, b=0) for _ in range(3)]
    in_thread = Toolkit(sync_tools="thread")
    in_thread.register_tool_function(divide)
    seen.insert(0, await response(in_thread, "divide", a=1, b=0))
    assert on_loop == [False] * threaded + [True] * 3 + [False]  # 3 inline, then 1 in a thread
    first = seen[0]
    assert first.metadata == {
        "success": False,
        "error": "Error: integer division or modulo by zero",
    }
    for other in seen[1:]:
        assert (other.content, other.metadata, other.stream, other.is_last) == (
            first.content,
            first.metadata,
            first.stream,
            first.is_last,
        )
    assert (await response(toolkit, "divide", a=7, b=2)).content[0]["text"] == "3"


async def test_an_inline_tool_sees_the_callers_context_and_cannot_change_it() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    def swap() -> str:
        """Read and overwrite a context variable."""
        seen = var.get()
        var.set("changed by the tool")
        return seen

    toolkit = Toolkit()
    toolkit.register_tool_function(swap)
    var.set("caller")
    await until_inline(toolkit, swap, name="swap")
    for _ in range(2):
        assert (await response(toolkit, "swap")).content[0]["text"] == "caller"
        assert var.get() == "caller"


@pytest.mark.parametrize("how", ["toolkit", "env", "decorator", "bound method"])
async def test_opt_outs_keep_every_call_in_a_worker_thread(how: str, monkeypatch) -> None:
    on_loop: list[bool] = []
    func = _threads_seen(on_loop)
    toolkit = Toolkit(sync_tools="thread") if how == "toolkit" else Toolkit()
    if how == "env":
        monkeypatch.setenv(SYNC_TOOLS_ENV, "thread")
    if how == "decorator":
        func = always_in_thread(func)

    class Calculator:
        def divide(self, a: int, b: int) -> str:
            """Divide.

            Args:
                a: Dividend.
                b: Divisor.
            """
            return func(a, b)

    if how == "bound method":
        method = Calculator().divide
        toolkit.register_tool_function(always_in_thread(method))
    else:
        toolkit.register_tool_function(func)
    for _ in range(2 * INLINE_AFTER):
        assert (await response(toolkit, "divide", a=6, b=3)).content[0]["text"] == "2"
    assert on_loop == [False] * (2 * INLINE_AFTER)


def test_a_bad_sync_tools_value_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="sync_tools must be 'adaptive' or 'thread', got 'fast'"):
        Toolkit(sync_tools="fast")  # type: ignore[arg-type]


async def test_a_bad_environment_value_keeps_threads_and_says_so_once(monkeypatch, caplog) -> None:
    monkeypatch.setenv(SYNC_TOOLS_ENV, "turbo")
    on_loop: list[bool] = []
    toolkit = Toolkit()
    toolkit.register_tool_function(_threads_seen(on_loop))
    with caplog.at_level(logging.WARNING, logger="ascope_nb.tool._sync_tools"):
        for _ in range(2 * INLINE_AFTER):
            await response(toolkit, "divide", a=1, b=1)
    assert True not in on_loop
    lines = [r.getMessage() for r in caplog.records if "turbo" in r.getMessage()]
    assert lines == [
        "ASCOPE_SYNC_TOOLS='turbo' is neither 'adaptive' nor 'thread': sync tools "
        "stay in worker threads."
    ]


async def test_background_tools_always_run_in_a_thread() -> None:
    on_loop: list[bool] = []
    toolkit = Toolkit()
    toolkit.register_tool_function(_threads_seen(on_loop), async_execution=True)
    for _ in range(2 * INLINE_AFTER):
        await response(toolkit, "divide", a=4, b=2)
        await asyncio.gather(*toolkit._async_tasks.values())
    assert on_loop == [False] * (2 * INLINE_AFTER)


def _agent(name: str, tool, calls: int) -> ReActAgent:  # type: ignore[no-untyped-def]
    toolkit = Toolkit()
    toolkit.register_tool_function(tool)
    replies: list[object] = [[tool_call("lookup", key=f"{name}{i}")] for i in range(calls)]
    agent = ReActAgent(
        name=name,
        sys_prompt="s",
        model=ScriptedModel([*replies, f"{name} done"]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        memory=InMemoryMemory(),
        max_iters=calls + 3,
    )
    agent.set_console_output_enabled(False)
    return agent


async def test_two_agents_running_the_same_tool_at_once() -> None:
    delay = [0.0]
    threads: set[int] = set()

    def lookup(key: str) -> str:
        """Look a key up.

        Args:
            key: The key.
        """
        threads.add(threading.get_ident())
        if delay[0]:
            time.sleep(delay[0])
        return key.upper()

    promoter = Toolkit()
    promoter.register_tool_function(lookup)
    await until_inline(promoter, lookup, name="lookup", key="k")
    agents = [_agent(name, lookup, 12) for name in ("ann", "bob")]
    replies = await asyncio.gather(*(a(Msg("user", "go", "user")) for a in agents))
    assert [r.get_text_content() for r in replies] == ["ann done", "bob done"]
    for agent in agents:  # every result in the right agent's memory, in order
        results = [
            b["output"][0]["text"]
            for m in await agent.memory.get_memory()
            for b in m.get_content_blocks("tool_result")
        ]
        assert results == [f"{agent.name}{i}".upper() for i in range(12)]
    assert runs_inline(lookup) and threading.get_ident() in threads

    # both turn slow at once: the loop is held by one call only, the other goes to a thread
    delay[0] = 0.4
    agents = [_agent(name, lookup, 2) for name in ("cy", "di")]
    longest, last = 0.0, time.perf_counter()

    async def ticker() -> None:
        nonlocal longest, last
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    task = asyncio.create_task(ticker())
    replies = await asyncio.gather(*(a(Msg("user", "go", "user")) for a in agents))
    task.cancel()
    assert [r.get_text_content() for r in replies] == ["cy done", "di done"]
    assert 0.35 < longest < 0.7, f"the loop stood still {longest:.2f} s"
    assert not runs_inline(lookup)


def test_a_threaded_call_outliving_its_loop_ends_quietly() -> None:
    failures: list[BaseException | None] = []
    hook = threading.excepthook
    threading.excepthook = lambda args: failures.append(args.exc_value)
    try:

        def slow() -> str:
            """Take a while."""
            time.sleep(0.3)
            return "late"

        toolkit = Toolkit()
        toolkit.register_tool_function(slow)

        async def impatient() -> None:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(response(toolkit, "slow"), 0.05)

        asyncio.run(impatient())  # the loop is closed while the call still runs
        time.sleep(0.5)
    finally:
        threading.excepthook = hook
    assert failures == []


OWN_LOOP_SCRIPT = """
import asyncio, json, logging, warnings
from ascope_nb.tool import Toolkit
from ascope_nb.tool._sync_tools import runs_inline
from tests.support.sync_tools import response, until_inline

warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
logged = []
handler = logging.Handler()
handler.emit = lambda record: logged.append(record.getMessage())
logging.getLogger("ascope_nb.tool._sync_tools").addHandler(handler)


async def fetch(key):
    return key * 2


def wrapped(key: str) -> str:
    \"\"\"Run an async client the sync way.

    Args:
        key: The key.
    \"\"\"
    return asyncio.run(fetch(key))


async def main():
    toolkit = Toolkit()
    toolkit.register_tool_function(wrapped)
    await until_inline(toolkit, wrapped, name="wrapped", key="a")
    failed = await response(toolkit, "wrapped", key="b")
    inline_after = runs_inline(wrapped)
    again = await response(toolkit, "wrapped", key="c")
    print(json.dumps({
        "failed": failed.metadata, "failed_text": failed.content[0]["text"],
        "inline_after": inline_after, "again": again.content[0]["text"], "logged": logged,
    }))


asyncio.run(main())
"""


def test_a_tool_running_its_own_event_loop_fails_once_on_the_loop_then_works() -> None:
    # A fresh interpreter: a library that applied nest_asyncio in this process (inspect_ai
    # does) lets asyncio.run nest on a running loop, and then the tool never fails at all.
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", OWN_LOOP_SCRIPT],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["failed"] is not None and seen["failed"]["success"] is False
    assert "cannot be called from a running event loop" in seen["failed_text"]
    assert any(
        "failed on the event loop's thread" in line and "wrapped" in line for line in seen["logged"]
    )
    assert seen["inline_after"] is False
    assert seen["again"] == "cc"


@contextlib.contextmanager
def sharing_one_cpu() -> Iterator[None]:
    """This thread and a busy child process pinned to the same CPU: the scheduler preempts
    the loop's thread every few milliseconds (a real busy machine, made certain)."""
    cpu = min(os.sched_getaffinity(0))
    before = os.sched_getaffinity(0)
    burner = subprocess.Popen(
        [sys.executable, "-c", f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"]
    )
    os.sched_setaffinity(0, {cpu})
    try:
        time.sleep(0.2)  # the child is pinned and spinning
        yield
    finally:
        os.sched_setaffinity(0, before)
        burner.kill()
        burner.wait()


def _spin(cpu_seconds: float) -> None:
    end = time.thread_time() + cpu_seconds
    while time.thread_time() < end:
        pass


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux CPU affinity")
async def test_a_busy_machine_does_not_demote_a_quick_tool_but_a_cpu_heavy_call_does() -> None:
    cost = [0.0]
    held: list[float] = []

    def crunch() -> str:
        """Crunch numbers."""
        started = time.perf_counter()
        _spin(cost[0])
        held.append(time.perf_counter() - started)
        return "ok"

    toolkit = Toolkit()
    toolkit.register_tool_function(crunch)
    await until_inline(toolkit, crunch, name="crunch")
    cost[0] = HOLD_BOUND / 2  # its own CPU stays within the bound; preemption stretches it
    with sharing_one_cpu():
        for _ in range(200):
            await response(toolkit, "crunch")
            if sum(1 for h in held if h > HOLD_BOUND) >= 3:
                break
        assert sum(1 for h in held if h > HOLD_BOUND) >= 3  # preempted mid-call
        assert runs_inline(crunch)  # the machine's time, not the tool's
        cost[0] = 4 * HOLD_BOUND  # now the tool itself takes 20 ms of CPU
        await response(toolkit, "crunch")
    assert not runs_inline(crunch)
