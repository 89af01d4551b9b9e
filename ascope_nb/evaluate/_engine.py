"""The one evaluation engine: ``experiment()`` and AgentScope's evaluators both run on it.

An ``Engine`` runs a job's items (a sample or task × repeat) ``concurrency`` at a time on a
backend (this event loop, or Ray actors) and owns everything they share: resuming (a
subclass's ``_pending`` says what is left to run), fault isolation (an item that raises is
that item's failure, ``_item_failed``; the others go on), progress (``finished``, ``eta()``,
listeners), steering (``stop``, ``pause``, ``resume``, a budget) and the end state
(``status``: completed, stopped, budget_exceeded, error).

A subclass says what one item is (``_run_item``), where items run (``_make_backend``:
``start``/``close``/``stop_all``/``pause_all``/``resume_all``), and what is left
(``_pending``). ``Experiment`` (agent runs in the run store) and ``SolutionJob`` (a
solution function, results in an evaluator storage) are the two.

Example:
    >>> import asyncio
    >>> class Squares(Engine):
    ...     async def _pending(self): return [1, 2, 3]
    ...     async def _run_item(self, key): self.out.append(key * key); self._item_ended()
    >>> job = Squares(name="squares", concurrency=2)
    >>> job.out = []
    >>> _ = asyncio.run(job.run())
    >>> sorted(job.out), job.status, job.finished
    ([1, 4, 9], 'completed', 3)
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, Literal, Protocol

from ..exceptions import ConfigError

_log = logging.getLogger("ascope_nb.evaluate")
EngineStatus = Literal[
    "starting", "running", "paused", "stopping", "stopped", "completed", "budget_exceeded", "error"
]
_HALTED = ("stopping", "budget_exceeded")


class Backend(Protocol):
    """Where an engine's items run (``AsyncioBackend``, ``RayBackend``, the solvers)."""

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    def stop_all(self) -> None: ...
    def pause_all(self) -> None: ...
    def resume_all(self) -> None: ...


