"""Sync tool code off the event loop, cheaply: a quick call costs no loop wake-up.

``asyncio.to_thread`` always goes through the loop's self-pipe (an executor future, a
thread-safe callback, a selector wake-up) even for a tool that returns in microseconds.
``in_thread`` hands the call to a worker thread too, so a tool can never hold the loop (and
the notebook's Stop button) however long it runs, but first waits up to ``QUICK_WAIT``
seconds for it without leaving the loop: a quick tool's result is taken at once; a slow one
is awaited like ``to_thread`` (the loop runs meanwhile).

Example:
    >>> import asyncio
    >>> asyncio.run(in_thread(sum, [1, 2, 3]))
    6
"""

from __future__ import annotations

import _thread
import asyncio
import contextvars
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

QUICK_WAIT = 0.001
"""Seconds the loop waits for a sync tool before awaiting it (the most it is ever held)."""

MAX_WORKERS = 64
"""Worker threads at most; a call waits in the queue while all are busy (hung tools)."""


class _Workers:
    """A minimal pool of daemon threads (``ThreadPoolExecutor.submit`` costs more than a
    quick tool): a new thread starts only when every existing one is busy."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads = 0
        self.busy = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self.lock:
            self.busy += 1
            start = self.busy > self.threads and self.threads < MAX_WORKERS
            if start:
                self.threads += 1
        if start:
            threading.Thread(target=self._work, name="ascope-tool", daemon=True).start()
        self.jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                job()
            finally:
                with self.lock:
                    self.busy -= 1


_workers = _Workers()
if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads

    def _fresh_workers() -> None:
        global _workers
        _workers = _Workers()

    os.register_at_fork(after_in_child=_fresh_workers)


class _Handoff:
    """One call's result, passed from the worker thread to the loop.

    ``done`` is a bare ``_thread`` lock held until the result is in (released by the
    worker): waiting on it is one C call, where ``threading.Event`` costs a Python
    ``Condition`` round per wait; the quick path is about twice as fast."""

    __slots__ = ("done", "lock", "ok", "value", "future", "loop", "finished", "seconds")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self.lock = _thread.allocate_lock()
        self.finished = False
        self.ok = False
        self.value: Any = None
        self.future: asyncio.Future[None] | None = None
        self.loop = loop
        self.seconds = 0.0
        """Wall seconds the call itself took in its thread (hand-off not included)."""

    def run(self, ctx: contextvars.Context, func: Callable[..., Any], args: Any, kw: Any) -> None:
        started = time.perf_counter()
        try:
            self.value, self.ok = ctx.run(func, *args, **kw), True
        except BaseException as exc:  # handed to the caller, raised there
            self.value = exc
        self.seconds = time.perf_counter() - started
        with self.lock:
            self.finished = True
            future = self.future
        self.done.release()
        if future is not None:
            try:
                self.loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # the loop has closed (a stopped run, asyncio.run ended)
                pass  # nobody waits for this result any more

    def result(self) -> Any:
        if self.ok:
            return self.value
        raise self.value


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def in_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``await asyncio.to_thread(func, *args, **kwargs)``, without the loop round trip when
    the call ends within ``QUICK_WAIT`` seconds. Context variables are passed on.

    A cancelled caller stops waiting; the call itself runs to its end in its thread (as with
    ``to_thread``) and its result is dropped.
    """
    return (await finished_in_thread(func, args, kwargs)).result()  # type: ignore[no-any-return]


async def finished_in_thread(func: Callable[..., Any], args: Any, kwargs: Any) -> _Handoff:
    """``in_thread``'s hand-off once the call has ended: ``.result()`` returns its value or
    raises its exception, ``.seconds`` is how long it ran in its thread."""
    loop = asyncio.get_running_loop()
    handoff = _Handoff(loop)
    ctx = contextvars.copy_context()
    _workers.submit(lambda: handoff.run(ctx, func, args, kwargs))
    if handoff.done.acquire(True, QUICK_WAIT):
        return handoff
    with handoff.lock:
        if not handoff.finished:
            handoff.future = loop.create_future()
    if handoff.future is not None:
        await handoff.future
    return handoff


__all__ = ["in_thread", "finished_in_thread", "QUICK_WAIT"]
