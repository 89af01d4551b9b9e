"""``HttpStatelessClient``: a fresh connection and session for every request."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ._client_base import MCPClientBase
from ._errors import MCPConnectionError, MCPServerError
from ._http import HttpTransport, check_http_options, open_http
from ._loop import run_async
from ._watch import root_cause, watch_stream

if TYPE_CHECKING:
    import mcp.types


class HttpStatelessClient(MCPClientBase):
    """Talk to a remote MCP server without keeping a session: one connection per call.

    Nothing to connect or close; each ``list_tools`` or tool call opens a session, runs the
    request and closes it (AgentScope 1.x ``HttpStatelessClient``).

    Args:
        name: The server's name.
        transport: ``"streamable_http"`` or ``"sse"``.
        url: The endpoint.
        headers: Extra HTTP headers.
        timeout: Seconds for connecting and ordinary requests.
        sse_read_timeout: Seconds to wait for the next event of a streamed response.
        auth: An ``httpx.Auth`` for a server behind authentication (e.g. the MCP SDK's
            ``OAuthClientProvider``); it signs every request.

    Example:
        >>> client = HttpStatelessClient("maps", transport="streamable_http",
        ...     url="http://127.0.0.1:3001/mcp")
        >>> # func = await client.get_callable_function(func_name="echo")
        >>> # await func(message="hi")
    """

    def __init__(
        self,
        name: str,
        transport: HttpTransport,
        url: str,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        sse_read_timeout: float = 300,
        auth: Any = None,
    ) -> None:
        super().__init__(name)
        check_http_options(name, transport, url)
        self.transport: HttpTransport = transport
        self.url = url
        self.headers = dict(headers) if headers else None
        self.timeout = timeout
        self.sse_read_timeout = sse_read_timeout
        self.auth = auth

    @property
    def target(self) -> str:
        """The URL."""
        return self.url

    @property
    def status(self) -> str:
        """Always ``"stateless"``: there is no session to be in."""
        return "stateless"

    async def list_tools(self) -> list[mcp.types.Tool]:
        """The server's tools (one request)."""

        async def run(session: Any) -> list[mcp.types.Tool]:
            return list((await session.list_tools()).tools)

        return await run_async(self._with_session(run))

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None
    ) -> mcp.types.CallToolResult:
        """Call a tool in a session of its own."""

        async def run(session: Any) -> mcp.types.CallToolResult:
            result: mcp.types.CallToolResult = await session.call_tool(name, arguments or {})
            return result

        return await run_async(self._with_session(run))

    async def _with_session(self, func: Any) -> Any:
        from contextlib import AsyncExitStack

        from mcp import ClientSession

        started = False
        lost: list[str] = []

        async def on_end(reason: str | None) -> None:
            lost.append(reason or "the server closed the connection")

        try:
            async with AsyncExitStack() as stack:
                streams = await stack.enter_async_context(
                    open_http(
                        self.transport,
                        self.url,
                        self.headers,
                        self.timeout,
                        self.sse_read_timeout,
                        auth=self.auth,
                    )
                )
                read = watch_stream(stack, streams[0], on_end)
                session = await stack.enter_async_context(ClientSession(read, streams[1]))
                await asyncio.wait_for(session.initialize(), self.timeout)
                started = True
                return await func(session)
        except Exception as exc:
            from mcp.shared.exceptions import McpError

            closed = isinstance(exc, McpError | asyncio.TimeoutError)
            reason = (lost[0] if lost and closed else None) or root_cause(exc)
            if not started:
                raise MCPConnectionError(
                    f"cannot connect to MCP server {self.name!r} ({self.url}): {reason}"
                ) from None
            if lost:
                raise MCPServerError(f"server {self.name!r} went away: {reason}") from None
            raise

    def __repr__(self) -> str:
        return f"HttpStatelessClient(name={self.name!r}, url={self.url!r})"
