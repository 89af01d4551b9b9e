"""The stores of this process: those attached to its event stream and those open (closed at
a normal exit), and where the default store lives. No import of the store's other modules, so
``RunStore`` and its writer can share these lists without a circle.

Example:
    >>> from ascope_nb.store._stores import default_store_target
    >>> default_store_target().endswith("runs.sqlite")
    True
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol


class AttachedStore(Protocol):
    """What the process asks of an attached store (``StoreWriting``)."""

    def is_durable(self, run_id: str, seq: int) -> bool: ...

    async def wait_durable(self, run_id: str, seq: int, *, timeout: float | None = ...) -> bool: ...


class OpenStore(Protocol):
    """What the process asks of an open store (``RunStore``) at exit or in a forked child."""

    def close(self, timeout: float | None = ...) -> None: ...

    def _forget(self) -> None: ...


DEFAULT_PATH = os.path.join(".ascope", "runs.sqlite")
ENV_VAR = "ASCOPE_STORE"

attached: list[AttachedStore] = []  # stores subscribed to this process's events
open_stores: weakref.WeakSet[OpenStore] = weakref.WeakSet()  # closed at exit


def default_store_target() -> str:
    """``$ASCOPE_STORE`` if set, else ``.ascope/runs.sqlite`` in the working directory."""
    return os.environ.get(ENV_VAR) or os.path.join(os.getcwd(), DEFAULT_PATH)
