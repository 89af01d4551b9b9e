"""The background thread that writes queued events in batches.

Commit policy: a batch is committed when the queue runs dry after an event of a
"durable" kind (``DURABLE_KINDS``), when ``max_batch`` events are pending, when the
oldest pending event is ``linger`` seconds old, or when a flush marker arrives. When the
queue is empty and nothing is pending the writer calls ``on_idle`` (checkpoints, retries
of held events), which says when to call it again.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from ..events import Event

_log = logging.getLogger("ascope_nb.store")

DURABLE_KINDS = frozenset(
    {
        "run_started",
        "run_ended",
        "step_ended",
        "tool_result",
        "message_completed",
        "reply_ended",
        "approval_resolved",
        "hint_injected",
        "feedback",
    }
)


class _Flush:
    """A marker: everything queued before it is committed when it is resolved."""

    __slots__ = ("done", "ok")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False

    def resolve(self, ok: bool) -> None:
        self.ok = ok
        self.done.set()


class _AsyncFlush:
    """A flush marker resolved on an asyncio loop (no thread hop for the waiter)."""

    __slots__ = ("loop", "future")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[bool] = loop.create_future()

    def resolve(self, ok: bool) -> None:
        def _set() -> None:
            if not self.future.done():
                self.future.set_result(ok)

        try:
            self.loop.call_soon_threadsafe(_set)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass


_STOP = object()


class Inbox:
    """The writer's queue: producers (every thread that emits events) append without a
    system call; the writer thread is woken at most once per burst of items (a wake-up
    costs the emitting loop a thread switch, and a run emits its events in bursts).

    The ``queue.SimpleQueue`` methods the writer uses: ``put``, ``get``, ``get_nowait``,
    ``empty``.

    Example:
        >>> inbox = Inbox()
        >>> inbox.put(1); inbox.put(2)
        >>> inbox.get(), inbox.get_nowait(), inbox.empty()
        (1, 2, True)
    """

    def __init__(self) -> None:
        self._items: collections.deque[Any] = collections.deque()
        self._wake: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._signalled = False  # a wake-up is pending, or the consumer will look again

    def put(self, item: Any) -> None:
        self._items.append(item)
        if not self._signalled:
            self._signalled = True
            self._wake.put(None)

    def get_nowait(self) -> Any:
        try:
            return self._items.popleft()
        except IndexError:
            raise queue.Empty from None

    def get(self, timeout: float | None = None) -> Any:
        """The next item, waiting up to ``timeout`` seconds (``queue.Empty`` then)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._items:
                return self._items.popleft()
            self._signalled = False  # cleared before the last look: a later put signals
            if self._items:
                return self._items.popleft()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise queue.Empty
            self._wake.get(timeout=remaining)  # a stale wake-up only loops once more

    def empty(self) -> bool:
        return not self._items


class Writer(threading.Thread):
    """Drains ``queue`` into ``write_batch`` (which must not raise) on a daemon thread.

    ``write_batch(batch)`` returns True when the batch and everything before it is committed
    (an empty batch asks whether anything is still held back).
    """

    def __init__(
        self,
        write_batch: Callable[[list[Event]], bool],
        *,
        linger: float = 0.05,
        max_batch: int = 1000,
        on_idle: Callable[[], float | None] | None = None,
        name: str = "ascope-store-writer",
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.queue = Inbox()
        self._write_batch = write_batch
        self._on_idle = on_idle
        self.linger = linger
        self.max_batch = max_batch
        self.durable: dict[str, int] = {}  # run_id -> highest committed seq
        self.committed_batches = 0

    def put(self, item: Any) -> None:
        self.queue.put(item)

    def mark_durable(self, run_id: str, seq: int) -> None:
        """Record that event ``seq`` of ``run_id`` (and all before it) is committed."""
        if seq > self.durable.get(run_id, -1):
            self.durable[run_id] = seq

    def stop(self) -> None:
        self.queue.put(_STOP)

    def run(self) -> None:
        pending: list[Event] = []
        markers: list[_Flush | _AsyncFlush] = []
        first_at = 0.0
        stopping = False
        while not stopping:
            timeout: float | None
            if pending:
                timeout = max(0.0, self.linger - (time.monotonic() - first_at))
            else:  # nothing to write: maintenance (checkpoint, retry) when the queue is empty
                timeout = self._idle() if self.queue.empty() else None
            try:
                item = self.queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            urgent = False
            while item is not None:
                if item is _STOP:
                    stopping = urgent = True
                elif isinstance(item, Event):
                    if not pending:
                        first_at = time.monotonic()
                    pending.append(item)
                    if item.kind in DURABLE_KINDS:
                        urgent = True
                else:
                    markers.append(item)
                    urgent = True
                if len(pending) >= self.max_batch:
                    break
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    item = None
            due = urgent or len(pending) >= self.max_batch
            if pending and (due or time.monotonic() - first_at >= self.linger):
                ok = self._commit(pending)
                pending = []
            elif markers and not pending:
                ok = self._commit([])  # nothing new: True unless earlier events are still held
            else:
                ok = True
            if markers and not pending:
                for marker in markers:
                    marker.resolve(ok)
                markers = []

    def _idle(self) -> float | None:
        if self._on_idle is None:
            return None
        try:
            return self._on_idle()
        except Exception:  # maintenance must never stop the writer
            _log.exception("ascope_nb store: maintenance failed")
            return None

    def _commit(self, batch: list[Event]) -> bool:
        try:
            ok = self._write_batch(batch)
        except Exception:  # write_batch handles its own errors; this is a last resort
            _log.exception("ascope_nb store: writing %d events failed", len(batch))
            return False
        if ok and batch:
            self.committed_batches += 1
            durable = self.durable
            for event in batch:
                if event.seq > durable.get(event.run_id, -1):
                    durable[event.run_id] = event.seq
        return ok
