"""The process-wide store: the default target, the default store, the stores attached to
this process's event stream, and the open stores (closed at a normal exit, forgotten in a
forked child)."""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._store import RunStore

from ._stores import attached, open_stores

_default: RunStore | None = None
_default_lock = threading.Lock()


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


def _close_stores_at_exit() -> None:
    # write what is queued and checkpoint: after a normal exit the main file is complete
    for store in tuple(open_stores):
        try:
            store.close(5.0)
        except Exception:  # one store failing must not keep the others open
            logging.getLogger("ascope_nb.store").exception("ascope_nb store: close failed")


def _forget_parent_stores() -> None:
    # a forked child has no writer thread and must not touch the parent's connections: its
    # copies of the parent's stores neither collect events nor close anything (the child
    # opens its own store if it wants one)
    for store in tuple(open_stores):
        store._forget()
    open_stores.clear()
    attached.clear()


atexit.register(_close_stores_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_stores)
