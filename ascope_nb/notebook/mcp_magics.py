"""The ``%mcp`` line magic: add, list and remove MCP servers for the notebook's agents.

::

    %mcp add time -- python -m mcp_server_time --local-timezone UTC
    %mcp add docs --url http://127.0.0.1:3001/mcp --header Authorization="Bearer {token}"
    %mcp list
    %mcp remove time

IPython expands ``{var}`` in the line first. Servers live in ``ascope_nb.mcp.registry`` (``%%agent NAME --mcp time`` takes its tools
from there) and are closed when the kernel shuts down. Mistakes are one line, no traceback.
"""

from __future__ import annotations

import argparse
import html
import shlex
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError, ConfigError

_USAGE = (
    "%mcp add NAME -- COMMAND [ARGS...] | %mcp add NAME --url URL [--header K=V] "
    "[--transport streamable_http|sse] [--stateless] | %mcp list | %mcp remove NAME"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"%mcp: {message} (usage: {_USAGE})")


def _parser() -> _Parser:
    parser = _Parser(prog="%mcp add", add_help=False, allow_abbrev=False)
    parser.add_argument("name")
    parser.add_argument("--url")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--transport", choices=["streamable_http", "sse"], default=None)
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--cwd")
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=60.0)
    return parser


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"%mcp add: {option} takes KEY=VALUE, got {item!r}")
        pairs[key] = value
    return pairs


def build_client(line: str) -> Any:
    """The client that ``%mcp add LINE`` describes (not connected yet).

    Example:
        >>> build_client("time -- mcp-server-time --local-timezone UTC").args
        ['--local-timezone', 'UTC']
    """
    from ..mcp import HttpStatefulClient, HttpStatelessClient, StdIOStatefulClient
    from ..mcp._http import HttpTransport

    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise ConfigError(f"%mcp add: cannot parse the line ({exc})") from None
    command: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, command = words[:cut], words[cut + 1 :]
    opts = _parser().parse_args(words)
    if not opts.name.isidentifier():
        raise ConfigError(f"%mcp add: the name must be an identifier, got {opts.name!r}")
    if bool(command) == bool(opts.url):
        raise ConfigError(
            f"%mcp add: give either -- COMMAND ARGS... or --url URL (usage: {_USAGE})"
        )
    if command:
        env = _pairs(opts.env, "--env") or None
        return StdIOStatefulClient(
            opts.name, command[0], command[1:], env=env, cwd=opts.cwd, timeout=opts.timeout
        )
    headers = _pairs(opts.header, "--header") or None
    transport: HttpTransport = opts.transport or (
        "sse" if opts.url.rstrip("/").endswith("/sse") else "streamable_http"
    )
    cls = HttpStatelessClient if opts.stateless else HttpStatefulClient
    return cls(opts.name, transport, opts.url, headers=headers, timeout=opts.timeout)


class ServerTable:
    """``%mcp list``: the servers and their tools (HTML table and stable plain text)."""

    def __init__(self, rows: list[tuple[str, str, str, list[str]]]) -> None:
        self.rows = rows

    def _repr_html_(self) -> str:
        if not self.rows:
            return "<p>No MCP servers. Add one with <code>%mcp add NAME -- COMMAND</code>.</p>"
        head = "".join(f"<th>{h}</th>" for h in ("server", "target", "status", "tools"))
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(c)}</td>" for c in (name, target, status))
            + f"<td>{html.escape(', '.join(tools)) or '-'}</td></tr>"
            for name, target, status, tools in self.rows
        )
        return f'<table class="ascope-mcp"><tr>{head}</tr>{body}</table>'

    def __repr__(self) -> str:
        if not self.rows:
            return "No MCP servers."
        lines = [f"{len(self.rows)} MCP server(s):"]
        for name, target, status, tools in self.rows:
            lines.append(f"- {name} [{status}] {target}")
            lines.append(f"    tools: {', '.join(tools) or '-'}")
        return "\n".join(lines)


def server_table() -> ServerTable:
    """The rows of ``%mcp list`` from the registry."""
    from ..mcp import StatefulClientBase, registry
    from ..mcp._loop import run_sync

    rows = []
    for client in registry.clients():
        status = getattr(client, "status", "")
        tools: list[str] = []
        if not isinstance(client, StatefulClientBase) or client.is_connected:
            try:
                tools = [t.name for t in run_sync(client.list_tools(), timeout=60)]
            except Exception as exc:
                status = f"error: {exc}"
        rows.append((client.name, client.target, status, tools))
    return ServerTable(rows)


@magics_class
class McpMagics(Magics):  # type: ignore[misc]  # IPython's Magics is untyped
    """``%mcp add|list|remove``: MCP servers whose tools agents can use."""

    @line_magic
    def mcp(self, line: str) -> Any:
        """%mcp add NAME -- COMMAND ARGS | add NAME --url URL | list | remove NAME"""
        try:
            return self._run(line)
        except AscopeError as exc:
            raise UsageError(str(exc)) from None

    def _run(self, line: str) -> Any:
        from ..mcp import StatefulClientBase, registry
        from ..mcp._loop import run_sync

        action, _, rest = line.strip().partition(" ")
        if action in ("-h", "--help", "help"):
            print(f"usage: {_USAGE}")
            return None
        if action == "add":
            client = build_client(rest)
            if client.name in registry.names():
                raise ConfigError(
                    f"%mcp add: a server named {client.name!r} exists; %mcp remove {client.name} first"
                )
            if isinstance(client, StatefulClientBase):
                run_sync(client.connect())
            tools = run_sync(client.list_tools())
            registry.add(client)
            names = ", ".join(t.name for t in tools) or "no tools"
            print(f"MCP server {client.name!r}: {len(tools)} tool(s): {names}")
            return None
        if action == "list":
            if rest.strip():
                raise ConfigError("%mcp list takes no arguments")
            return server_table()
        if action == "remove":
            name = rest.strip()
            if not name or " " in name:
                raise ConfigError("%mcp remove takes one server name")
            registry.remove(name)
            print(f"MCP server {name!r} removed")
            return None
        raise ConfigError(f"%mcp: unknown action {action!r} (usage: {_USAGE})")


_hooked: set[int] = set()


def register_mcp_magics(ipython: Any) -> None:
    """Register ``%mcp`` and close every MCP client when the kernel shuts down.

    Called by ``load_ipython_extension``; ``atexit`` covers plain IPython.
    """
    ipython.register_magics(McpMagics)
    kernel = getattr(ipython, "kernel", None)
    if kernel is None or id(kernel) in _hooked:
        return
    original = kernel.do_shutdown

    def do_shutdown(restart: bool) -> Any:
        from ..mcp import registry

        registry.close_all()
        return original(restart)

    kernel.do_shutdown = do_shutdown
    _hooked.add(id(kernel))
