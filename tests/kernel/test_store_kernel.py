"""The run store in a real kernel: kill -9 mid-run, degraded store files, ``%export``, and
Pause/Step clicks. Each test starts its own kernel(s) on a store path of its own."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SETUP
from kernel_driver import Execution, KernelDriver

pytestmark = pytest.mark.kernel

SLOW_TOOL = """
async def slow(seconds: float) -> ToolResponse:
    \"\"\"Wait a while.

    Args:
        seconds: How long.
    \"\"\"
    await asyncio.sleep(seconds)
    return ToolResponse(content=[{"type": "text", "text": "slept"}])
"""

GATED_TOOL = """
gate = asyncio.Event()
tool_started = asyncio.Event()

async def gated(n: int) -> ToolResponse:
    \"\"\"Wait for the gate.

    Args:
        n: A number.
    \"\"\"
    tool_started.set()
    await asyncio.wait_for(gate.wait(), 30)
    return ToolResponse(content=[{"type": "text", "text": f"ok {n}"}])
"""


@pytest.fixture(scope="module", params=["ipykernel7", "ipykernel6"])
def python(request: pytest.FixtureRequest) -> str:
    if request.param == "ipykernel6":
        return str(request.getfixturevalue("ipk6_python"))
    return sys.executable


class Kernels:
    """Starts kernels on one store path and shuts them all down at the end."""

    def __init__(self, python: str, store: Path) -> None:
        self.python = python
        self.store = store
        self.started: list[KernelDriver] = []

    def start(self, *, load: bool = True) -> tuple[KernelDriver, Execution | None]:
        driver = KernelDriver(self.python, extra_env={"ASCOPE_STORE": str(self.store)})
        self.started.append(driver)
        loaded = driver.execute("%load_ext ascope_nb") if load else None
        driver.ok(SETUP + "\nimport ascope_nb")
        return driver, loaded


@pytest.fixture
def kernels(python: str, tmp_path: Path) -> Iterator[Kernels]:
    made = Kernels(python, tmp_path / "store" / "runs.sqlite")
    yield made
    for driver in made.started:
        try:
            driver.shutdown()
        except Exception:  # a killed kernel may refuse a clean shutdown
            pass


def _one_warning_line(ex: Execution) -> str:
    assert ex.status == "ok" and ex.errors == [], ex.errors
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1, ex.stderr
    return lines[0]


def _view_events(msg: dict[str, Any], comm_id: str) -> list[dict[str, Any]]:
    """The events a RunView sent to the browser in one iopub message (if any)."""
    if msg["header"]["msg_type"] != "comm_msg" or msg["content"].get("comm_id") != comm_id:
        return []
    data = msg["content"]["data"]
    content = data.get("content", {}) if data.get("method") == "custom" else {}
    if content.get("type") in ("events", "snapshot"):
        return list(content.get("events", []))
    return []


# ------------------------------------------------------------------ (a) kill -9 mid-run


def test_kill_minus_9_mid_run_keeps_every_shown_step(kernels: Kernels) -> None:
    first, loaded = kernels.start()
    assert loaded is not None and loaded.stderr == "", loaded.stderr
    pid = first.ok("import os\njson.dumps(os.getpid())").value()
    first.ok(SLOW_TOOL)
    first.ok('mk = ScriptedModel([[tool_call("slow", seconds=0.4)]] * 40 + ["never"])')
    first.ok("%%agent Doomed --model mk --tools slow --max-iters 50\nYou work slowly.")
    ex = first.ok("%%ask Doomed --out krun\nWork.")
    comm_id = ex.widget_comm("pending_approvals")
    run_id = first.ok("json.dumps(krun.run_id)").value()

    shown: set[int] = set()
    deadline = time.monotonic() + 30
    while len(shown) < 3:
        assert time.monotonic() < deadline, f"only steps {shown} were shown"
        try:
            msg = first.kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        for event in _view_events(msg, comm_id):
            if event.get("kind") == "step_ended":
                assert event["run_id"] == run_id
                shown.add(int(event["step"]))
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while first.km.is_alive():
        assert time.monotonic() < deadline, "the kernel survived kill -9"
        time.sleep(0.05)

    second, loaded = kernels.start()
    assert loaded is not None and loaded.stderr == "", loaded.stderr
    got = second.ok(
        f"""
