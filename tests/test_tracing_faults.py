"""Tracing against a collector that is down or never answers: switching tracing off
returns within 2 s with one line at most, and a URL's password is never echoed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, time
    from ascope_nb.agent import ReActAgent
    from ascope_nb.message import Msg
    from ascope_nb.testing import ScriptedModel
    from ascope_nb.tracing import setup_tracing, shutdown_tracing
    from ascope_nb.tracing._magic import trace_setting

    setup_tracing(sys.argv[1])
    agent = ReActAgent("F", "s", ScriptedModel(["hi"] * 20))
    agent.set_console_output_enabled(False)
    for _ in range(20):
        asyncio.run(agent(Msg("user", "hello", "user")))
    time.sleep(float(sys.argv[2]))  # let the batch processor start an export
    began = time.perf_counter()
    if sys.argv[3] == "magic":
        print(trace_setting("off"))
    else:
        shutdown_tracing()
    print(f"took {time.perf_counter() - began:.3f}", flush=True)
    """
)


@pytest.fixture
def silent_collector() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def switch_off(port: int, wait: float, how: str) -> tuple[float, list[str]]:
    url = f"http://127.0.0.1:{port}/v1/traces"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, url, str(wait), how],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    took = float(out.stdout.split("took ")[-1])
    return took, [line for line in out.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("how", ["api", "magic"])
@pytest.mark.parametrize("wait", [0.0, 5.5])
def test_switching_off_returns_fast_when_the_collector_never_answers(
    silent_collector: int, wait: float, how: str
) -> None:
    took, stderr = switch_off(silent_collector, wait, how)
    assert took < 2.0, f"shutdown took {took:.1f} s"
    assert len(stderr) <= 1, "\n".join(stderr)


@pytest.mark.parametrize("wait", [0.0, 5.5])
def test_switching_off_returns_fast_when_the_collector_is_down(wait: float) -> None:
    took, stderr = switch_off(closed_port(), wait, "api")
    assert took < 2.0, f"shutdown took {took:.1f} s"
    assert len(stderr) <= 1, "\n".join(stderr)
    if stderr:
        assert "127.0.0.1" in stderr[0] and "Traceback" not in stderr[0]


def test_the_collector_password_is_never_echoed(silent_collector: int) -> None:
    from ascope_nb.tracing._magic import trace_setting

    secret = "sk-abcdefghijklmnopqrstuvwx1234"
    url = f"http://user:{secret}@127.0.0.1:{silent_collector}/v1/traces"
    try:
        shown = [trace_setting(url), trace_setting(None)]
    finally:
        trace_setting("off")
    assert all(f"127.0.0.1:{silent_collector}/v1/traces" in line for line in shown), shown
    assert not any(secret in line for line in shown), shown
