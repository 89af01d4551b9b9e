"""A throwaway ``redis-server`` for tests (Debian's ``redis-server`` package), on a free port.

A missing binary FAILS the test (never skips): ``RedisMemory`` must be tested on real Redis.
The server writes an append-only file synced on every write, so ``kill()`` + ``start()``
shows what a crash leaves behind.

Example (in a test module):
    from tests.support.redis_server import redis_server  # noqa: F401  (the fixture)

    def test_x(redis_server):
        memory = RedisMemory(port=redis_server.port)
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

INSTALL_HINT = "redis-server not found: install it with `apt-get install -y redis-server`"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """``redis-server`` on 127.0.0.1:``port``, data in ``base`` (AOF, fsync always)."""

    base: str
    port: int = field(default_factory=free_port)
    password: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(INSTALL_HINT, pytrace=False)
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.base]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        args += ["--protected-mode", "no", "--daemonize", "no", "--logfile", "redis.log"]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, cwd=self.base, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not listen on port {self.port} within 20 s")

    def kill(self) -> None:
        """SIGKILL the server (a crash: no shutdown save)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None


def start_redis(password: str | None = None) -> RedisServer:
    """Start a fresh server in its own temporary directory."""
    server = RedisServer(base=tempfile.mkdtemp(prefix="ascope-redis-"), password=password)
    server.start()
    return server


def stop_redis(server: RedisServer) -> None:
    server.kill()
    shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh ``redis-server`` for one test."""
    server = start_redis()
    try:
        yield server
    finally:
        stop_redis(server)


__all__ = ["RedisServer", "free_port", "redis_server", "start_redis", "stop_redis"]
