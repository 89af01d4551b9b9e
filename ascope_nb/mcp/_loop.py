"""One background event loop (a daemon thread) that owns every MCP session.

The SDK's transports are anyio context managers that must be entered and exited in the same
task. Keeping them on a loop of their own lets sync code (magics, ``atexit``) and any other
event loop (the kernel's, a test's) use the same client: sync callers block on
``run_sync``, async callers await ``run_async``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def get_loop() -> asyncio.AbstractEventLoop:
    """The MCP loop, started on first use.

    Example:
        >>> get_loop().is_running()
        True
    """
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            started = threading.Event()

            def _main() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(started.set)
                loop.run_forever()

            thread = threading.Thread(target=_main, name="ascope-mcp-loop", daemon=True)
            thread.start()
            started.wait()
            _loop, _thread = loop, thread
        return _loop


def on_mcp_loop() -> bool:
    """Whether the caller runs on the MCP loop's thread."""
    return _thread is not None and threading.current_thread() is _thread


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule ``coro`` on the MCP loop."""
    return asyncio.run_coroutine_threadsafe(coro, get_loop())


def run_sync(coro: Coroutine[Any, Any, T], *, timeout: float | None = None) -> T:
    """Run ``coro`` on the MCP loop and block until it finishes (not from the MCP loop itself).

    Example:
        >>> async def two() -> int:
        ...     return 2
        >>> run_sync(two())
        2
    """
    if on_mcp_loop():
        coro.close()
        raise RuntimeError("run_sync() cannot block the MCP loop; await the coroutine instead")
    return submit(coro).result(timeout)


async def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` on the MCP loop from any event loop; cancelling the caller cancels it."""
    if on_mcp_loop():
        return await coro
    return await asyncio.wrap_future(submit(coro))
