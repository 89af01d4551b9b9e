"""Stateful clients: one session kept open by a dedicated owner task on the MCP loop."""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from collections.abc import Coroutine
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, TypeVar

from ._client_base import MCPClientBase
from ._errors import MCPConnectionError, MCPServerError, one_line
from ._loop import get_loop, run_async, run_sync
from ._watch import root_cause, watch_stream

if TYPE_CHECKING:
    import mcp.types
    from mcp import ClientSession

logger = logging.getLogger(__name__)
T = TypeVar("T")


class StatefulClientBase(MCPClientBase):
    """A client with one long-lived session: ``connect()`` once, call many times, ``close()``.

    The SDK requires its transport contexts to be entered and exited by the same task, so a
    dedicated owner task on the MCP loop holds them for the client's lifetime; calls from any
    event loop (or from sync code via the registry) are forwarded to that loop. When the
    server goes away, calls return ``MCPServerError`` results until ``connect()`` is called
    again.
    """

    def __init__(self, name: str, *, timeout: float = 30.0) -> None:
        super().__init__(name)
        self.timeout = timeout
        self._session: ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._lost: str | None = None
        self._tools: list[mcp.types.Tool] | None = None
        self._bad_output: str | None = None  # the first non-JSON line the server wrote

    # -------------------------------------------------------------- lifecycle
    @property
    def is_connected(self) -> bool:
        """Whether a session is open and the server has not gone away."""
        return self._session is not None and self._lost is None

    @property
    def status(self) -> str:
        """``"connected"``, ``"disconnected (...)"`` or ``"closed"``, for listings."""
        if self.is_connected:
            return "connected"
        return f"disconnected ({self._lost})" if self._lost else "closed"

    async def connect(self) -> None:
        """Start (or restart) the session; a no-op while connected.

        Raises:
            MCPConnectionError: The server could not be started or reached (one-line message).
        """
        await run_async(self._connect())

    async def close(self) -> None:
        """Close the session (for stdio: end the server process). Safe to call twice."""
        await run_async(self._close())

    def close_sync(self, *, timeout: float = 5.0) -> None:
        """Close from sync code (``atexit``, kernel shutdown); never raises."""
        try:
            run_sync(self._close(), timeout=timeout)
        except Exception as exc:  # the loop is gone or stuck: fall back to killing
            logger.debug("closing MCP client %r: %s", self.name, exc)
        self._after_close()

    async def __aenter__(self) -> StatefulClientBase:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _connect(self) -> None:
        if self.is_connected:
            return
        await self._close()
        ready: asyncio.Future[None] = get_loop().create_future()
        self._stop = asyncio.Event()
        self._lost = None
        self._tools = None
        self._bad_output = None
        self._task = asyncio.create_task(self._own(ready, self._stop))
        try:
            await ready
        except BaseException as exc:
            await self._close()
            if isinstance(exc, asyncio.CancelledError):
                raise
            message = self._connect_failure(exc)
            if self._bad_output is not None:
                message += (
                    f"; it wrote non-JSON to stdout: {self._bad_output!r} (an MCP server must "
                    "write only JSON-RPC there, its logs go to stderr)"
                )
            raise MCPConnectionError(message) from None

    async def _close(self) -> None:
        task, self._task = self._task, None
        if self._stop is not None:
            self._stop.set()
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), self.timeout)
            except asyncio.TimeoutError:
                task.cancel()
            except Exception as exc:
                logger.debug("closing MCP client %r: %s", self.name, exc)
        self._session = None
        self._after_close()

    def _after_close(self) -> None:
        """Hook run after the session is closed (stdio: make sure the process is gone)."""

    async def _own(self, ready: asyncio.Future[None], stop: asyncio.Event) -> None:
        from mcp import ClientSession

        try:
            async with AsyncExitStack() as stack:
                read, write = await self._open(stack)
                session = await stack.enter_async_context(
                    ClientSession(self._watch(stack, read, stop), write)
                )
                await asyncio.wait_for(session.initialize(), self.timeout)
                self._session = session
                ready.set_result(None)
                await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            elif not isinstance(exc, asyncio.CancelledError):
                logger.debug("MCP client %r stopped: %s", self.name, one_line(exc))
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            self._session = None

    def _watch(self, stack: AsyncExitStack, read: Any, stop: asyncio.Event) -> Any:
        async def on_end(reason: str | None) -> None:
            if self._lost is None:
                self._lost = reason or await self._describe_loss()
            stop.set()

        def on_bad(line: str) -> None:
            if self._bad_output is None:
                self._bad_output = line
                if self._session is not None:  # after the handshake: say it once
                    logger.warning("MCP server %r wrote non-JSON to stdout: %r", self.name, line)

        return watch_stream(stack, read, on_end, on_bad)

    # ------------------------------------------------------------- transport
    @abstractmethod
    async def _open(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        """Enter the transport on ``stack``; return its ``(read, write)`` streams."""

    async def _describe_loss(self) -> str:
        """Why the transport ended, for error messages (``"the server closed the connection"``)."""
        return "the server closed the connection"

    def _connect_failure(self, exc: BaseException) -> str:
        """The one-line message of a failed ``connect()``."""
        from mcp.shared.exceptions import McpError

        closed = isinstance(exc, McpError | asyncio.TimeoutError)
        reason = (self._lost if closed else None) or root_cause(exc)
        return f"cannot connect to MCP server {self.name!r} ({self.target}): {reason}"

    def _not_connected(self) -> str:
        why = f" ({self._lost})" if self._lost else ""
        return (
            f"server {self.name!r} is not connected{why}; "
            "reconnect with await client.connect() or %mcp add"
        )

    # ------------------------------------------------------------------ calls
    def _require_session(self) -> ClientSession:
        if self._session is None or self._lost is not None:
            raise MCPServerError(self._not_connected())
        return self._session

    async def list_tools(self) -> list[mcp.types.Tool]:
        """The server's tools (fetched once per connection, then cached)."""
        if self._tools is None or not self.is_connected:
            self._tools = await run_async(self._list_tools())
        return list(self._tools)

    async def _list_tools(self) -> list[mcp.types.Tool]:
        session = self._require_session()
        tools: list[mcp.types.Tool] = []
        cursor: str | None = None
        while True:
            page = await self._guarded(session.list_tools(cursor=cursor))
            tools.extend(page.tools)
            cursor = page.nextCursor
            if not cursor:
                return tools

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None
    ) -> mcp.types.CallToolResult:
        """Call a tool; raises ``MCPServerError`` if the server is (or goes) away."""
        return await run_async(self._call_tool(name, arguments or {}))

    async def _call_tool(self, name: str, arguments: dict[str, Any]) -> mcp.types.CallToolResult:
        session = self._require_session()
        return await self._guarded(session.call_tool(name, arguments))

    async def _guarded(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await a request, failing fast with ``MCPServerError`` if the connection ends."""
        stop = self._stop
        call = asyncio.ensure_future(coro)
        ended = asyncio.ensure_future(stop.wait()) if stop is not None else None
        try:
            await asyncio.wait({call, *([ended] if ended else [])}, return_when="FIRST_COMPLETED")
        except BaseException:  # the caller was cancelled (stop button): cancel the request too
            call.cancel()
            raise
        finally:
            if ended is not None:
                ended.cancel()
        if not call.done():
            call.cancel()
            await asyncio.gather(call, return_exceptions=True)
            if self._lost is None:
                raise MCPServerError(f"server {self.name!r} was closed during the call")
            raise MCPServerError(self._not_connected())
        try:
            return call.result()
        except Exception as exc:
            self._raise_if_lost(exc)
            raise

    def _raise_if_lost(self, exc: Exception) -> None:
        from mcp.shared.exceptions import McpError
        from mcp.types import CONNECTION_CLOSED

        if self._lost is not None or (
            isinstance(exc, McpError) and exc.error.code == CONNECTION_CLOSED
        ):
            self._lost = self._lost or "the server closed the connection"
            raise MCPServerError(self._not_connected()) from exc
