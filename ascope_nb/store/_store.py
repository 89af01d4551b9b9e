"""RunStore: every run's events, appended while the run happens, in SQLite or any SQL database.

The class is assembled from one file per job: ``_connection`` (the database and its
stand-in), ``_writing`` (queueing and committing events), ``_reading`` (queries and
frames) and ``_recovery`` (crash marking, summary rebuild).
"""

from __future__ import annotations

import os
from typing import Any

from ..events import Subscription
from ..exceptions import ConfigError
from . import _stores
from ._connection import Connection
from ._process import Owner, this_process
from ._reading import StoreReading
from ._recovery import StoreRecovery
from ._stores import default_store_target
from ._writer import Writer


class RunStore(StoreRecovery, StoreReading):
    """An append-only log of every run's events, with a ``runs`` summary table.

    The target is a file path (SQLite in WAL mode, ``synchronous=NORMAL``) or an SQLAlchemy
    URL (``postgresql://user@host/db``; SQLAlchemy and psycopg are imported only then). By
    default it is ``$ASCOPE_STORE`` or ``.ascope/runs.sqlite`` under the working directory.

    Writing never blocks the agent: ``attach()`` subscribes to every event of the process and
    a writer thread stores them in batches. Durability: an event of a kind in
    ``DURABLE_KINDS`` (run start/end, step end, tool result, completed message, approval,
    hint, feedback) is committed as soon as the writer has taken it and everything queued
    with it, typically well under a millisecond later; any other event at most ``linger``
    seconds later. ``flush()`` / ``await aflush()`` wait until everything queued so far is
    committed and ``await wait_durable(run_id, seq)`` until one event is: an agent that must
    have its step on disk before the next model call awaits that (cheap when already done).
    Committed means it survives the process being killed (``kill -9``); not a power loss
    with ``synchronous=NORMAL``.

    A SQLite file is checkpointed after each run ends and when the store closes (also at
    a normal exit of the process or the kernel), so the main file alone holds every run:
    copying ``runs.sqlite`` without its ``-wal`` loses nothing.

    If the file is read-only, locked or corrupt, or the database unreachable, when the
    store opens, it says so in one line (``StoreWarning``), sets ``degraded`` to the reason
    and keeps runs in an in-memory SQLite database behind the same API; the file is left
    untouched. If a write fails later (a full disk, a lost server), it says so once, holds
    the events from then on in memory, in order, and retries every second (and on
    ``flush()``): when the target is writable again they are all written, so no run is
    split between the file and memory, and ``degraded`` is None again. Meanwhile readers
    see what was committed, and ``flush()`` returns False.

    Example:
        >>> from ascope_nb.events import RunStarted, RunEnded
        >>> store = RunStore(":memory:")
        >>> store.append([RunStarted(run_id="r1", seq=0, agent="Friday"),
        ...               RunEnded(run_id="r1", seq=1, agent="Friday")])
        >>> store.flush()
        True
        >>> [e.kind for e in store.events("r1")]
        ['run_started', 'run_ended']
        >>> store.close()
    """

    def __init__(
        self,
        path_or_url: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 30.0,
        linger: float = 0.05,
        max_batch: int = 1000,
        mark_crashed: bool = True,
    ) -> None:
        if linger < 0 or max_batch < 1 or timeout <= 0:
            raise ConfigError("RunStore needs linger >= 0, max_batch >= 1 and timeout > 0")
        target = os.fspath(path_or_url) if path_or_url is not None else default_store_target()
        self.target = target
        self.timeout = timeout
        self._closed = False
        self._subscription: Subscription | None = None
        self._owner: Owner = this_process()
        self._held: list[dict[str, Any]] = []
        self._retry_at = 0.0
        self._reopen = False
        self._checkpoint_due = False
        self._conn = Connection(target, timeout=timeout)
        self._writer = Writer(
            self._write_batch, linger=linger, max_batch=max_batch, on_idle=self._maintain
        )
        self._writer.start()
        _stores.open_stores.add(self)
        if mark_crashed and not self.degraded:
            self.mark_crashed()

    @property
    def degraded(self) -> str | None:
        """Why the store keeps runs in memory instead of its target (None when it does not)."""
        return self._conn.degraded

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` of a SQLite store ("ok" when sound; "n/a" otherwise)."""
        return self._conn.integrity_check()

    def close(self, timeout: float | None = 30.0) -> None:
        """Detach, write what is queued, checkpoint and close the connection.

        Called for every open store when the process exits normally (a kernel shutdown
        included), so a SQLite file alone holds every run afterwards. Events still held
        back by a failing target are saved as JSON lines in the temp directory (one line
        says where).
        """
        if self._closed:
            return
        self.detach()
        self.flush(timeout)
        self._closed = True
        self._writer.stop()
        self._writer.join(timeout)
        _stores.open_stores.discard(self)
        if self._held and not self._writer.is_alive():
            self._retry_at = 0.0
            if not self._write_held():
                self._save_held()
        self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f" degraded={self.degraded!r}" if self.degraded else ""
        return f"RunStore({self.target!r}{state})"
