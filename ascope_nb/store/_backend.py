"""Database connections behind the store: stdlib sqlite3 for files, SQLAlchemy for URLs.

Both speak the same SQL with ``:name`` parameters; one connection per store, used under
``lock`` (the writer thread and readers share it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

SCHEMA_VERSION = 1


class Backend:
    """A connection with explicit write transactions. Subclasses adapt one driver."""

    dialect: str = ""
    target: str = ""
    errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        self.lock = threading.RLock()

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def is_locked(self, exc: BaseException) -> bool:
        """Whether ``exc`` says another writer holds the database (worth a retry)."""
        text = str(exc).lower()
        return "locked" in text or "busy" in text

    def is_full(self, exc: BaseException) -> bool:
        """Whether ``exc`` says the disk (or the database's quota) is full."""
        text = str(exc).lower()
        return "full" in text or "no space" in text or "could not extend" in text

    def checkpoint(self, *, truncate: bool = False) -> None:
        """Copy committed transactions into the main database file (SQLite WAL only)."""

    @property
    def json_type(self) -> str:
        return "JSON" if self.dialect == "postgresql" else "TEXT"

    @property
    def json_param(self) -> str:
        return "CAST(:data AS JSON)" if self.dialect == "postgresql" else ":data"


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another connection holds a lock. Some of these
    come at once, without waiting for the busy timeout (another process switching a new file
    to WAL, or creating a table, at the same moment), so they are worth another try.

    Example:
        >>> is_busy(sqlite3.OperationalError("database is locked"))
        True
    """
    text = str(exc).lower()
    return "database is locked" in text or "busy" in text


class SQLiteBackend(Backend):
    """A SQLite file in WAL mode with ``synchronous=NORMAL`` (or ``":memory:"``)."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, path: str, *, timeout: float = 30.0) -> None:
        super().__init__()
        self.target = path
        self.conn = sqlite3.connect(
            path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            if path != ":memory:":
                mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()
                if mode is None or str(mode[0]).lower() != "wal":
                    raise sqlite3.OperationalError(f"cannot switch {path!r} to WAL mode: {mode}")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            self.conn.close()
            raise

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        return self.conn.execute(sql, params or {}).rowcount

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params or {}).fetchall()

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    def checkpoint(self, *, truncate: bool = False) -> None:
        """``PRAGMA wal_checkpoint``: PASSIVE (never waits for other connections) or TRUNCATE
        (also empties the ``-wal`` file; waits up to the busy timeout)."""
        if self.target != ":memory:":
            mode = "TRUNCATE" if truncate else "PASSIVE"
            self.conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


class SQLAlchemyBackend(Backend):
    """Any SQLAlchemy URL (``postgresql+psycopg://...``); SQLAlchemy is imported here only."""

    def __init__(self, url: str) -> None:
        super().__init__()
        try:
            import sqlalchemy
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "a database URL needs SQLAlchemy: pip install 'sqlalchemy>=2' 'psycopg[binary]'"
            ) from exc
        self._sa = sqlalchemy
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        self.engine = sqlalchemy.create_engine(url, pool_pre_ping=True)
        self.dialect = self.engine.dialect.name
        self.target = self.engine.url.render_as_string(hide_password=True)
        self.errors = (sqlalchemy.exc.SQLAlchemyError,)
        self.conn = self.engine.connect()
        self._in_tx = False
        self._texts: dict[str, Any] = {}

    def _text(self, sql: str) -> Any:
        found = self._texts.get(sql)
        if found is None:
            found = self._texts[sql] = self._sa.text(sql)
        return found

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        result = self.conn.execute(self._text(sql), params or {})
        if not self._in_tx:
            self.conn.commit()
        return int(result.rowcount)

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        self.conn.execute(self._text(sql), list(rows))
        if not self._in_tx:
            self.conn.commit()

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        rows = [tuple(r) for r in self.conn.execute(self._text(sql), params or {})]
        if not self._in_tx:
            self.conn.rollback()  # end the read transaction: never idle in transaction
        return rows

    def begin(self) -> None:
        if self.conn.in_transaction():
            self.conn.rollback()
        self.conn.begin()
        self._in_tx = True

    def commit(self) -> None:
        self._in_tx = False
        self.conn.commit()

    def rollback(self) -> None:
        self._in_tx = False
        self.conn.rollback()

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self.engine.dispose()

    def is_locked(self, exc: BaseException) -> bool:
        text = str(exc).lower()
        return "deadlock" in text or "could not serialize" in text or super().is_locked(exc)


def is_url(path_or_url: str) -> bool:
    """Whether the store target is an SQLAlchemy URL rather than a file path."""
    return "://" in path_or_url


def sqlite_path_of_url(url: str) -> str | None:
    """The file of a ``sqlite:///path`` URL (served by the stdlib backend), else None."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            rest = url[len(prefix) :].split("?", 1)[0]
            return rest or ":memory:"
    return None


def read_only_reason(path: str) -> str | None:
    """Why ``path`` cannot be written, judged from permissions (also honoured for root, whose
    writes the kernel would allow: a file someone made read-only stays untouched)."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path):
        mode = os.stat(path).st_mode
        if not mode & 0o222 or not os.access(path, os.W_OK):
            return f"{path!r} is read-only"
    if os.path.isdir(directory):
        mode = os.stat(directory).st_mode
        if not mode & 0o222 or not os.access(directory, os.W_OK):
            return f"directory {directory!r} is read-only"
    return None
