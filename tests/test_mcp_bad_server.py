"""``%mcp add`` of a server that prints non-JSON on stdout: one line, no SDK traceback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from ascope_nb.mcp import registry
from ascope_nb.notebook.mcp_magics import register_mcp_magics


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    ip = InteractiveShell.instance()
    register_mcp_magics(ip)
    return ip


def test_server_printing_non_json_gives_one_line(
    shell: InteractiveShell, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog
) -> None:
    server = tmp_path / "chatty.py"
    server.write_text("for i in range(5):\n    print(f'starting up, step {i}', flush=True)\n")
    caplog.set_level(logging.DEBUG)
    shell.run_cell(f"%mcp add chatty --timeout 20 -- {sys.executable} {server}")
    captured = capsys.readouterr()
    lines = [ln for ln in (captured.out + captured.err).splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("UsageError: cannot start MCP server 'chatty'")
    assert "non-JSON to stdout: 'starting up, step 0'" in lines[0]
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]
    assert "chatty" not in registry.names()
