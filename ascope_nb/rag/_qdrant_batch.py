"""One SQLite transaction per ``add`` for Qdrant's embedded on-disk mode.

``qdrant_client``'s local mode keeps a folder collection in ``storage.sqlite`` and commits
(and so syncs to disk) once per point: about 60–230 points a second. While an upsert runs,
``one_transaction`` hands its persistence a connection whose ``with`` block does not
commit, and commits once when the whole upsert is applied: the batch is on disk, all of
it, when ``add`` returns (a crash mid-batch leaves none of it, never half a point).
Anything unexpected in the client's internals (another version) means no batching: the
client's own per-point commits, never a failure.

Example:
    >>> with one_transaction(None):  # a server or in-memory client: nothing to batch
    ...     pass
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any


class _NoCommit:
    """A sqlite3 connection whose ``with`` block neither commits nor rolls back."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> _NoCommit:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def local_persistence(client: Any, collection_name: str) -> Any:
    """The on-disk persistence of an embedded Qdrant collection, or None (memory, server,
    or a client version laid out differently)."""
    local = getattr(client, "_client", None)
    collections = getattr(local, "collections", None)
    if not isinstance(collections, dict):
        return None
    persistence = getattr(collections.get(collection_name), "storage", None)
    connection = getattr(persistence, "storage", None)
    return persistence if isinstance(connection, sqlite3.Connection) else None


@contextlib.contextmanager
def one_transaction(persistence: Any) -> Iterator[None]:
    """Commit the points written inside the block once, at its end (see the module doc)."""
    if persistence is None:
        yield
        return
    connection: sqlite3.Connection = persistence.storage
    persistence.storage = _NoCommit(connection)
    try:
        yield
    except BaseException:
        connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        persistence.storage = connection


__all__ = ["local_persistence", "one_transaction"]
