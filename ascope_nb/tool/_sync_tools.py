"""Where a sync tool runs: a worker thread until it has shown itself quick, then the loop.

Handing a call to a worker thread and back costs two thread wake-ups: 20–100 µs, the most
on an idle VM whose other vCPU must be woken (benchmarks/BENCHMARKS.md), far more than a
quick tool such as a lookup or a calculator, and a large part of a ReAct step's cost. So a sync tool starts in a worker thread
(``_threads.in_thread``: it can never hold the event loop, and the notebook's Stop button,
longer than ``QUICK_WAIT``), and once its last ``INLINE_AFTER`` calls each ran within
``INLINE_BOUND`` seconds it runs on the loop's thread directly, as AgentScope runs every
sync tool. An inline call that holds the loop longer than ``HOLD_BOUND`` sends that tool
back to a worker thread for good (logged once).

The residual risk: a proven-quick tool that suddenly blocks (a lock, a network stall)
holds the loop for that one call, and Stop acts only once it returns. A tool that needs a
thread of its own fails on the loop, as it would in AgentScope: one that calls
``asyncio.run`` gets that error for one call, then goes back to a thread for good; one
that keeps objects bound to the thread that made them (a ``sqlite3`` connection opened on
its first call) gets their errors. Where that matters, keep the tool in a worker thread:
``always_in_thread(func)`` for one tool, ``Toolkit(sync_tools="thread")`` for a toolkit,
``ASCOPE_SYNC_TOOLS=thread`` for the whole process.

Example:
    >>> import asyncio
    >>> def add(a, b):
    ...     return a + b
    >>> asyncio.run(call_sync_tool(add, (1, 2), {}))
    3
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from ..exceptions import ConfigError
from ._threads import finished_in_thread

F = TypeVar("F", bound=Callable[..., Any])

SyncToolsMode = Literal["adaptive", "thread"]
"""``"adaptive"``: quick sync tools move onto the loop; ``"thread"``: always a worker thread."""

SYNC_TOOLS_ENV = "ASCOPE_SYNC_TOOLS"
"""The process-wide default of ``Toolkit(sync_tools=...)``; read when a tool would move
onto the loop (so set it before a tool's first calls)."""

INLINE_AFTER = 5
"""Consecutive quick calls in a worker thread before a sync tool runs on the loop."""

INLINE_BOUND = 0.001
"""Wall seconds a call in a worker thread may take and still count as quick (the same
bound as ``QUICK_WAIT``, the most the loop waits for a threaded call anyway)."""

HOLD_BOUND = 0.005
"""Wall seconds an inline call may hold the loop before its tool goes back to a thread for
good. Above ``INLINE_BOUND`` on purpose: it is Python's own GIL switch interval, so a quick
tool that releases the GIL (I/O, ``time.sleep(0)``) and waits to get it back from another
thread is not taken for a slow one; a tool that really blocks (a lock, a network call, a
sleep) is. A longer call during which the loop's thread was only preempted (other
processes had the CPU; Linux counts the switches) and used under ``HOLD_BOUND`` of CPU is
the machine's doing, not the tool's, and does not count either."""

try:  # the thread's context switches tell a busy machine from a blocking tool (Linux)
    from resource import RUSAGE_THREAD, getrusage

    def _usage() -> tuple[int, int, float] | None:
        """Voluntary and involuntary context switches, CPU seconds of this thread."""
        usage = getrusage(RUSAGE_THREAD)
        return usage.ru_nvcsw, usage.ru_nivcsw, usage.ru_utime + usage.ru_stime

except ImportError:  # pragma: no cover - Windows, macOS: every overrun counts

    def _usage() -> tuple[int, int, float] | None:
        return None


_MODES = ("adaptive", "thread")
_ALWAYS_THREAD = "__ascope_always_in_thread__"
_log = logging.getLogger(__name__)


class _Speed:
    """What is known about one sync tool function's speed."""

    __slots__ = ("func", "quick", "inline", "demoted")

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.quick = 0  # consecutive calls within INLINE_BOUND, in a worker thread
        self.inline = False
        self.demoted = _pinned.get(id(func)) is func or bool(getattr(func, _ALWAYS_THREAD, False))


_speeds: dict[int, _Speed] = {}
_pinned: dict[int, Callable[..., Any]] = {}  # always_in_thread objects without attributes
_warned_env: list[str] = []


def always_in_thread(func: F) -> F:
    """Mark a sync tool to run in a worker thread on every call, however quick it is.

    Example:
        >>> @always_in_thread
        ... def fetch_status() -> str:
        ...     '''Read a status that may block.'''
        ...     return "ok"
        >>> runs_inline(fetch_status)
        False
    """
    try:
        setattr(func, _ALWAYS_THREAD, True)
    except (AttributeError, TypeError):  # a bound method, a builtin
        _pinned[id(func)] = func
    _speeds.pop(id(func), None)
    return func


def check_mode(mode: str | None) -> SyncToolsMode | None:
    """``mode`` if it is one of ``"adaptive"``, ``"thread"`` or None; else a ConfigError."""
    if mode is not None and mode not in _MODES:
        raise ConfigError(f"sync_tools must be 'adaptive' or 'thread', got {mode!r}.")
    return mode  # type: ignore[return-value]


def _env_mode() -> SyncToolsMode:
    value = os.environ.get(SYNC_TOOLS_ENV, "").strip().lower() or "adaptive"
    if value in _MODES:
        return value  # type: ignore[return-value]
    if value not in _warned_env:
        _warned_env.append(value)
        _log.warning(
            "%s=%r is neither 'adaptive' nor 'thread': sync tools stay in worker threads.",
            SYNC_TOOLS_ENV,
            value,
        )
    return "thread"


def _speed(func: Callable[..., Any]) -> _Speed:
    speed = _speeds.get(id(func))
    if speed is None or speed.func is not func:
        if len(_speeds) >= 4096:  # tools come and go (MCP reconnects): stay bounded
            _speeds.clear()
        speed = _speeds[id(func)] = _Speed(func)
    return speed


def runs_inline(func: Callable[..., Any]) -> bool:
    """Whether the next call of the sync tool ``func`` runs on the loop's thread."""
    speed = _speeds.get(id(func))
    return speed is not None and speed.func is func and speed.inline


def _tool_name(func: Callable[..., Any]) -> str:
    return str(getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or func)


def _demote(speed: _Speed, why: str) -> None:
    speed.inline = False
    speed.demoted = True
    _log.warning(
        "Sync tool %s %s; it runs in a worker thread from now on.", _tool_name(speed.func), why
    )


def _preempted_only(before: tuple[int, int, float] | None) -> bool:
    """Whether the loop's thread was only preempted since ``before``: other processes took
    the CPU (involuntary switches), the tool never waited (no voluntary switch: a sleep, I/O,
    a lock or the GIL) and used little CPU itself. The call's time was the machine's."""
    after = _usage()
    if before is None or after is None:
        return False
    return after[0] == before[0] and after[1] > before[1] and after[2] - before[2] <= HOLD_BOUND


def _needs_own_loop(exc: RuntimeError) -> bool:
    """The error of ``asyncio.run`` / ``run_until_complete`` called on a running loop."""
    text = str(exc)
    return "running event loop" in text or "loop is already running" in text


async def call_sync_tool(
    func: Callable[..., Any],
    args: Any,
    kwargs: dict[str, Any],
    *,
    mode: SyncToolsMode | None = None,
) -> Any:
    """Call the sync tool ``func(*args, **kwargs)`` on the loop if it has proven quick, else
    in a worker thread (``mode``: the toolkit's choice; None: ``ASCOPE_SYNC_TOOLS``).

    Either way the tool runs in a copy of the caller's context and its exception is raised
    here unchanged, so the caller cannot tell the two apart except by the thread.
    """
    speed = _speed(func)
    if speed.inline and mode != "thread":
        usage = _usage()
        started = time.perf_counter()
        try:
            return contextvars.copy_context().run(func, *args, **kwargs)
        except RuntimeError as exc:
            if _needs_own_loop(exc):  # it runs its own event loop: it needs its own thread
                _demote(speed, f"failed on the event loop's thread ({exc})")
            raise
        finally:
            seconds = time.perf_counter() - started
            if seconds > HOLD_BOUND and not speed.demoted and not _preempted_only(usage):
                _demote(speed, f"held the event loop for {seconds:.3f} s")
    handoff = await finished_in_thread(func, args, kwargs)
    if handoff.seconds > INLINE_BOUND:
        speed.quick = 0
    elif not speed.demoted:
        speed.quick += 1
        if speed.quick >= INLINE_AFTER and (mode or _env_mode()) == "adaptive":
            speed.inline = True
    return handoff.result()


__all__ = [
    "HOLD_BOUND",
    "INLINE_AFTER",
    "INLINE_BOUND",
    "SYNC_TOOLS_ENV",
    "SyncToolsMode",
    "always_in_thread",
    "call_sync_tool",
    "check_mode",
    "runs_inline",
]
