"""Sit between a transport and its session to notice when the server goes away."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any


def root_cause(exc: BaseException) -> str:
    """The most telling one-line reason: the first OS error in the chain, if any.

    Example:
        >>> try:
        ...     raise RuntimeError("wrapped") from ConnectionRefusedError(111, "Connection refused")
        ... except RuntimeError as e:
        ...     root_cause(e)
        'Connection refused'
    """
    from ._errors import one_line

    first: BaseException | None = None
    seen: BaseException | None = exc
    for _ in range(20):  # follow groups, causes and contexts down to an OS error
        if seen is None:
            break
        leaves = getattr(seen, "exceptions", None)
        if isinstance(leaves, tuple) and leaves:
            seen = leaves[0]
            continue
        first = first or seen
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno)
        if isinstance(seen, OSError) and seen.strerror:
            return str(seen.strerror)
        seen = seen.__cause__ or seen.__context__
    exc = first or exc
    return one_line(exc)


def _bad_line(exc: Exception) -> str:
    """The offending text of a message the SDK could not parse (cut to 200 characters)."""
    errors = getattr(exc, "errors", None)
    try:
        line = str(errors()[0].get("input", exc)) if callable(errors) else str(exc)
    except Exception:
        line = str(exc)
    return line if len(line) <= 200 else line[:200] + "..."


class _QuietParseErrors(logging.Filter):
    """Drops the SDK's traceback per non-JSON line; the client reports it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to parse JSONRPC message")


_quiet = _QuietParseErrors()


def quiet_sdk_parse_errors() -> None:
    """Install the filter on the SDK's stdio logger (idempotent)."""
    sdk_logger = logging.getLogger("mcp.client.stdio")
    if _quiet not in sdk_logger.filters:
        sdk_logger.addFilter(_quiet)


def watch_stream(
    stack: AsyncExitStack,
    read: Any,
    on_end: Callable[[str | None], Awaitable[None]],
    on_bad: Callable[[str], None] | None = None,
) -> Any:
    """A receive stream for ``ClientSession`` that forwards ``read`` and reports its end.

    ``on_end(reason)`` runs before the session sees the end of the stream (so that pending
    requests, which then fail with "Connection closed", can be explained): ``reason`` is
    ``"connection lost: ..."`` after an HTTP transport error, or ``None`` at the end of the
    stream (a stdio server exited). ``on_bad(line)`` gets each line the SDK could not parse
    (a server printing to stdout). The forwarding task is cancelled when ``stack`` closes.
    """
    import anyio
    import httpx

    send, receive = anyio.create_memory_object_stream[Any](0)

    async def pump() -> None:
        reason: str | None = None
        async with send:
            try:
                async for item in read:
                    if isinstance(item, httpx.TransportError):
                        reason = f"connection lost: {root_cause(item)}"
                        break
                    if isinstance(item, Exception) and on_bad is not None:
                        on_bad(_bad_line(item))
                        continue
                    await send.send(item)
            except (anyio.ClosedResourceError, anyio.EndOfStream, anyio.BrokenResourceError):
                pass
            await on_end(reason)

    task = asyncio.create_task(pump())

    async def cancel() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    stack.push_async_callback(cancel)
    return receive
