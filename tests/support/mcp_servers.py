"""Real MCP servers for the tests: mcp-server-time (PyPI) and server-everything (npm).

server-everything is installed by ``npm install`` in ``tests/mcp_node`` (scripts/test.sh).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent.parent / "mcp_node"
EVERYTHING_JS = (
    NODE_DIR / "node_modules" / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"
)
TIME_COMMAND = [sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"]


def require_everything() -> Path:
    """The server-everything entry point; fails (not skips) with the install command."""
    if not EVERYTHING_JS.exists():
        pytest.fail(f"server-everything is missing: run `npm install` in {NODE_DIR}")
    return EVERYTHING_JS


def everything_command(mode: str = "stdio") -> list[str]:
    """``node .../index.js MODE``."""
    return ["node", str(require_everything()), mode]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextlib.contextmanager
def everything_http(mode: str = "streamableHttp") -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run server-everything over HTTP on a free local port; yield ``(url, process)``."""
    port = free_port()
    proc = subprocess.Popen(
        everything_command(mode),
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc)
        path = "/mcp" if mode == "streamableHttp" else "/sse"
        yield f"http://127.0.0.1:{port}{path}", proc
    finally:
        proc.kill()
        proc.wait(10)


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs (zombies count as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
