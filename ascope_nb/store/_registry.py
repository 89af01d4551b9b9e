"""The process-wide store: the default target, the default store, and the stores attached to
this process's event stream (flushed at exit, forgotten in a forked child)."""

from __future__ import annotations

import atexit
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._store import RunStore
    from ._writing import StoreWriting

DEFAULT_PATH = os.path.join(".ascope", "runs.sqlite")
ENV_VAR = "ASCOPE_STORE"

attached: list[StoreWriting] = []  # stores subscribed to this process's events
_default: RunStore | None = None
_default_lock = threading.Lock()


def default_store_target() -> str:
    """``$ASCOPE_STORE`` if set, else ``.ascope/runs.sqlite`` in the working directory."""
    return os.environ.get(ENV_VAR) or os.path.join(os.getcwd(), DEFAULT_PATH)


def default_store() -> RunStore:
    """The process's attached store at ``default_store_target()``, created on first use."""
    from ._store import RunStore

    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = RunStore().attach()
        return _default


def set_default_store(store: RunStore | None) -> None:
    """Replace the process-wide store (the old one is detached, not closed)."""
    global _default
    with _default_lock:
        if _default is not None and _default is not store:
            _default.detach()
        _default = store.attach() if store is not None else None


async def wait_durable(run_id: str, seq: int, *, timeout: float | None = 30.0) -> bool:
    """Await until every attached store has committed event ``seq`` of ``run_id``.

    Costs one dict lookup when nothing is attached or the writer has caught up; call it
    after emitting ``StepEnded`` to have the step on disk before the next model call.
    """
    ok = True
    for store in tuple(attached):
        if not store.is_durable(run_id, seq):
            ok = await store.wait_durable(run_id, seq, timeout=timeout) and ok
    return ok


def _flush_attached_at_exit() -> None:
    for store in tuple(attached):
        store.flush(5.0)


def _forget_parent_stores() -> None:
    # a forked child has no writer thread: its copy of the parent's stores must not collect
    # events (the child opens its own store if it wants one)
    for store in tuple(attached):
        store._forget()
    attached.clear()


atexit.register(_flush_attached_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_stores)
