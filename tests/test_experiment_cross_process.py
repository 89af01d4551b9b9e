"""The same experiment started by two processes sharing one run store (issue 27, item 10):
exactly one runs it, the other is refused in one line naming the experiment, the other
process and the store; a claim left by a killed process does not block a resume."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ascope_nb.store import RunStore
from ascope_nb.store._claims import claim_experiment, experiment_claims

N_SAMPLES = 6

_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, sys, time
    from pathlib import Path
    from ascope_nb import ReActAgent
    from ascope_nb.evaluate import experiment
    from ascope_nb.exceptions import ConfigError
    from ascope_nb.testing import FunctionModel

    go, pause = Path(sys.argv[1]), float(sys.argv[2])
    DATA = [{"input": f"What is {i} + 1?", "target": i + 1} for i in range(int(sys.argv[3]))]

    async def slow(messages, tools):
        await asyncio.sleep(pause)
        return "1"

    async def main():
        (go.parent / f"ready-{os.getpid()}").touch()  # imports done
        while not go.exists():  # both processes start the experiment at the same moment
            time.sleep(0.001)
        try:
            exp = experiment(agent=ReActAgent("F", "", FunctionModel(slow)), dataset=DATA,
                             metrics=["numeric"], name="shared", concurrency=2)
        except ConfigError as exc:
            print(json.dumps({"refused": str(exc)}), flush=True)
            return
        print(json.dumps({"started": os.getpid()}), flush=True)
        await exp
        print(json.dumps({"ran": exp.counts(), "resumed": exp.resumed}), flush=True)

    asyncio.run(main())
    """
)


def _start(tmp_path: Path, go: Path, *, pause: float) -> subprocess.Popen[str]:
    script = tmp_path / "start_shared.py"
    script.write_text(_SCRIPT)
    env = {**os.environ, "ASCOPE_STORE": str(tmp_path / "runs.sqlite")}
    return subprocess.Popen(
        [sys.executable, str(script), str(go), str(pause), str(N_SAMPLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_ready(procs: list[subprocess.Popen[str]], folder: Path) -> None:
    """Until every process has imported everything and waits for the go file."""
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready-*"))) < len(procs):
        for proc in procs:
            assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the processes did not get ready"
        time.sleep(0.05)


def test_two_processes_start_the_same_experiment_at_once_and_exactly_one_runs(
    tmp_path: Path,
) -> None:
    go = tmp_path / "go"
    procs = [_start(tmp_path, go, pause=0.3) for _ in range(2)]
    _wait_ready(procs, tmp_path)
    go.touch()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append([json.loads(line) for line in out.splitlines() if line.startswith("{")])
    refused = [o for o in outputs if o and "refused" in o[0]]
    ran = [o for o in outputs if o and "started" in o[0]]
    assert len(refused) == 1 and len(ran) == 1, outputs
    line = refused[0][0]["refused"]
    assert "\n" not in line and "'shared'" in line and "another process" in line
    assert f"pid {ran[0][0]['started']}" in line and "runs.sqlite" in line
    assert ran[0][-1]["ran"] == {"completed": N_SAMPLES}
    store = RunStore(tmp_path / "runs.sqlite")
    try:
        assert len(store.runs()) == N_SAMPLES  # one run per sample, not two
        assert experiment_claims(store) == []  # released when it ended
    finally:
        store.close()


def test_a_claim_left_by_a_killed_process_does_not_block_the_resume(tmp_path: Path) -> None:
    go = tmp_path / "go"
    go.touch()
    first = _start(tmp_path, go, pause=30.0)  # never finishes on its own
    assert first.stdout is not None
    started = json.loads(first.stdout.readline())
    assert "started" in started
    store = RunStore(tmp_path / "runs.sqlite", mark_crashed=False)
    try:
        assert [c["name"] for c in experiment_claims(store)] == ["shared"]
    finally:
        store.close()
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    second = _start(tmp_path, go, pause=0.01)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert "started" in lines[0], lines
    assert lines[-1]["ran"] == {"completed": N_SAMPLES}


def _busy_once(store: RunStore, monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    """The store's next ``BEGIN IMMEDIATE`` fails as SQLite does when another process
    created the claims table a moment before (at once, without the busy timeout)."""
    db = store._conn.db
    real_begin = db.begin

    def begin() -> None:
        calls.append("begin")
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        real_begin()

    monkeypatch.setattr(db, "begin", begin)


def test_a_claim_meeting_a_busy_database_is_tried_again_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    calls: list[str] = []
    try:
        _busy_once(store, monkeypatch, calls)
        with caplog.at_level(logging.WARNING, logger="ascope_nb.store"):
            claim_experiment(store, "shared")
        assert calls == ["begin", "begin"]
        assert [c["name"] for c in experiment_claims(store)] == ["shared"]
        assert "could not record" not in caplog.text  # guarded, not run unguarded
    finally:
        store.close()


def test_a_failing_database_runs_the_experiment_unguarded_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    try:

        def broken() -> None:
            raise sqlite3.DatabaseError("file is not a database")

        monkeypatch.setattr(store._conn.db, "begin", broken)
        with caplog.at_level(logging.WARNING, logger="ascope_nb.store"):
            claim_experiment(store, "shared")  # returns: the experiment may run
        warnings = [r for r in caplog.records if "could not record" in r.getMessage()]
        assert len(warnings) == 1 and "'shared'" in warnings[0].getMessage()
    finally:
        store.close()
