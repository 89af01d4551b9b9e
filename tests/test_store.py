"""RunStore on real SQLite files (and the same tests on a real PostgreSQL server)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.events import (
    ApprovalRequested,
    Event,
    FeedbackGiven,
    HintInjected,
    RunContext,
    RunEnded,
    StepEnded,
    TextDelta,
    ToolCall,
    event_from_dict,
)
from ascope_nb.store import REDACTED, RunStore, StoreWarning, scrub
from tests.support.postgres import PostgresServer, postgres_server  # noqa: F401  (fixture)
from tests.support.store_runs import steering_run, synthetic_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a SQLite file, or a fresh database on the test PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "store" / "runs.sqlite")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def store(target: str) -> Iterator[RunStore]:
    s = RunStore(target)
    assert s.degraded is None
    yield s
    s.close()


def as_data(events: list[Event]) -> list[dict[str, Any]]:
    return [e.to_dict() for e in events]


def summary(events: list[Event]) -> dict[str, Any]:
    """The runs row expected from a list of events, computed from the events themselves."""
    usage = [e.usage or {} for e in events if e.kind == "model_call_ended"]  # type: ignore[attr-defined]
    ended = [e for e in events if isinstance(e, RunEnded)]
    return {
        "status": ended[-1].status if ended else "running",
        "input_tokens": sum(u.get("input_tokens", 0) for u in usage),
        "output_tokens": sum(u.get("output_tokens", 0) for u in usage),
        "n_steps": sum(e.kind == "step_started" for e in events),
        "n_tool_calls": sum(e.kind == "tool_call" for e in events),
        "n_events": len(events),
    }


def row_of(store: RunStore, run_id: str) -> dict[str, Any]:
    frame = store.runs()
    rows = frame[frame["run_id"] == run_id].to_dict("records")
    assert len(rows) == 1, rows
    return rows[0]


def run_subprocess(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.store_runs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---------------------------------------------------------------------- round trip
def test_round_trip_keeps_every_event_as_data(store: RunStore) -> None:
    events = synthetic_run("r1", n_steps=3)
    events[3].delta = "unicode ✓ and a NUL \x00 byte"  # type: ignore[attr-defined]
    store.append(events)
    assert store.flush()
    back = store.events("r1")
    assert as_data(back) == as_data(events)
    assert [type(e) for e in back] == [type(e) for e in events]
    row = row_of(store, "r1")
    assert {k: row[k] for k in summary(events)} == summary(events)
    assert row["agent"] == "Friday" and row["model"] == "scripted"
    assert row["duration"] == pytest.approx(events[-1].ts - events[0].ts)


def test_attached_store_records_the_global_stream(store: RunStore) -> None:
    store.attach()
    ctx = RunContext("live-1", keep_events=True)
    for event in synthetic_run("ignored", n_steps=2):
        event.seq = -1
        ctx.emit(event)
    RunContext("").emit(TextDelta(delta="outside any run"))  # no run id: not stored
    store.detach()
    ctx.emit(TextDelta(delta="after detach"))
    assert store.flush()
    assert as_data(store.events("live-1")) == as_data(ctx.events[:-1])
    assert store.events("") == []


def test_summary_can_be_rebuilt_from_events(store: RunStore) -> None:
    store.append(synthetic_run("r1", n_steps=2))
    store.append(steering_run("r2"))
    store.add_feedback("r1", score=0.5, label="down", comment="meh")
    before = store.runs().sort_values("run_id").reset_index(drop=True)
    store.rebuild_runs()
    after = store.runs().sort_values("run_id").reset_index(drop=True)
    import pandas.testing

    pandas.testing.assert_frame_equal(before, after)
    assert len(after) == 2
    assert after.set_index("run_id").loc["r1", "feedback_label"] == "down"


# ---------------------------------------------------------------------- concurrency
def _emit_run(run_id: str, n_steps: int) -> list[Event]:
    ctx = RunContext(run_id, keep_events=True)
    for event in synthetic_run(run_id, n_steps=n_steps):
        event.seq = -1
        ctx.emit(event)
    return ctx.events


def test_sixteen_threads_through_one_attached_store(store: RunStore) -> None:
    store.attach()
    emitted: dict[str, list[Event]] = {}
    threads = [
        threading.Thread(target=lambda i=i: emitted.update({f"t{i}": _emit_run(f"t{i}", 20)}))
        for i in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.flush(60)
    assert len(emitted) == 16
    for run_id, events in emitted.items():
        assert as_data(store.events(run_id)) == as_data(events)
    frame = store.runs()
    assert sorted(frame["run_id"]) == sorted(emitted)
    assert set(frame["status"]) == {"completed"}


async def test_sixteen_asyncio_tasks_through_one_attached_store(store: RunStore) -> None:
    store.attach()

    async def run(i: int) -> list[Event]:
        ctx = RunContext(f"a{i}", keep_events=True)
        for event in synthetic_run(f"a{i}", n_steps=10):
            event.seq = -1
            ctx.emit(event)
            if isinstance(event, StepEnded):
                assert await store.wait_durable(ctx.run_id, event.seq)
                assert store.is_durable(ctx.run_id, event.seq)
            await asyncio.sleep(0)
        return ctx.events

    results = await asyncio.gather(*(run(i) for i in range(16)))
    assert await store.aflush()
    for events in results:
        assert as_data(store.events(events[0].run_id)) == as_data(events)


def test_two_store_instances_on_one_target(target: str) -> None:
    stores = [RunStore(target), RunStore(target)]
    expected: dict[str, list[Event]] = {}

    def write(i: int) -> None:
        events = synthetic_run(f"s{i}", n_steps=10)
        expected[f"s{i}"] = events
        for event in events:  # one by one: the writers interleave
            stores[i % 2].append(event)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s.flush(60) for s in stores)
    assert all(s.degraded is None for s in stores)
    for s in stores:
        s.close()
    with RunStore(target) as reader:
        for run_id, events in expected.items():
            assert as_data(reader.events(run_id)) == as_data(events)
        assert len(reader.runs()) == 16


def test_processes_write_one_target_concurrently(target: str) -> None:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.store_runs",
                "write",
                target,
                f"p{i}",
                "--runs",
                "4",
                "--steps",
                "8",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    with RunStore(target) as store:  # and this process at the same time
        for i in range(4):
            store.append(synthetic_run(f"main-{i}", n_steps=8))
        assert store.flush(60)
        outputs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outputs
        assert [o[0].strip() for o in outputs] == ["ok"] * 3, outputs
        assert not any("StoreWarning" in o[1] or "locked" in o[1] for o in outputs), outputs
        frame = store.runs()
        assert len(frame) == 16
        assert set(frame["status"]) == {"completed"}
        expected_events = len(synthetic_run("x", n_steps=8))
        assert set(frame["n_events"]) == {expected_events}
        for run_id in frame["run_id"]:
            assert [e.seq for e in store.events(run_id)] == list(range(expected_events))


def test_duplicate_events_are_stored_once(store: RunStore) -> None:
    events = synthetic_run("dup", n_steps=2)
    store.append(events[:10])
    assert store.flush()
    store.append(events)  # a re-import overlapping what is stored
    assert store.flush()
    assert store.degraded is None
    assert as_data(store.events("dup")) == as_data(events)
    assert {k: row_of(store, "dup")[k] for k in summary(events)} == summary(events)


# ---------------------------------------------------------------------- durability policy
def test_durable_kinds_commit_without_waiting_for_linger(target: str) -> None:
    with RunStore(target, linger=30.0) as store:
        events = synthetic_run("d1", n_steps=1)
        delta = next(e for e in events if isinstance(e, TextDelta))
        store.append(delta)
        time.sleep(0.3)
        assert not store.is_durable("d1", delta.seq)  # a delta alone waits for linger
        step_end = next(e for e in events if isinstance(e, StepEnded))
        store.append(step_end)
        deadline = time.monotonic() + 5
        while not store.is_durable("d1", step_end.seq) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert store.is_durable("d1", step_end.seq)
        assert store.is_durable("d1", delta.seq)
        assert [e.seq for e in store.events("d1")] == [delta.seq, step_end.seq]


# ---------------------------------------------------------------------- crashes
def test_run_of_a_dead_process_is_marked_crashed_on_open(target: str) -> None:
    done = run_subprocess("start-only", target, "orphan")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    with RunStore(target) as store:
        events = store.events("orphan")
        assert isinstance(events[-1], RunEnded) and events[-1].status == "crashed"
        assert [e.seq for e in events] == list(range(len(events)))
        assert row_of(store, "orphan")["status"] == "crashed"


def test_run_of_a_live_process_is_not_marked(target: str) -> None:
    with RunStore(target) as owner:
        owner.append(synthetic_run("mine", n_steps=1)[:-2])
        assert owner.flush()
        with RunStore(target) as other:  # same process: the owner is alive
            assert row_of(other, "mine")["status"] == "running"
            assert other.mark_crashed() == []
            assert other.mark_crashed(run_ids=["mine"]) == ["mine"]
            assert row_of(other, "mine")["status"] == "crashed"


def test_sigkill_mid_run_keeps_every_durable_step(tmp_path: Path) -> None:
    path = str(tmp_path / "runs.sqlite")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.store_runs", "kill-me", path, "k1", "--steps", "4"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    durable: list[tuple[int, int]] = []
    for line in proc.stdout:
        if line.startswith("durable"):
            _, step, seq = line.split()
            durable.append((int(step), int(seq)))
        if line.startswith("streaming"):
            break
    time.sleep(0.3)  # let it stream deltas (and commit some) before the kill
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert [s for s, _ in durable] == [0, 1, 2, 3]
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with RunStore(path) as store:
        assert store.integrity_check() == "ok"
        events = store.events("k1")
        seqs = [e.seq for e in events]
        assert seqs == list(range(len(events)))  # no gaps
        last_step_seq = durable[-1][1]
        expected = synthetic_run("k1", n_steps=4)[: last_step_seq + 1]
        stored_kinds = [e.kind for e in events[: last_step_seq + 1]]
        assert stored_kinds == [e.kind for e in expected]
        assert isinstance(events[-1], RunEnded) and events[-1].status == "crashed"
        assert row_of(store, "k1")["status"] == "crashed"


# ---------------------------------------------------------------------- failures
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _use_degraded(store: RunStore) -> None:
    events = synthetic_run("kept", n_steps=2)
    store.append(events)
    assert store.flush()
    assert as_data(store.events("kept")) == as_data(events)
    assert row_of(store, "kept")["status"] == "completed"


def test_read_only_file_falls_back_to_memory(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    path = directory / "runs.sqlite"
    with RunStore(str(path)) as first:
        first.append(synthetic_run("old", n_steps=1))
    digest = _file_digest(path)
    os.chmod(path, 0o444)
    os.chmod(directory, 0o555)
    try:
        with pytest.warns(StoreWarning, match="read-only") as caught:
            store = RunStore(str(path))
        assert len(caught) == 1
        assert store.degraded and "read-only" in store.degraded
        _use_degraded(store)
        store.close()
    finally:
        os.chmod(directory, 0o755)
        os.chmod(path, 0o644)
    assert _file_digest(path) == digest


def test_corrupt_file_falls_back_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    path.write_bytes(os.urandom(4096))
    digest = _file_digest(path)
    with pytest.warns(StoreWarning) as caught:
        store = RunStore(str(path))
    assert len(caught) == 1
    assert store.degraded and "not a database" in store.degraded
    _use_degraded(store)
    store.close()
    assert _file_digest(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.sqlite"]


def test_a_new_file_another_process_is_opening_is_waited_for_not_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes opening one new store at once: the one that does not get to switch the
    # file to WAL is told "database is locked" at once (no busy wait). Once, here.
    from ascope_nb.store import _connection

    real, refused = _connection.SQLiteBackend, []

    def backend(path: str, *, timeout: float = 30.0) -> Any:
        if not refused:
            refused.append(path)
            raise sqlite3.OperationalError("database is locked")
        return real(path, timeout=timeout)

    monkeypatch.setattr(_connection, "SQLiteBackend", backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)  # no "kept in memory only" notice
        store = RunStore(str(tmp_path / "runs.sqlite"))
    try:
        assert refused and store.degraded is None
        store.append(synthetic_run("kept", n_steps=1))
        assert store.flush()
    finally:
        store.close()
    with RunStore(str(tmp_path / "runs.sqlite")) as again:
        assert list(again.runs()["run_id"]) == ["kept"]


def test_locked_file_falls_back_to_memory(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(str(path)) as first:
        first.append(synthetic_run("old", n_steps=1))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            store = RunStore(str(path), timeout=0.2)
        store_warnings = [w for w in caught if issubclass(w.category, StoreWarning)]
        assert len(store_warnings) == 1
        assert store.degraded and "locked" in store.degraded
        _use_degraded(store)
        store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with RunStore(str(path)) as reopened:  # the file itself is fine
        assert [e.kind for e in reopened.events("old")][-1] == "run_ended"


def test_unreachable_database_url_falls_back(tmp_path: Path) -> None:
    with pytest.warns(StoreWarning):
        store = RunStore("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert store.degraded and "127.0.0.1" in store.degraded
    _use_degraded(store)
    store.close()


# ---------------------------------------------------------------------- where it lives
def test_default_path_and_environment_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASCOPE_STORE", raising=False)
    with RunStore() as store:
        store.append(synthetic_run("here", n_steps=1))
    assert (tmp_path / ".ascope" / "runs.sqlite").exists()
    other = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("ASCOPE_STORE", str(other))
    with RunStore() as store:
        assert store.events("here") == []
        store.append(synthetic_run("there", n_steps=1))
    with RunStore(f"sqlite:///{other}") as by_url:
        assert by_url.run_ids() == ["there"]
    mode = stat.S_IMODE(os.stat(tmp_path / ".ascope").st_mode)
    assert mode & 0o700 == 0o700


# ---------------------------------------------------------------------- secrets
def test_scrub_replaces_secrets_and_keeps_the_rest() -> None:
    data = {
        "headers": {"Authorization": "Bearer abc.def.ghi", "X-Api-Key": "k1", "Accept": "json"},
        "client_kwargs": {"api_key": "sk-proj-0123456789abcdefXYZ", "base_url": "http://h"},
        "usage": {"input_tokens": 12, "output_tokens": 3},
        "accessToken": "tok",
        "password": "hunter2",
        "text": "my key is sk-0123456789abcdefghij and that's it",
        "auth_header": "Bearer 0123456789abcdef",
        "nested": [{"secret": {"a": 1}}, "AKIAABCDEFGHIJKLMNOP"],
        "token": 7,
    }
    original = repr(data)
    clean = scrub(data)
    assert repr(data) == original  # not changed in place
    assert clean == {
        "headers": {"Authorization": REDACTED, "X-Api-Key": REDACTED, "Accept": "json"},
        "client_kwargs": {"api_key": REDACTED, "base_url": "http://h"},
        "usage": {"input_tokens": 12, "output_tokens": 3},
        "accessToken": REDACTED,
        "password": REDACTED,
        "text": f"my key is {REDACTED} and that's it",
        "auth_header": REDACTED,
        "nested": [{"secret": REDACTED}, REDACTED],
        "token": 7,
    }


def test_secrets_never_reach_the_store(store: RunStore, target: str) -> None:
    events = synthetic_run("s1", n_steps=1)
    events[0].metadata = {"client_kwargs": {"api_key": "sk-live-ABCDEFGHIJKLMNOP1234"}}  # type: ignore[attr-defined]
    events.insert(1, HintInjected(run_id="s1", seq=-1, text="use Bearer qwertyuiopasdf"))
    for seq, event in enumerate(events):
        event.seq = seq
    store.append(events)
    assert store.flush()
    stored = store.events("s1")
    assert stored[0].metadata == {"client_kwargs": {"api_key": REDACTED}}  # type: ignore[attr-defined]
    assert stored[1].text == f"use Bearer {REDACTED}"  # type: ignore[attr-defined]
    raw = [str(d) for d in store.event_dicts("s1")]
    assert not any("ABCDEFGHIJKLMNOP" in r or "qwertyuiop" in r for r in raw)
    if not target.startswith("postgresql"):
        with sqlite3.connect(target) as conn:
            dump = "\n".join(conn.iterdump())
        assert "ABCDEFGHIJKLMNOP" not in dump and "qwertyuiop" not in dump


# ---------------------------------------------------------------------- DataFrames
def test_runs_frame_filters(store: RunStore) -> None:
    store.append(synthetic_run("a1", agent="Alice", n_steps=1))
    store.append(synthetic_run("b1", agent="Bob", n_steps=2, status="error"))
    old = synthetic_run("b0", agent="Bob", n_steps=1)
    for event in old:
        event.ts -= 7200
    store.append(old)
    assert store.flush()
    frame = store.runs()
    assert list(frame["run_id"]) == ["b1", "a1", "b0"]  # newest first
    assert list(frame.columns[:5]) == ["run_id", "agent", "model", "title", "status"]
    assert sorted(store.runs(agent="Bob")["run_id"]) == ["b0", "b1"]
    assert list(store.runs(status="error")["run_id"]) == ["b1"]
    assert sorted(store.runs(since=timedelta(hours=1))["run_id"]) == ["a1", "b1"]
    assert len(store.runs(limit=2)) == 2
    assert frame.set_index("run_id").loc["b1", "n_steps"] == 2


def test_steps_messages_and_tool_calls(store: RunStore) -> None:
    events = synthetic_run("r1", n_steps=3)
    store.append(events)
    assert store.flush()
    steps = store.steps("r1")
    assert list(steps["step"]) == [0, 1, 2]
    usage = [e.usage for e in events if e.kind == "model_call_ended"]  # type: ignore[attr-defined]
    assert list(steps["input_tokens"]) == [u["input_tokens"] for u in usage]
    assert list(steps["text"]) == [f"thinking about step {i}" for i in range(3)]
    assert (steps["duration"] > 0).all()
    messages = store.messages(["r1"])
    completed = [e for e in events if e.kind == "message_completed"]
    assert list(messages["msg_id"]) == [e.msg["id"] for e in completed]  # type: ignore[attr-defined]
    assert list(messages["content"]) == [e.msg["content"] for e in completed]  # type: ignore[attr-defined]
    calls = store.tool_calls(store.runs())
    assert list(calls["input"]) == [{"a": i, "b": 1} for i in range(3)]
    assert list(calls["output_text"]) == ["1", "2", "3"]
    assert set(calls["state"]) == {"success"}


def test_step_and_tool_tables_are_the_fold(store: RunStore) -> None:
    from ascope_nb.fold import RunFold

    events = synthetic_run("f1", n_steps=3) + steering_run("f2")
    pending = ToolCall(step=2, tool_call_id="c3", name="shell", input={"cmd": "pwd"})
    asked = ApprovalRequested(tool_call_id="c3", name="shell", input={"cmd": "pwd"})
    for seq, event in enumerate((pending, asked), start=len(steering_run("f2")) - 1):
        event.run_id, event.seq, event.agent = "f3", seq, "Friday"
    store.append([*events, pending, asked])
    assert store.flush()
    for run_id in ("f1", "f2"):
        fold = RunFold().extend(e.to_dict() for e in store.events(run_id))
        steps = store.steps(run_id)
        assert list(steps["step"]) == [s["step"] for s in fold.steps()]
        assert list(steps["text"]) == [s["text"] for s in fold.steps()]
        assert list(steps["output_tokens"]) == [s["output_tokens"] for s in fold.steps()]
        calls = store.tool_calls(run_id)
        records = [c for _, c in fold.tool_calls()]
        assert list(calls["tool_call_id"]) == [c["id"] for c in records]
        assert list(calls["input"]) == [c["input"] for c in records]
        assert list(calls["state"]) == [c["state"] for c in records]
    waiting = store.tool_calls("f3").iloc[0]  # asked, not decided, no result yet
    assert (waiting["approval"], waiting["state"], waiting["output_text"]) == (
        "pending",
        None,
        None,
    )
    assert waiting["duration"] != waiting["duration"]  # NaN: it has not run


def test_steering_approvals_and_feedback(store: RunStore) -> None:
    store.append(steering_run("st"))
    assert store.flush()
    calls = store.tool_calls("st").set_index("tool_call_id")
    assert calls.loc["c1", "approval"] == "denied" and calls.loc["c1", "state"] == "denied"
    assert calls.loc["c2", "approval"] == "edited"
    assert calls.loc["c2", "input"] == {"cmd": "ls"}  # what ran, as the fold and exports say
    assert calls.loc["c2", "original_input"] == {"cmd": "ls -la"}  # what the model asked
    assert calls.loc["c1", "original_input"] == calls.loc["c1", "input"] == {"cmd": "rm -rf /"}
    assert calls.loc["c2", "executed_input"] == calls.loc["c2", "input"]  # deprecated alias
    steering = store.steering("st")
    edit = steering[steering["decision"] == "edited"].iloc[0]  # one naming across the tables
    assert (edit["input"], edit["original_input"]) == (
        calls.loc["c2", "input"],
        calls.loc["c2", "original_input"],
    )
    assert list(steering["kind"]) == ["approval", "hint", "approval"]
    assert list(steering["decision"].fillna("-")) == ["denied", "-", "edited"]
    assert steering.iloc[1]["text"] == "list the files instead"
    event = store.add_feedback("st", score=1.0, label="up", comment="good save")
    assert isinstance(event, FeedbackGiven) and event.seq == len(steering_run("st"))
    store.add_feedback("st", label="down", step=1)
    feedback = store.feedback("st")
    assert list(feedback["label"]) == ["up", "down"]
    assert list(feedback["comment"]) == ["good save", ""]
    row = row_of(store, "st")
    assert (row["feedback_score"], row["feedback_label"]) == (1.0, "up")  # run-level only
    assert event_from_dict(store.events("st")[-2].to_dict()) == event


def test_feedback_on_a_running_or_unknown_run_is_refused(store: RunStore) -> None:
    store.append(synthetic_run("live", n_steps=1)[:-2])
    assert store.flush()
    from ascope_nb.exceptions import AscopeError

    with pytest.raises(AscopeError, match="still running"):
        store.add_feedback("live", label="up")
    with pytest.raises(AscopeError, match="no stored run"):
        store.add_feedback("nope", label="up")
