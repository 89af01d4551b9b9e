"""``HttpStatelessClient(..., auth=...)``: an MCP server behind authentication (a real
server on 127.0.0.1 that answers 401 without the bearer token)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import httpx
import pytest
from support.mcp_servers import free_port, wait_for_port

from ascope_nb.mcp import HttpStatelessClient, MCPConnectionError

TOKEN = "mcp-token-0123456789abcdef"


class Bearer(httpx.Auth):
    """Signs every request with the token and counts them."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.signed = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.signed += 1
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


@pytest.fixture(scope="module")
def guarded_url() -> Iterator[str]:
    port = free_port()
    script = Path(__file__).parent / "support" / "auth_mcp_server.py"
    proc = subprocess.Popen([sys.executable, str(script), str(port), TOKEN])
    try:
        wait_for_port(port, proc=proc)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.kill()
        proc.wait(10)


async def test_auth_signs_every_request_and_the_tool_runs(guarded_url: str) -> None:
    auth = Bearer(TOKEN)
    client = HttpStatelessClient("guarded", transport="streamable_http", url=guarded_url, auth=auth)
    func = await client.get_callable_function(func_name="add")
    result = await func(a=20, b=22)
    assert result.content[0]["text"] == "42"
    assert auth.signed >= 2  # the session setup and the call, each signed


async def test_without_auth_the_refusal_is_one_line(guarded_url: str) -> None:
    client = HttpStatelessClient("guarded", transport="streamable_http", url=guarded_url)
    with pytest.raises(MCPConnectionError) as caught:
        await client.list_tools()
    text = str(caught.value)
    assert "\n" not in text and "guarded" in text and guarded_url in text


async def test_a_wrong_token_is_refused(guarded_url: str) -> None:
    client = HttpStatelessClient(
        "guarded", transport="streamable_http", url=guarded_url, auth=Bearer("wrong-token-123")
    )
    with pytest.raises(MCPConnectionError):
        await client.list_tools()
