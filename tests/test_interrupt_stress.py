"""Stop at random points, 200 runs: no leaked task, thread or process; memory always valid.

Each run streams text and calls an async tool, a sync tool (worker thread) and the shell
tool (a real process tree with a background child); Stop lands anywhere: mid-stream,
mid-tool, between steps, or after the end.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from pathlib import Path

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.run import start
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, execute_shell_command

RUNS = 200


async def nap(seconds: float) -> str:
    """Sleep.

    Args:
        seconds: How long.
    """
    await asyncio.sleep(seconds)
    return "rested"


def block(seconds: float) -> str:
    """Block a thread.

    Args:
        seconds: How long.
    """
    time.sleep(seconds)
    return "blocked"


def live_processes(match: callable) -> list[int]:  # type: ignore[valid-type]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] not in ("Z", "X") and match(int(fields[1]), int(fields[2])):
            found.append(int(entry.name))
    return found


def assert_memory_valid(messages: list[Msg]) -> None:
    pending: list[str] = []
    for msg in messages:
        for result in msg.get_content_blocks("tool_result"):
            assert result["id"] in pending, f"result {result['id']} without a call"
            pending.remove(result["id"])
        pending += [use["id"] for use in msg.get_content_blocks("tool_use")]
    assert pending == [], f"tool calls without results: {pending}"


def make_agent(i: int, log: Path) -> ReActAgent:
    toolkit = Toolkit()
    for fn in (nap, block, execute_shell_command):
        toolkit.register_tool_function(fn)
    shell = f"echo $$ >> {log}; sleep 5 & sleep 0.02"
    replies = [
        ["Let me think about this for a moment.", tool_call("nap", seconds=0.01)],
        [tool_call("block", seconds=0.01), tool_call("execute_shell_command", command=shell)],
        f"Answer number {i} is ready now.",
    ]
    agent = ReActAgent(
        name=f"Stress{i}",
        sys_prompt="You are tested.",
        model=ScriptedModel(replies, token_delay=0.001),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        parallel_tool_calls=bool(i % 2),
    )
    agent.set_console_output_enabled(False)
    return agent


async def test_random_stops_leak_nothing(tmp_path: Path) -> None:
    rng = random.Random(13)
    log = tmp_path / "pgids"
    me = os.getpid()
    tasks_before = len(asyncio.all_tasks())
    threads_before = {t.ident for t in threading.enumerate()}
    statuses: dict[str, int] = {}
    for i in range(RUNS):
        agent = make_agent(i, log)
        run = start(agent, "go", store=False)
        if i % 10 == 9:  # sometimes after the end: Stop must then be harmless
            await asyncio.wait_for(run.wait(), 10)
        else:
            await asyncio.sleep(rng.uniform(0, 0.15))
        run.stop()
        await asyncio.wait_for(run.wait(), 10)
        statuses[run.status] = statuses.get(run.status, 0) + 1
        assert run.status in ("interrupted", "completed"), run.status
        assert_memory_valid(await agent.memory.get_memory())
    assert statuses.get("interrupted", 0) > RUNS // 2 and statuses.get("completed", 0) > 0, statuses

    for _ in range(100):  # let cancelled work wind down
        if len(asyncio.all_tasks()) <= tasks_before:
            break
        await asyncio.sleep(0.02)
    leaked_tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert len(asyncio.all_tasks()) <= tasks_before, leaked_tasks
    pools = ("asyncio_", "ascope-tool")  # the loop's and the sync tools' bounded pools
    extra = [
        t
        for t in threading.enumerate()
        if t.ident not in threads_before and not t.name.startswith(pools)
    ]
    assert extra == [], extra  # only the bounded worker pools may have grown
    from ascope_nb.tool import _threads

    for _ in range(100):  # a stopped sync tool runs to its end in its thread, then frees it
        if _threads._workers.busy == 0:
            break
        await asyncio.sleep(0.02)
    assert _threads._workers.busy == 0, "a sync tool's thread is still busy"
    tool_threads = [t for t in threading.enumerate() if t.name == "ascope-tool"]
    assert len(tool_threads) <= _threads.MAX_WORKERS
    busy = [  # this test's loop's worker pool (other tests' loops may have left theirs)
        t
        for t in threading.enumerate()
        if t.name.startswith("asyncio_") and t.ident not in threads_before
    ]
    assert len(busy) <= min(32, (os.cpu_count() or 1) + 4)
    pgids = {int(p) for p in log.read_text().split()}
    assert len(pgids) > 10  # the shell tool really ran, many times
    assert live_processes(lambda ppid, pgrp: ppid == me or pgrp in pgids) == []