class Engine:
    """Items run ``concurrency`` at a time, each isolated from the others' failures;
    awaitable (``await job``), steerable from any thread (``stop``, ``pause``, ``resume``)."""

    what: ClassVar[str] = "this evaluation"  # how errors name the job

    def __init__(self, *, name: str, concurrency: int) -> None:
        self.name = name
        self.concurrency = concurrency
        self.status: EngineStatus = "starting"
        self.error: BaseException | None = None
        self.started_at = time.time()
        self.ended_at: float | None = None
        self._total = 0  # items in the job, resumed ones included (for ``eta``)
        self._finished_now = 0  # items this session finished
        self._finished = 0  # items in a final state (a count: views read it often)
        self._listeners: list[Callable[[Any], None]] = []
        self._running = asyncio.Event()
        self._running.set()
        self._backend: Any = None
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # ------------------------------------------------------------------ the job (subclasses)
    async def _pending(self) -> list[Hashable]:
        """The items still to run (resumed ones already counted with ``_item_resumed``)."""
        raise NotImplementedError

    async def _run_item(self, key: Any) -> None:
        """Run one item to its end (and call ``_item_ended``)."""
        raise NotImplementedError

    def _make_backend(self) -> Backend | None:
        return None

    def _item_failed(self, key: Any, exc: Exception) -> None:
        """One item raised: log it and count it as ended (the others go on)."""
        first_line = (str(exc).strip().splitlines() or [""])[0]
        _log.warning("%s %r: item %r failed: %s: %s", type(self).__name__, self.name, key,
                     type(exc).__name__, first_line)  # fmt: skip
        self._item_ended()

    def _over_budget(self) -> bool:
        return False

    def _on_end(self) -> None:
        return None

    # ------------------------------------------------------------------ running
    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigError(
                f"{self.what} needs a running event loop (a Jupyter kernel, or inside `async def`)"
            ) from None
        self._loop_thread = threading.get_ident()
        return self._loop

    def _launch(self) -> Engine:
        """Start in the background on the running loop; returns ``self`` at once."""
        self._task = self._bind_loop().create_task(self._main())
        self._task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return self

    async def run(self) -> Engine:
        """Run every pending item in this task; returns when all ended (or raises)."""
        self._bind_loop()
        await self._main()
        return self

    async def _main(self) -> None:
        try:
            pending = deque(await self._pending())
            self._notify(None)
            if pending:
                self._backend = self._make_backend()
                if self._backend is not None:
                    await self._backend.start()
            if self.status == "starting":
                self.status = "running"
            self._notify(None)
            workers = [
                asyncio.ensure_future(self._worker(pending))
                for _ in range(min(self.concurrency, len(pending)))
            ]
            try:
                await asyncio.gather(*workers)
            except BaseException:
                for worker in workers:
                    worker.cancel()
                raise
            if self.status in ("running", "paused", "starting"):
                self.status = "completed"
            elif self.status == "stopping":
                self.status = "stopped"
        except asyncio.CancelledError:
            self.status = "stopped"
            raise
        except BaseException as exc:
            self.status, self.error = "error", exc
            raise
        finally:
            if self._backend is not None:
                await self._backend.close()
            self.ended_at = time.time()
            self._on_end()
            self._notify(None)

    async def _worker(self, pending: deque[Any]) -> None:
        while pending and self.status not in _HALTED:
            await self._running.wait()
            if not pending or self.status in _HALTED:
                break
            key = pending.popleft()
            try:
                await self._run_item(key)
            except Exception as exc:  # this item's failure is its result; the rest go on
                self._item_failed(key, exc)

    def _item_resumed(self) -> None:
        """One item was found finished (resumed from an earlier session)."""
        self._finished += 1

    def _item_ended(self, notice: Any = None) -> None:
        """One item ended: count it, stop starting new ones past the budget, tell listeners."""
        self._finished_now += 1
        self._finished += 1
        if self._over_budget() and self.status == "running":
            self.status = "budget_exceeded"
            if self._backend is not None:
                self._backend.stop_all()
        self._notify(notice)

    # ------------------------------------------------------------------ control
    def _on_loop(self, fn: Callable[[], None]) -> None:
        if self._loop is None:
            raise ConfigError(f"{self.what} was never started")
        if threading.get_ident() == self._loop_thread:
            fn()
        else:
            self._loop.call_soon_threadsafe(fn)

    def stop(self) -> None:
        """Stop now: running items are interrupted, pending ones never start."""

        def do() -> None:
            if self.done:
                return
            self.status = "stopping"
            self._running.set()
            if self._backend is not None:
                self._backend.stop_all()
            self._notify(None)

        self._on_loop(do)

    def pause(self) -> None:
        """Start no new item; running ones hold before their next step."""

        def do() -> None:
            if self.status == "running":
                self.status = "paused"
                self._running.clear()
                if self._backend is not None:
                    self._backend.pause_all()
                self._notify(None)

        self._on_loop(do)

    def resume(self) -> None:
        """Go on after ``pause()``."""

        def do() -> None:
            if self.status == "paused":
                self.status = "running"
                self._running.set()
                if self._backend is not None:
                    self._backend.resume_all()
                self._notify(None)

        self._on_loop(do)

    @property
    def done(self) -> bool:
        """Whether the job ended (every item ran, or it stopped or failed)."""
        return self.ended_at is not None or (self._task is not None and self._task.done())

    async def wait(self, timeout: float | None = None) -> Engine:
        """Wait until every item ran (``await job`` does the same); returns the job."""
        if self._task is None:
            raise ConfigError(f"{self.what} was never started")
        await asyncio.wait_for(asyncio.shield(self._task), timeout)
        return self

    def __await__(self) -> Any:
        return self.wait().__await__()

    # ------------------------------------------------------------------ progress
    def add_listener(self, listener: Callable[[Any], None]) -> None:
        """Call ``listener(notice)`` on every change (``None``: the job's own state)."""
        self._listeners.append(listener)

    def _notify(self, notice: Any) -> None:
        for listener in tuple(self._listeners):
            try:
                listener(notice)
            except Exception:  # a broken view never breaks the job
                _log.exception("evaluation listener failed")

    @property
    def finished(self) -> int:
        """How many items are done (ended, or resumed from an earlier session)."""
        return self._finished

    def eta(self) -> float | None:
        """Seconds left at the pace of this session's finished items (None until one ends)."""
        if self._finished_now == 0 or self.done:
            return None if not self.done else 0.0
        elapsed = time.time() - self.started_at
        return elapsed / self._finished_now * (self._total - self.finished)


__all__ = ["Backend", "Engine", "EngineStatus"]
