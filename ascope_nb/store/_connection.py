"""The store's database connection: opened on the target, or an in-memory stand-in when the
target cannot be used; shared by the writer thread and readers under one lock."""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

from ._backend import (
    Backend,
    SQLAlchemyBackend,
    SQLiteBackend,
    is_url,
    read_only_reason,
    sqlite_path_of_url,
)
from ._schema import create_schema

_log = logging.getLogger("ascope_nb.store")


class StoreWarning(UserWarning):
    """The run store cannot use its file or database and keeps runs in memory instead."""


class Connection:
    """One database connection of a ``RunStore``, or an in-memory SQLite database standing
    in for a target that cannot be used (then ``degraded`` says why).

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
        self.db: Backend = self._open(target)

    # ------------------------------------------------------------------ opening
    def _open(self, target: str) -> Backend:
        try:
            db = self._connect(target)
            try:
                create_schema(db)
            except BaseException:
                db.close()
                raise
            return db
        except Exception as exc:  # any failure to open: keep working in memory
            return self.fall_back(
                f"cannot use run store {target!r}: {type(exc).__name__}: {exc}", stacklevel=5
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

    def fall_back(self, reason: str, *, stacklevel: int) -> Backend:
        """Warn once and return an in-memory database with the store's tables."""
        self._degrade_notice(reason, stacklevel=stacklevel + 1)
        db = SQLiteBackend(":memory:")
        create_schema(db)
        return db

    def _degrade_notice(self, reason: str, *, stacklevel: int) -> None:
        self.degraded = reason
        message = f"{reason}; runs are kept in memory only (lost when the kernel stops)"
        _log.warning("ascope_nb store: %s", message)
        warnings.warn(message, StoreWarning, stacklevel=stacklevel)

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

    def close(self) -> None:
        """Close the connection."""
        with self.db.lock:
            self.db.close()
