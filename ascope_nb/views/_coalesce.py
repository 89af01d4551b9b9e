"""Batch wire events so that a live view sends at most ~30 comm messages a second.

Rule: an event is sent at once if the last batch left at least ``interval`` seconds ago;
otherwise it waits in the pending batch and one timer flushes the batch when the interval
is over. Consecutive text (or thinking) deltas of the same block are merged into one delta,
so a 1,000 tokens/s stream becomes ~30 messages/s that rebuild exactly the same text.

Example:
    >>> batch = [{"kind": "text_delta", "msg_id": "m", "block_id": "b", "delta": "Hi"}]
    >>> merge_delta(batch, {"kind": "text_delta", "msg_id": "m", "block_id": "b", "delta": "!"})
    False
    >>> batch[0]["delta"]
    'Hi!'
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

Wire = dict[str, Any]
DELTA_KINDS = ("text_delta", "thinking_delta")


class Handle(Protocol):
    """A scheduled callback (``asyncio.TimerHandle`` or ``threading.Timer``)."""

    def cancel(self) -> None: ...


Scheduler = Callable[[float, Callable[[], None]], Handle]


def merge_delta(batch: list[Wire], ev: Wire) -> bool:
    """Append ``ev`` to ``batch``, merging it into the last delta of the same block.

    Returns True if ``ev`` was appended as a new entry, False if it was merged. The merged
    entry is a copy: the caller's dicts are never mutated.
    """
    if batch and ev.get("kind") in DELTA_KINDS:
        last = batch[-1]
        if (
            last.get("kind") == ev.get("kind")
            and last.get("msg_id") == ev.get("msg_id")
            and last.get("block_id") == ev.get("block_id")
            and last.get("reply_id") == ev.get("reply_id")
        ):
            batch[-1] = {**last, "delta": str(last.get("delta", "")) + str(ev.get("delta", ""))}
            return False
    batch.append(ev)
    return True


def default_scheduler(delay: float, callback: Callable[[], None]) -> Handle:
    """Run ``callback`` after ``delay`` s on the running asyncio loop, else on a timer thread."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()
        return timer
    return loop.call_later(delay, callback)


class Coalescer:
    """Rate-limited batching of wire events towards ``send(batch)``.

    Args:
        send: called with a non-empty list of (delta-merged) wire dicts.
        interval: the least time between two sends, in seconds (default 1/30).
        clock: a monotonic clock (injectable for tests).
        scheduler: ``scheduler(delay, callback)`` runs ``callback`` later; returns a handle.
    """

    def __init__(
        self,
        send: Callable[[list[Wire]], None],
        *,
        interval: float = 1 / 30,
        clock: Callable[[], float] = time.monotonic,
        scheduler: Scheduler = default_scheduler,
    ) -> None:
        self._send = send
        self.interval = interval
        self._clock = clock
        self._scheduler = scheduler
        self._pending: list[Wire] = []
        self._last = float("-inf")
        self._timer: Handle | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Number of events waiting for the next flush."""
        return len(self._pending)

    def push(self, ev: Wire) -> None:
        """Queue one event; sends now if allowed, else makes sure a timer will."""
        with self._lock:
            merge_delta(self._pending, ev)
            wait = self._last + self.interval - self._clock()
            if wait > 0:
                if self._timer is None:
                    self._timer = self._scheduler(wait, self._on_timer)
                return
        self.flush()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        self.flush()

    def flush(self) -> None:
        """Send the pending batch now (no-op if empty)."""
        with self._lock:
            batch, self._pending = self._pending, []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not batch:
                return
            self._last = self._clock()
        self._send(batch)

    def cancel(self) -> None:
        """Drop what is pending and stop the timer."""
        with self._lock:
            self._pending = []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


__all__ = ["Coalescer", "merge_delta", "default_scheduler", "DELTA_KINDS"]