frame = ascope_nb.runs()
row = frame[frame.run_id == {run_id!r}].iloc[0]
from ascope_nb.store import default_store
steps = default_store().steps({run_id!r})
json.dumps([row.status, row.error, sorted(int(s) for s in steps.step),
            list(ascope_nb.runs(status="crashed").run_id)])
"""
    ).value()
    status, error, stored_steps, crashed = got
    assert status == "crashed" and crashed == [run_id]
    assert str(pid) in error
    assert shown <= set(stored_steps), f"shown {sorted(shown)}, stored {stored_steps}"

    table = second.ok("%runs --status crashed")
    assert table.result is not None
    assert table.result["text/plain"].splitlines()[0] == "Runs(1 run)"
    view = second.ok(f"%runs --open {run_id}")
    assert view.result is not None
    assert view.result["text/plain"].startswith("Doomed: crashed")

    with sqlite3.connect(kernels.store) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        kinds = [k for (k,) in db.execute("SELECT kind FROM events WHERE run_id = ?", (run_id,))]
    assert kinds.count("run_ended") == 1 and kinds[0] == "run_started"


# ------------------------------------------------------------------ (b) degraded store files


@pytest.mark.parametrize("damage", ["read-only", "corrupt"])
def test_degraded_store_warns_in_one_line_and_runs_go_on(kernels: Kernels, damage: str) -> None:
    path = kernels.store
    path.parent.mkdir(parents=True)
    if damage == "read-only":
        made, _ = kernels.start()
        made.ok("from ascope_nb.store import default_store\ndefault_store().close()")
        made.shutdown()
        kernels.started.remove(made)
        path.chmod(0o444)
    else:
        path.write_bytes(b"not a database, just bytes " * 200)
    before = path.read_bytes()
    try:
        kernel, loaded = kernels.start()
        assert loaded is not None
        line = _one_warning_line(loaded)
        assert line.startswith("StoreWarning: ") and "in memory" in line
        kernel.ok('mm = ScriptedModel(["still here"])')
        kernel.ok("%%agent Stoic --model mm\nYou endure.")
        kernel.ok("%%ask Stoic --out srun\nHello?")
        assert kernel.ok("r = await srun\njson.dumps(r.get_text_content())").value() == "still here"
        ex = kernel.ok("%runs")
        assert ex.result is not None
        lines = ex.result["text/plain"].splitlines()
        assert lines[0] == "Runs(1 run)" and lines[2].split()[:2] == ["Stoic", "completed"]
        state = ex.widget_state(ex.widget_comm("export_message"))
        assert [r["agent"] for r in state["rows"]] == ["Stoic"]
        assert "degraded" in state["notice"]
        assert path.read_bytes() == before, "the damaged file is left untouched"
    finally:
        path.chmod(0o644)


# ------------------------------------------------------------------ (c) %export loads with datasets


def test_export_magic_writes_a_file_datasets_loads(kernels: Kernels, tmp_path: Path) -> None:
    import datasets  # the [hf] extra (part of the test extra)

    kernel, _ = kernels.start()
    # first, before any ascope_nb.start(): a plain `await agent(msg)` is stored too,
    # because %load_ext attached the store
    kernel.ok('md = ScriptedModel(["direct"])')
    kernel.ok("%%agent Direct --model md\nYou answer.")
    got = kernel.ok(
        "from ascope_nb import Msg\n"
        "reply = await Direct(Msg('user', 'hi', 'user'))\n"
        "f = ascope_nb.runs(agent='Direct')\n"
        "json.dumps([reply.get_text_content(), list(f.status), list(f.n_steps)])"
    ).value()
    assert got == ["direct", ["completed"], [1]]
    kernel.ok(
        "def add(a: int, b: int) -> str:\n    '''Add.\n\n    Args:\n        a: A.\n        b: B.\n    '''\n    return str(a + b)"
    )
    kernel.ok('ma = ScriptedModel([[tool_call("add", a=2, b=3)], "5"])\nmb = ScriptedModel(["hi"])')
    kernel.ok("%%agent Adder --model ma --tools add\nYou add.")
    kernel.ok("%%agent Greeter --model mb\nYou greet.")
    kernel.ok("%%ask Adder --out r1\n2 + 3?")
    kernel.ok("%%ask Greeter --out r2\nHello")
    kernel.ok("await r1; await r2")
    out = tmp_path / "out.jsonl"
    ex = kernel.ok(f"%export openai {out}")
    assert ex.stdout == f"exported 3 records from 3 runs to {out} (openai)\n"
    loaded = datasets.load_dataset("json", data_files=str(out), split="train")
    assert loaded.num_rows == 3
    by_first_user = {
        next(m["content"] for m in row["messages"] if m["role"] == "user"): row for row in loaded
    }
    adder = by_first_user["2 + 3?"]["messages"]
    assert [m["role"] for m in adder] == ["system", "user", "assistant", "tool", "assistant"]
    call = adder[2]["tool_calls"][0]["function"]
    assert call["name"] == "add" and json.loads(call["arguments"]) == {"a": 2, "b": 3}

    bad = kernel.execute(f"%export nonsense {tmp_path / 'x.jsonl'}")
    assert bad.status == "error" and bad.errors == []
    assert len(bad.stderr.strip().splitlines()) == 1 and "'nonsense'" in bad.stderr
    bad = kernel.execute("%export openai")
    assert bad.status == "error" and bad.errors == [] and bad.stderr.count("\n") == 1


# ------------------------------------------------------------------ (d) Pause, then Step


def test_pause_then_step_lets_exactly_one_step_run(kernels: Kernels) -> None:
    kernel, _ = kernels.start()
    kernel.ok(GATED_TOOL)
    kernel.ok('mp = ScriptedModel([[tool_call("gated", n=i)] for i in range(4)] + ["done"])')
    kernel.ok("%%agent Stepper --model mp --tools gated --max-iters 10\nYou step.")
    ex = kernel.ok("%%ask Stepper --out prun\nGo.")
    comm_id = ex.widget_comm("pending_approvals")
    kernel.ok("await asyncio.wait_for(tool_started.wait(), 10)")
    assert kernel.ok("json.dumps(len(mp.calls))").value() == 1

    kernel.click(comm_id, {"cmd": "pause"})
    kernel.ok("gate.set()")  # step 1 finishes; the agent must hold before step 2
    kernel.ok("await until(lambda: prun.agent_status == 'paused')")
    kernel.ok("await asyncio.sleep(0.5)")
    assert kernel.ok("json.dumps([len(mp.calls), prun.status])").value() == [1, "running"]

    kernel.click(comm_id, {"cmd": "step"})
    kernel.ok("await until(lambda: len(mp.calls) == 2)")
    kernel.ok("await asyncio.sleep(0.5)")  # held again after that one step
    assert kernel.ok("json.dumps([len(mp.calls), prun.agent_status])").value() == [2, "paused"]

    kernel.click(comm_id, {"cmd": "resume"})
    got = kernel.ok(
        "r = await asyncio.wait_for(prun.wait(), 20)\n"
        "json.dumps([len(mp.calls), prun.status, r.get_text_content()])"
    ).value()
    assert got == [5, "completed", "done"]

    kernel.click(comm_id, {"cmd": "feedback", "label": "up"})  # the thumbs reach the store
    stored = kernel.ok(
        "await until(lambda: any(e.kind == 'feedback' for e in prun.events))\n"
        "f = ascope_nb.runs(feedback='up')\n"
        "json.dumps([list(f.run_id), prun.run_id])"
    ).value()
    assert stored[0] == [stored[1]]
