"""A streamable-HTTP MCP server that answers only requests with ``Authorization: Bearer
TOKEN`` (401 otherwise). Usage: ``python auth_mcp_server.py PORT TOKEN``."""

from __future__ import annotations

import sys

import uvicorn
from mcp.server.fastmcp import FastMCP
from starlette.responses import JSONResponse


def main(port: int, token: str) -> None:
    server = FastMCP("guarded", host="127.0.0.1", port=port, stateless_http=True)

    @server.tool()
    def add(a: int, b: int) -> str:
        """Add two integers."""
        return str(a + b)

    app = server.streamable_http_app()

    async def guarded(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization") != f"Bearer {token}".encode():
                await JSONResponse({"error": "unauthorized"}, status_code=401)(scope, receive, send)
                return
        await app(scope, receive, send)

    uvicorn.run(guarded, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
