"""RunStore details that only PostgreSQL shows (the shared tests run there too, in test_store.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.events import RunEnded
from ascope_nb.store import RunStore, StoreWarning
from tests.support import postgres as pg
from tests.support.postgres import PostgresServer, postgres_server  # noqa: F401  (fixture)
from tests.support.store_runs import synthetic_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on the session's PostgreSQL server."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def raw(url: str, sql: str) -> list[tuple[Any, ...]]:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sqlalchemy.text(sql))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_missing_binaries_fail_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "find_bin_dir", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y postgresql"):
        pg.start_server()


def test_events_are_json_and_queryable(pg_url: str) -> None:
    url = pg_url
    events = synthetic_run("j1", n_steps=2)
    with RunStore(url) as store:
        store.append(events)
    types = raw(
        url,
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = 'events' AND column_name = 'data'",
    )
    assert types == [("json",)]
    names = raw(url, "SELECT data->>'name' FROM events WHERE kind = 'tool_call' ORDER BY seq")
    assert names == [(e.name,) for e in events if e.kind == "tool_call"]  # type: ignore[attr-defined]
    assert raw(url, "SELECT version FROM ascope_schema") == [(1,)]


def test_secrets_are_absent_from_the_raw_tables(pg_url: str) -> None:
    url = pg_url
    events = synthetic_run("s1", n_steps=1)
    events[0].metadata = {"headers": {"Authorization": "Bearer zzzzzzzzzzzzzzzz"}}  # type: ignore[attr-defined]
    with RunStore(url) as store:
        store.append(events)
    dump = raw(url, "SELECT data::text FROM events")
    assert len(dump) == len(events)
    assert not any("zzzzzzzz" in text for (text,) in dump)


def test_newer_schema_version_degrades(pg_url: str) -> None:
    url = pg_url
    RunStore(url).close()
    raw(url, "UPDATE ascope_schema SET version = 99")
    with pytest.warns(StoreWarning, match="newer"):
        store = RunStore(url)
    assert store.degraded is not None
    store.close()
    assert raw(url, "SELECT version FROM ascope_schema") == [(99,)]  # left as it was


def test_sigkill_mid_run_on_postgres(pg_url: str) -> None:
    url = pg_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.store_runs", "kill-me", url, "k1", "--steps", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    durable: list[int] = []
    for line in proc.stdout:
        if line.startswith("durable"):
            durable.append(int(line.split()[2]))
        if line.startswith("streaming"):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert len(durable) == 3
    with RunStore(url) as store:
        events = store.events("k1")
        assert [e.seq for e in events] == list(range(len(events)))
        expected = synthetic_run("k1", n_steps=3)[: durable[-1] + 1]
        assert [e.kind for e in events[: durable[-1] + 1]] == [e.kind for e in expected]
        assert isinstance(events[-1], RunEnded) and events[-1].status == "crashed"


def test_server_restart_mid_run_holds_events_and_writes_the_run_whole() -> None:
    server = pg.start_server()  # a server of its own: this test stops it
    try:
        url = server.new_database().replace("//postgres@", "//postgres:hunter2@")  # trust auth
        events = synthetic_run("across", n_steps=3)
        store = RunStore(url)
        try:
            store.append(events[:8])
            assert store.flush()
            server.stop()  # immediate: the store's connection is cut
            with pytest.warns(StoreWarning, match="held in memory") as caught:
                store.append(events[8:])
                assert not store.flush(20)
            assert len(caught) == 1
            message = str(caught[0].message)
            assert "\n" not in message and "hunter2" not in message and "***" in message
            assert store.degraded and "writing to run store" in store.degraded
            options = f"-p {server.port} -k {server.base} -c listen_addresses=127.0.0.1"
            log = os.path.join(server.base, "server.log")  # not our pipe: pg_ctl returns
            started = server._run(
                "pg_ctl", "-D", server.data_dir, "-o", options, "-l", log, "-w", "start"
            )
            assert started.returncode == 0, started.stderr
            assert store.flush(30)
            assert store.degraded is None
            assert [e.to_dict() for e in store.events("across")] == [e.to_dict() for e in events]
        finally:
            store.close()
        assert raw(url, "SELECT status, n_events FROM runs") == [("completed", len(events))]
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)
