"""``%mcp`` in an in-process IPython shell: add, list, remove, and one-line errors."""

from __future__ import annotations

import sys

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from support.mcp_servers import TIME_COMMAND, pid_alive

from ascope_nb.exceptions import ConfigError
from ascope_nb.mcp import HttpStatefulClient, HttpStatelessClient, StdIOStatefulClient, registry
from ascope_nb.notebook.mcp_magics import McpMagics, build_client, register_mcp_magics


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    ip = InteractiveShell.instance()
    register_mcp_magics(ip)
    return ip


def test_build_client_parses_command_and_url_lines() -> None:
    stdio = build_client("time --env TZ=UTC -- python -m mcp_server_time --local-timezone UTC")
    assert isinstance(stdio, StdIOStatefulClient)
    assert (stdio.name, stdio.command, stdio.args, stdio.env) == (
        "time",
        "python",
        ["-m", "mcp_server_time", "--local-timezone", "UTC"],
        {"TZ": "UTC"},
    )
    http = build_client("docs --url http://127.0.0.1:9/mcp --header Authorization='Bearer x y'")
    assert isinstance(http, HttpStatefulClient)
    assert (http.transport, http.url, http.headers) == (
        "streamable_http",
        "http://127.0.0.1:9/mcp",
        {"Authorization": "Bearer x y"},
    )
    sse = build_client("s --url http://127.0.0.1:9/sse --stateless")
    assert isinstance(sse, HttpStatelessClient) and sse.transport == "sse"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("time", "%mcp add: give either -- COMMAND ARGS... or --url URL"),
        ("time --bogus 1 -- x", "%mcp: unrecognized arguments: --bogus 1"),
        ("9x -- cmd", "%mcp add: the name must be an identifier, got '9x'"),
        ("h --url ftp://x", "MCP server 'h': url must start with http:// or https://"),
        ("h --url http://x --header novalue", "%mcp add: --header takes KEY=VALUE, got 'novalue'"),
    ],
)
def test_build_client_errors(line: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_client(line)
    assert str(info.value).startswith(message)


def _usage_error(shell: InteractiveShell, line: str) -> str:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("mcp", line)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_magic_errors_are_one_line(shell: InteractiveShell) -> None:
    assert _usage_error(shell, "frobnicate").startswith("%mcp: unknown action 'frobnicate'")
    assert _usage_error(shell, "add ghost -- nonexistent-binary") == (
        "cannot start MCP server 'ghost': command 'nonexistent-binary' not found "
        "(is it installed and on PATH?)"
    )
    assert _usage_error(shell, "add web --url http://127.0.0.1:1/mcp") == (
        "cannot connect to MCP server 'web' (http://127.0.0.1:1/mcp): Connection refused"
    )
    assert _usage_error(shell, "remove nobody").startswith("No MCP server named 'nobody'")
    assert registry.names() == []


def test_magic_errors_through_run_cell_show_no_traceback(shell: InteractiveShell, capsys) -> None:
    shell.run_cell("%mcp add ghost -- nonexistent-binary")
    captured = capsys.readouterr()
    lines = [ln for ln in (captured.out + captured.err).splitlines() if ln.strip()]
    assert lines == [
        "UsageError: cannot start MCP server 'ghost': command 'nonexistent-binary' not "
        "found (is it installed and on PATH?)"
    ]


def test_add_list_remove_real_server(shell: InteractiveShell, capsys) -> None:
    shell.user_ns["tz"] = "UTC"
    command = " ".join([sys.executable, *TIME_COMMAND[1:-1]])
    shell.run_line_magic("mcp", f"add time --timeout 90 -- {command} {{tz}}")
    try:
        out = capsys.readouterr().out
        assert out == "MCP server 'time': 2 tool(s): get_current_time, convert_time\n"
        client = registry.get("time")
        assert isinstance(client, StdIOStatefulClient) and client.args[-1] == "UTC"
        pid = client.pid
        assert pid is not None and pid_alive(pid)
        assert _usage_error(shell, "add time -- x").startswith(
            "%mcp add: a server named 'time' exists"
        )
        table = shell.run_line_magic("mcp", "list")
        assert table.rows == [
            ("time", client.target, "connected", ["get_current_time", "convert_time"])
        ]
        assert repr(table).splitlines() == [
            "1 MCP server(s):",
            f"- time [connected] {client.target}",
            "    tools: get_current_time, convert_time",
        ]
        assert "<td>get_current_time, convert_time</td>" in table._repr_html_()
    finally:
        shell.run_line_magic("mcp", "remove time")
    assert registry.names() == []
    assert not pid_alive(pid)
    assert repr(shell.run_line_magic("mcp", "list")) == "No MCP servers."


def test_close_all_stops_every_server() -> None:
    client = StdIOStatefulClient("t2", TIME_COMMAND[0], TIME_COMMAND[1:], timeout=90)
    from ascope_nb.mcp._loop import run_sync

    run_sync(client.connect())
    registry.add(client)
    pid = client.pid
    assert pid is not None and pid_alive(pid)
    registry.close_all()
    assert registry.names() == [] and not pid_alive(pid)
    assert isinstance(McpMagics, type)
