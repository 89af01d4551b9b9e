"""The store's file after a process ends, after a run ends, and through a full disk.

Each test reads a real copy of ONLY the main ``runs.sqlite`` file (without its ``-wal``), the
way a user copies, mails or commits it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.events import event_from_dict
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.run import start
from ascope_nb.store import RunStore, set_default_store
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit

ROOT = Path(__file__).resolve().parents[1]


def printed_runs(stdout: str) -> list[list[dict[str, Any]]]:
    return [json.loads(line[4:]) for line in stdout.splitlines() if line.startswith("run ")]


def copy_main_file(path: Path, into: Path) -> Path:
    """A copy of the main database file alone (no ``-wal``, no ``-shm``)."""
    into.mkdir(parents=True, exist_ok=True)
    copy = into / "runs.sqlite"
    shutil.copyfile(path, copy)
    return copy


def stored_runs(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every stored run's events, read with plain sqlite3 from ``path``."""
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = raw.execute("SELECT run_id, data FROM events ORDER BY run_id, seq").fetchall()
    out: dict[str, list[dict[str, Any]]] = {}
    for run_id, data in rows:
        out.setdefault(run_id, []).append(json.loads(data))
    return out


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def statuses(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as raw:
        return dict(raw.execute("SELECT run_id, status FROM runs").fetchall())


# ---------------------------------------------------------------------- a normal exit
def test_normal_exit_leaves_every_run_in_the_main_file(tmp_path: Path) -> None:
    path = tmp_path / "live" / "runs.sqlite"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.store_exit", "agents", "3"],
        cwd=ROOT,
        env={**os.environ, "ASCOPE_STORE": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    runs = printed_runs(proc.stdout)
    assert len(runs) == 3 and all(run[-1]["kind"] == "run_ended" for run in runs)
    assert not Path(f"{path}-wal").exists(), "the -wal is merged and removed at exit"

    copy = copy_main_file(path, tmp_path / "shared")
    stored = stored_runs(copy)
    assert stored == {run[0]["run_id"]: run for run in runs}
    assert set(statuses(copy).values()) == {"completed"}
    with RunStore(copy, mark_crashed=False) as store:
        assert sorted(store.runs().agent) == ["Agent0", "Agent1", "Agent2"]


# ---------------------------------------------------------------------- a run's end
def _adder(name: str) -> ReActAgent:
    def add(a: int, b: int) -> str:
        """Add two numbers.

        Args:
            a: One number.
            b: Another.
        """
        return str(a + b)

    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name=name,
        sys_prompt="You add.",
        model=ScriptedModel([[tool_call("add", a=1, b=2)], "3"]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    return agent


async def test_an_ended_run_reaches_the_main_file_while_the_store_stays_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "live" / "runs.sqlite"
    store = RunStore(path)
    set_default_store(store)
    try:
        run = start(_adder("Adder"), "1+2")
        await run
        assert await store.aflush()
        expected = [e.to_dict() for e in run.events]
        deadline = time.monotonic() + 10
        for attempt in range(10_000):  # the checkpoint follows as soon as the writer is idle
            copy = copy_main_file(path, tmp_path / f"shared{attempt}")
            if "events" in tables(copy) and stored_runs(copy).get(run.run_id) == expected:
                break
            assert time.monotonic() < deadline, "the ended run never reached runs.sqlite"
            time.sleep(0.05)
        assert Path(f"{path}-wal").exists(), "the store is still open (WAL mode)"
        assert statuses(copy) == {run.run_id: "completed"}
    finally:
        set_default_store(None)
        store.close()


# ---------------------------------------------------------------------- a full disk
def _in_private_mount(script: str, *args: str) -> list[str]:
    """``sh -c script`` in a mount namespace of its own (its mounts vanish with it): as
    root directly, otherwise as root of a new user namespace."""
    unshare = shutil.which("unshare")
    assert unshare, "this test needs util-linux's unshare (apt-get install util-linux)"
    flags = ["--mount"] if os.geteuid() == 0 else ["--mount", "--map-root-user"]
    return [unshare, *flags, "sh", "-c", script, "sh", *args]


def test_full_disk_holds_events_and_writes_every_run_whole_when_space_returns(
    tmp_path: Path,
) -> None:
    mount = tmp_path / "small"
    out = tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    script = (
        'mount -t tmpfs -o size=4m tmpfs "$1" || exit 90\n'
        '"$2" -m tests.support.store_exit disk-full "$1"; rc=$?\n'
        'cp "$1/runs.sqlite" "$3/" && ls -a "$1" > "$3/listing"\n'
        "exit $rc\n"
    )
    proc = subprocess.run(
        _in_private_mount(script, str(mount), sys.executable, str(out)),
        cwd=ROOT,
        # tool results of 250 kB fill the small disk: above the default 100 kB output cap
        env={
            **os.environ,
            "ASCOPE_STORE": str(mount / "runs.sqlite"),
            "ASCOPE_TOOL_OUTPUT_LIMIT": "1000000",
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode != 90, f"cannot mount a tmpfs here: {proc.stderr}"
    assert proc.returncode == 0, proc.stderr

    # said once, in one line, naming the file and the cause
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "StoreWarning: writing to run store" in lines[0]
    assert "database or disk is full" in lines[0] and "held in memory" in lines[0]

    states = {
        line.split()[1]: json.loads(line.split(" ", 2)[2])
        for line in proc.stdout.splitlines()
        if line.startswith("state ")
    }
    assert states["before"] == {"degraded": None}
    assert "full" in states["full"]["degraded"]
    assert states["flush-while-full"] is False
    assert "full" in states["still-full"]["degraded"]
    assert states["flush-after-free"] is True
    assert states["freed"] == {"degraded": None}

    # the copied file holds every run whole: the one split by the full disk, the one run
    # entirely while the disk was full, and the ones before and after
    runs = printed_runs(proc.stdout)
    assert [run[0]["agent"] for run in runs] == ["Before", "Filling", "WhileFull", "After"]
    assert (out / "listing").read_text().split() == [".", "..", "runs.sqlite"]
    copy = out / "runs.sqlite"
    stored = stored_runs(copy)
    assert stored == {run[0]["run_id"]: run for run in runs}
    assert set(statuses(copy).values()) == {"completed"}
    big_results = [
        e for e in stored[runs[1][0]["run_id"]] if e["kind"] == "tool_result" and e["name"] == "big"
    ]
    assert len(big_results) == 2 and len(json.dumps(big_results)) > 400_000


def test_disk_still_full_at_exit_saves_the_held_events_and_says_where(tmp_path: Path) -> None:
    mount, out, saved = tmp_path / "small", tmp_path / "out", tmp_path / "saved"
    for directory in (mount, out, saved):
        directory.mkdir()
    script = (
        'mount -t tmpfs -o size=4m tmpfs "$1" || exit 90\n'
        '"$2" -m tests.support.store_exit full-at-exit "$1"; rc=$?\n'
        'cp "$1"/runs.sqlite* "$3/"\n'
        "exit $rc\n"
    )
    proc = subprocess.run(
        _in_private_mount(script, str(mount), sys.executable, str(out)),
        cwd=ROOT,
        env={**os.environ, "ASCOPE_STORE": str(mount / "runs.sqlite"), "TMPDIR": str(saved)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode != 90, f"cannot mount a tmpfs here: {proc.stderr}"
    assert proc.returncode == 0, proc.stderr
    held_line, saved_line = proc.stderr.splitlines()
    assert "database or disk is full" in held_line and "held in memory" in held_line
    (saved_file,) = saved.iterdir()
    assert "could not be written to" in saved_line and repr(str(saved_file)) in saved_line

    before, filling = printed_runs(proc.stdout)
    lines = saved_file.read_text(encoding="utf-8").splitlines()
    held = [json.loads(line) for line in lines]
    assert {e["run_id"] for e in held} == {filling[0]["run_id"]}
    with RunStore(out / "runs.sqlite", mark_crashed=False) as store:
        assert [e.to_dict() for e in store.events(before[0]["run_id"])] == before
        store.append([event_from_dict(e) for e in held])  # taken back whole
        assert store.flush()
        assert [e.to_dict() for e in store.events(filling[0]["run_id"])] == filling
        assert set(store.runs().status) == {"completed"}


# ---------------------------------------------------------------------- a corrupt file
def test_corrupt_store_file_gives_one_line_and_runs_go_on(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"\x00garbage, not a database\xff" * 300)
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.store_exit", "agents", "2"],
        cwd=ROOT,
        env={**os.environ, "ASCOPE_STORE": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "StoreWarning: cannot use run store" in line and str(path) in line
    assert "file is not a database" in line and "kept in memory only" in line
    assert len(printed_runs(proc.stdout)) == 2
    assert 'listed ["Agent0", "Agent1"]' in proc.stdout.splitlines()
    assert path.read_bytes() == before, "the damaged file is left untouched"
    assert [p.name for p in tmp_path.iterdir()] == ["runs.sqlite"]


# ---------------------------------------------------------------------- an I/O error
def test_write_error_reopens_the_file_and_writes_every_run_whole(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    directory.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.store_exit", "file-size-limit", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "StoreWarning: writing to run store" in line and "disk I/O error" in line
    states = {
        line.split()[1]: json.loads(line.split(" ", 2)[2])
        for line in proc.stdout.splitlines()
        if line.startswith("state ")
    }
    assert states["flush-first"] is True
    assert states["flush-limited"] is False and "I/O" in states["limited"]["degraded"]
    assert states["flush-unlimited"] is True and states["unlimited"] == {"degraded": None}
    runs = printed_runs(proc.stdout)
    copy = copy_main_file(directory / "runs.sqlite", tmp_path / "shared")
    assert stored_runs(copy) == {run[0]["run_id"]: run for run in runs}
