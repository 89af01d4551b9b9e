"""Errors of the MCP clients: one line each, readable in a notebook."""

from __future__ import annotations

from ..exceptions import AscopeError


class MCPError(AscopeError):
    """Base class of the MCP client errors."""


class MCPConnectionError(MCPError):
    """A server could not be started or reached (bad command, refused connection, handshake).

    Example:
        >>> str(MCPConnectionError("cannot start MCP server 'x': command 'nope' not found"))
        "cannot start MCP server 'x': command 'nope' not found"
    """


class MCPServerError(MCPError):
    """A connected server went away, or a call was made while the client is not connected."""


def one_line(exc: BaseException) -> str:
    """``"Type: message"`` on one line, unwrapping exception groups to their first leaf.

    Example:
        >>> one_line(OSError("connection\\nrefused"))
        'OSError: connection refused'
    """
    leaves = getattr(exc, "exceptions", None)  # an exception group (3.10: the backport)
    while isinstance(leaves, tuple) and leaves:
        exc = leaves[0]
        leaves = getattr(exc, "exceptions", None)
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
