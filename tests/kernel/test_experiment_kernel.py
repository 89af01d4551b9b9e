"""Experiments in a real kernel: ``%eval`` shows a live view and stores tagged runs, its
mistakes are one line, and a kernel killed mid-experiment loses no finished sample (a
rerun with the same name runs only the missing ones)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

ADDER = """
import re
from ascope_nb import ReActAgent
from ascope_nb.testing import FunctionModel

async def add(messages, tools):
    q = [m for m in messages if m["role"] == "user"][-1]["content"]
    q = q if isinstance(q, str) else " ".join(b.get("text", "") for b in q)
    await asyncio.sleep(DELAY)
    a, b = map(int, re.findall(r"\\d+", q)[:2])
    return f"The sum is {a + b}."

Adder = ReActAgent("Adder", "You add.", FunctionModel(add))
rows = [{"id": f"q{i}", "question": f"What is {i} + {i}?", "answer": 2 * i} for i in range(N)]
"""


def _start(store: Path) -> KernelDriver:
    driver = KernelDriver(sys.executable, extra_env={"ASCOPE_STORE": str(store)})
    driver.ok("%load_ext ascope_nb")
    driver.ok(SETUP + "\nimport ascope_nb")
    return driver


def _one_usage_line(ex) -> str:  # type: ignore[no-untyped-def]
    assert ex.status == "error" and ex.errors == [], ex.errors
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in ex.stderr, ex.stderr
    return lines[0]


def test_eval_magic_shows_a_live_view_and_stores_tagged_runs(tmp_path: Path) -> None:
    kernel = _start(tmp_path / "runs.sqlite")
    try:
        kernel.ok("DELAY = 0.01\nN = 12\n" + ADDER)
        ex = kernel.ok(
            "%eval Adder rows --input question --target answer --metrics numeric,contains --concurrency 4 --name k-exp --out exp"
        )
        assert ex.result is not None and ex.result["text/plain"].startswith(
            "Experiment(name='k-exp', samples=12"
        )
        comm = ex.widget_comm("summary")
        done = kernel.ok(
            "await exp\njson.dumps([exp.status, exp.finished, exp.summary()['mean'].tolist()])"
        )
        assert done.value() == ["completed", 12, [1.0, 1.0]]
        stored = kernel.ok(
            "frame = ascope_nb.runs()\n"
            "mine = frame[frame.title.str.startswith('k-exp · ')]\n"
            "json.dumps([len(mine), sorted(mine.feedback_score.tolist())[:1]])"
        ).value()
        assert stored == [12, [1.0]]
        assert comm
        line = _one_usage_line(kernel.execute("%eval Nobody rows"))
        assert line.startswith("UsageError: %eval:") and "'Nobody'" in line
        line = _one_usage_line(
            kernel.execute("%eval Adder rows --input question --target answer --metrics numerik")
        )
        assert "unknown metric 'numerik'" in line
        line = _one_usage_line(kernel.execute("%eval Adder rows --concurrency many"))
        assert "--concurrency" in line
    finally:
        kernel.shutdown()


def test_kill_minus_9_mid_experiment_then_rerun_finishes_only_the_missing(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    first = _start(store)
    pid = first.ok("import os\njson.dumps(os.getpid())").value()
    first.ok("DELAY = 0.15\nN = 40\n" + ADDER)
    first.ok(
        "exp = ascope_nb.experiment(agent=Adder, dataset=rows, input='question', target='answer', metrics=['numeric'], concurrency=2, name='killed')"
    )
    first.ok("await until(lambda: exp.finished >= 8, timeout=60)", timeout=90)
    finished_before = first.ok(
        "json.dumps(sorted(r.sample_id for r in exp.rows.values() if r.status == 'completed'))"
    ).value()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while first.km.is_alive():
        assert time.monotonic() < deadline, "the kernel survived kill -9"
        time.sleep(0.05)
    first.shutdown()

    second = _start(store)
    try:
        second.ok("DELAY = 0.0\nN = 40\n" + ADDER)
        second.ok(
            "calls = []\n_add = add\nasync def add(messages, tools):\n    calls.append(1)\n    return await _add(messages, tools)\nAdder = ReActAgent('Adder', 'You add.', FunctionModel(add))"
        )
        got = second.ok(
            "exp = ascope_nb.experiment(agent=Adder, dataset=rows, input='question', target='answer', metrics=['numeric'], concurrency=4, name='killed')\n"
            "await exp\n"
            "json.dumps([exp.status, exp.resumed, len(calls), exp.summary()['mean'].tolist(), exp.finished,"
            " sorted(r.sample_id for r in exp.rows.values() if r.resumed)])",
            timeout=120,
        ).value()
        status, resumed, calls, means, finished, resumed_ids = got
        assert status == "completed" and finished == 40 and means == [1.0]
        assert set(finished_before) <= set(resumed_ids)  # nothing finished before the kill is lost
        assert resumed >= len(finished_before) and calls == 40 - resumed
    finally:
        second.shutdown()
