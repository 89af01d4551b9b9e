"""``HttpStatefulClient``: one long-lived session with a server over streamable HTTP or SSE."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any, Literal

from ..exceptions import ConfigError
from ._stateful import StatefulClientBase

HttpTransport = Literal["streamable_http", "sse"]


def check_http_options(name: str, transport: str, url: str) -> None:
    """Validate the transport and URL when the client is made, not at the first call."""
    if transport not in ("streamable_http", "sse"):
        raise ConfigError(
            f"MCP server {name!r}: transport must be 'streamable_http' or 'sse', got {transport!r}."
        )
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(
            f"MCP server {name!r}: url must start with http:// or https://, got {url!r}."
        )


def open_http(
    transport: HttpTransport,
    url: str,
    headers: dict[str, str] | None,
    timeout: float,
    sse_read_timeout: float,
    *,
    auth: Any = None,
) -> Any:
    """The SDK's transport context manager for ``transport``; ``auth`` is an ``httpx.Auth``
    (e.g. the MCP SDK's ``OAuthClientProvider``) for servers behind authentication."""
    if transport == "sse":
        from mcp.client.sse import sse_client

        return sse_client(
            url, headers=headers, timeout=timeout, sse_read_timeout=sse_read_timeout, auth=auth
        )
    import httpx
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http_client = create_mcp_http_client(
        headers=headers, timeout=httpx.Timeout(timeout, read=sse_read_timeout), auth=auth
    )
    return _owned(http_client, streamable_http_client(url, http_client=http_client))


class _owned:
    """Enter an httpx client and a transport together; close both on exit."""

    def __init__(self, http_client: Any, transport: Any) -> None:
        self._stack = AsyncExitStack()
        self._http_client = http_client
        self._transport = transport

    async def __aenter__(self) -> Any:
        await self._stack.enter_async_context(self._http_client)
        return await self._stack.enter_async_context(self._transport)

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._stack.__aexit__(*exc_info)


class HttpStatefulClient(StatefulClientBase):
    """Keep one session with a remote MCP server.

    Args:
        name: The server's name.
        transport: ``"streamable_http"`` or ``"sse"``.
        url: The endpoint, e.g. ``"http://127.0.0.1:3001/mcp"``.
        headers: Extra HTTP headers (authentication).
        timeout: Seconds for connecting and ordinary requests.
        sse_read_timeout: Seconds to wait for the next event of a streamed response.

    Example:
        >>> client = HttpStatefulClient("everything", transport="streamable_http",
        ...     url="http://127.0.0.1:3001/mcp")
        >>> # await client.connect(); tools = await client.list_tools()
    """

    def __init__(
        self,
        name: str,
        transport: HttpTransport,
        url: str,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        sse_read_timeout: float = 300,
    ) -> None:
        super().__init__(name, timeout=timeout)
        check_http_options(name, transport, url)
        self.transport: HttpTransport = transport
        self.url = url
        self.headers = dict(headers) if headers else None
        self.sse_read_timeout = sse_read_timeout

    @property
    def target(self) -> str:
        """The URL."""
        return self.url

    async def _open(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        streams = await stack.enter_async_context(
            open_http(self.transport, self.url, self.headers, self.timeout, self.sse_read_timeout)
        )
        return streams[0], streams[1]

    def __repr__(self) -> str:
        return f"HttpStatefulClient(name={self.name!r}, url={self.url!r})"
