"""The store's database connection: opened on the target, or an in-memory stand-in when the
target cannot be used; shared by the writer thread and readers under one lock."""

from __future__ import annotations

import logging
import os
import re
import time
import warnings
from typing import Any

from ._backend import (
    Backend,
    SQLAlchemyBackend,
    SQLiteBackend,
    is_busy,
    is_url,
    read_only_reason,
    sqlite_path_of_url,
)
from ._schema import create_schema

_log = logging.getLogger("ascope_nb.store")


class StoreWarning(UserWarning):
    """The run store cannot use its file or database and keeps runs in memory instead."""


def shown_target(target: str) -> str:
    """The target as messages show it: a URL's password replaced by ``***``.

    Example:
        >>> shown_target("postgresql://ada:s3cret@db/runs")
        'postgresql://ada:***@db/runs'
    """
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", target) if is_url(target) else target


def describe(exc: BaseException) -> str:
    """``Type: message`` of a database error in one line (the driver's own error when
    SQLAlchemy wraps it, without the SQL and parameters SQLAlchemy appends)."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def notice(message: str) -> None:
    """Tell the user about the store in ONE line: a ``StoreWarning`` without a source line
    (filters, ``pytest.warns`` and ``-W error`` apply) and a log record at INFO level."""
    _log.info("ascope_nb store: %s", message)
    warnings.warn_explicit(message, StoreWarning, "ascope_nb.store", 0, module="ascope_nb.store")


class Connection:
    """One database connection of a ``RunStore``, or an in-memory SQLite database standing
    in for a target that cannot be used when the store opens (then ``in_memory`` is True and
    ``degraded`` says why).

    Durability: a SQLite file is checkpointed (its ``-wal`` copied into the main file) when
    asked, e.g. after a run ends, and on ``close``, so the main file alone holds every run
    after a clean exit.

    Example:
        >>> conn = Connection(":memory:", timeout=5.0)
        >>> conn.query("SELECT COUNT(*) FROM runs")
        [(0,)]
        >>> conn.close()
    """

    def __init__(self, target: str, *, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self.degraded: str | None = None
        self.in_memory = False  # True when an in-memory database stands in for the target
        self.db: Backend = self._open(target)

    # ------------------------------------------------------------------ opening
    def _open(self, target: str) -> Backend:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                db = self._connect(target)
                try:
                    create_schema(db)
                except BaseException:
                    db.close()
                    raise
                return db
            except Exception as exc:
                if is_busy(exc) and time.monotonic() < deadline:
                    # another process is opening the same new file (switching it to WAL,
                    # making its tables): SQLite says "locked" at once, not after a wait
                    time.sleep(0.05)
                    continue
                shown = shown_target(target)  # any other failure: keep working in memory
                return self._fall_back(
                    f"cannot use run store {shown!r}: {type(exc).__name__}: {exc}"
                )

    def _connect(self, target: str) -> Backend:
        if is_url(target):
            path = sqlite_path_of_url(target)
            if path is None:
                return SQLAlchemyBackend(target)
            target = path
        if target != ":memory:":
            reason = read_only_reason(target)
            if reason:
                raise PermissionError(reason)
            directory = os.path.dirname(os.path.abspath(target))
            os.makedirs(directory, exist_ok=True)
        return SQLiteBackend(target, timeout=self.timeout)

    def _fall_back(self, reason: str) -> Backend:
        """Say so once and return an in-memory database with the store's tables."""
        self.degraded = reason
        self.in_memory = True
        notice(f"{reason}; runs are kept in memory only (lost when the kernel stops)")
        db = SQLiteBackend(":memory:")
        create_schema(db)
        return db

    def reattach(self) -> bool:
        """Open the target again and use the new connection (after a write failure that
        may have left the old one unusable); False, keeping the old one, if it cannot."""
        if self.in_memory:
            return False
        try:
            db = self._connect(self.target)
            try:
                create_schema(db)
            except BaseException:
                db.close()
                raise
        except Exception as exc:
            _log.info("ascope_nb store: cannot reopen %r yet: %s", self.target, exc)
            return False
        old, self.db = self.db, db
        with old.lock:
            try:
                old.close()
            except Exception:  # a broken connection may refuse a clean close
                pass
        return True

    # ------------------------------------------------------------------ using
    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows of one read, under the connection's lock."""
        db = self.db
        with db.lock:
            return db.query(sql, params)

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` of a SQLite store ("ok" when sound; "n/a" otherwise)."""
        db = self.db
        if isinstance(db, SQLiteBackend):
            with db.lock:
                return db.integrity_check()
        return "n/a"

    def checkpoint(self) -> bool:
        """Copy what is committed into the main database file without waiting for other
        connections (a no-op except for SQLite files); False if it could not."""
        db = self.db
        with db.lock:
            try:
                db.checkpoint()
                return True
            except Exception as exc:  # e.g. a full disk: the -wal keeps it, retried later
                _log.info("ascope_nb store: checkpoint of %r failed: %s", self.target, exc)
                return False

    def close(self) -> None:
        """Checkpoint and close the connection (the last connection to a SQLite file also
        removes its ``-wal`` file)."""
        self.checkpoint()
        with self.db.lock:
            self.db.close()
