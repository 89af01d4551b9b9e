"""The process-wide registry of named MCP clients (what ``%mcp`` and ``%%agent --mcp`` use).

Every stdio server started through it is stopped when the process exits (``atexit``) or
when the kernel shuts down (``close_all``), so no server outlives the notebook.

Example:
    >>> from ascope_nb.mcp import registry
    >>> registry.names()
    []
"""

from __future__ import annotations

import atexit
import threading

from ..exceptions import ConfigError
from ._client_base import MCPClientBase
from ._stateful import StatefulClientBase

_clients: dict[str, MCPClientBase] = {}
_lock = threading.Lock()


def add(client: MCPClientBase, *, replace: bool = False) -> MCPClientBase:
    """Register ``client`` under its name; with ``replace=True`` an older one is closed first.

    Raises:
        ConfigError: A client of that name exists and ``replace`` is false.
    """
    with _lock:
        old = _clients.get(client.name)
        if old is not None and old is not client and not replace:
            raise ConfigError(
                f"An MCP server named {client.name!r} already exists; remove it first."
            )
        _clients[client.name] = client
    if old is not None and old is not client and isinstance(old, StatefulClientBase):
        old.close_sync()
    return client


def get(name: str) -> MCPClientBase:
    """The client registered as ``name`` (what ``%%agent ... --mcp NAME`` uses).

    Raises:
        ConfigError: No such client; the message lists the known names.
    """
    client = _clients.get(name)
    if client is None:
        known = ", ".join(repr(n) for n in sorted(_clients)) or "none"
        raise ConfigError(
            f"No MCP server named {name!r} (known: {known}); add one with %mcp add {name} -- ..."
        )
    return client


def names() -> list[str]:
    """The registered names, in order of registration."""
    return list(_clients)


def clients() -> list[MCPClientBase]:
    """The registered clients, in order of registration."""
    return list(_clients.values())


def remove(name: str) -> MCPClientBase:
    """Unregister ``name`` and close it (sync; works from a notebook cell)."""
    client = get(name)
    with _lock:
        _clients.pop(name, None)
    if isinstance(client, StatefulClientBase):
        client.close_sync()
    return client


def close_all() -> None:
    """Close and unregister every client; never raises (``atexit`` and kernel shutdown)."""
    with _lock:
        items = list(_clients.values())
        _clients.clear()
    for client in items:
        if isinstance(client, StatefulClientBase):
            client.close_sync()


atexit.register(close_all)
