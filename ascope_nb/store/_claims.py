"""Experiment claims: one running experiment per name among all processes sharing a store.

A process that starts experiment ``name`` writes a row into ``experiment_claims`` (the name
is its primary key) inside one write transaction (SQLite: ``BEGIN IMMEDIATE``, which
serialises writers across processes; PostgreSQL: an advisory lock), so of two processes
starting the same name at once exactly one gets it. A claim whose process is gone (``kill
-9``, a crashed kernel: ``owner_is_alive``) is taken over, so a resume after a crash is never
refused.

Example:
    >>> from ascope_nb.store import RunStore
    >>> store = RunStore(":memory:")
    >>> claim_experiment(store, "capitals")
    >>> release_experiment(store, "capitals")
    >>> store.close()
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ..exceptions import ConfigError
from ._backend import is_busy
from ._connection import shown_target
from ._process import owner_is_alive, this_process

_log = logging.getLogger("ascope_nb.store")

_DDL = (
    "CREATE TABLE IF NOT EXISTS experiment_claims ("
    " name TEXT PRIMARY KEY, owner_pid INTEGER NOT NULL, owner_token TEXT NOT NULL,"
    " owner_host TEXT NOT NULL, claimed DOUBLE PRECISION NOT NULL)"
)
_PG_LOCK = 7316202  # pg_advisory_xact_lock key of the claims table (schema uses 7316201)
_BUSY_RETRY_SECONDS = 10.0  # a claim the database keeps refusing as busy is given up


class ExperimentRunningElsewhere(ConfigError):
    """Another live process sharing the run store runs an experiment of this name."""


def claim_experiment(store: Any, name: str) -> None:
    """Record that this process runs experiment ``name`` in ``store``.

    Raises ``ExperimentRunningElsewhere`` (one line naming the experiment, the other
    process and the store) when a live process holds the name. A database busy with another
    process's write is tried again for up to 10 s. When the claim cannot be written at all
    (a failing database, or one still busy), it says so in the log and lets the experiment
    run: a refused experiment would cost more than a rare duplicate.
    """
    deadline = time.monotonic() + _BUSY_RETRY_SECONDS
    while True:
        try:
            _claim_once(store, name)
            return
        except ExperimentRunningElsewhere:
            raise
        except Exception as exc:
            if is_busy(exc) and time.monotonic() < deadline:
                time.sleep(0.05)  # another process is writing: its transaction ends soon
                continue
            _log.warning(  # the database refused: run, but say the name is unguarded
                "experiment %r: could not record it in the run store (%s: %s); another "
                "process could start the same experiment meanwhile",
                name,
                type(exc).__name__,
                exc,
            )
            return


def _claim_once(store: Any, name: str) -> None:
    db = store._conn.db
    me = this_process()
    with db.lock:
        # the table is made inside the write transaction: made outside it, two processes
        # creating it at once could see one fail with "database is locked" at once
        db.begin()
        try:
            if db.dialect == "postgresql":
                db.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
            db.execute(_DDL)
            rows = db.query(
                "SELECT owner_pid, owner_token, owner_host FROM experiment_claims"
                " WHERE name = :name",
                {"name": name},
            )
            if rows:
                pid, token, host = rows[0]
                mine = (pid, token, host) == (me.pid, me.token, me.host)
                if not mine and owner_is_alive(pid, token, host):
                    where = "" if host == me.host else f" on {host}"
                    raise ExperimentRunningElsewhere(
                        f"experiment {name!r} is already running in another process "
                        f"(pid {pid}{where}) that shares the run store "
                        f"{shown_target(store.target)!r}: wait for it to end, or give "
                        "this one another name"
                    )
                db.execute("DELETE FROM experiment_claims WHERE name = :name", {"name": name})
            db.execute(
                "INSERT INTO experiment_claims (name, owner_pid, owner_token, owner_host,"
                " claimed) VALUES (:name, :pid, :token, :host, :t)",
                {"name": name, "pid": me.pid, "token": me.token, "host": me.host,
                 "t": time.time()},
            )  # fmt: skip
            db.commit()
        except BaseException:
            db.rollback()
            raise


def release_experiment(store: Any, name: str) -> None:
    """Drop this process's claim on experiment ``name`` (when the experiment ends)."""
    me = this_process()
    db = store._conn.db
    try:
        with db.lock:
            db.execute(_DDL)
            db.execute(
                "DELETE FROM experiment_claims WHERE name = :name AND owner_pid = :pid"
                " AND owner_token = :token AND owner_host = :host",
                {"name": name, "pid": me.pid, "token": me.token, "host": me.host},
            )
    except Exception as exc:  # a claim left behind is taken over once this process ends
        _log.info("experiment %r: claim not released: %s", name, exc)


def experiment_claims(store: Any) -> list[dict[str, Any]]:
    """The claimed experiment names, with their processes (for a person looking into it)."""
    db = store._conn.db
    with db.lock:
        db.execute(_DDL)
        rows = db.query(
            "SELECT name, owner_pid, owner_host, claimed FROM experiment_claims ORDER BY name"
        )
    return [dict(zip(("name", "pid", "host", "claimed"), row, strict=True)) for row in rows]


__all__ = [
    "ExperimentRunningElsewhere",
    "claim_experiment",
    "release_experiment",
    "experiment_claims",
]
