"""``StdIOStatefulClient``: a server started as a subprocess, spoken to over stdin/stdout."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO

from ..exceptions import ConfigError
from . import _process
from ._stateful import StatefulClientBase
from ._watch import quiet_sdk_parse_errors, root_cause


def _default_errlog() -> TextIO:
    """``sys.stderr`` if it is a real file, else the process's original stderr (or devnull).

    In a kernel or under pytest's capture ``sys.stderr`` has no file descriptor, which a
    subprocess needs.
    """
    for stream in (sys.stderr, sys.__stderr__):
        try:
            if stream is not None:
                stream.fileno()
                return stream
        except (OSError, ValueError, AttributeError):
            continue
    global _devnull
    if _devnull is None:
        _devnull = open(os.devnull, "w")  # noqa: SIM115  # kept open for the process's life
    return _devnull


_devnull: TextIO | None = None


class StdIOStatefulClient(StatefulClientBase):
    """Start an MCP server as a subprocess and keep one session with it.

    Args:
        name: The server's name (tools registered from it carry it as their ``source``).
        command: The executable, e.g. ``"mcp-server-time"`` or ``sys.executable``.
        args: Its arguments.
        env: Extra environment variables (added to the SDK's safe default environment).
        cwd: The working directory of the server.
        timeout: Seconds allowed for start-up and the protocol handshake.
        errlog: Where the server's stderr goes (default ``sys.stderr``).

    Example:
        >>> client = StdIOStatefulClient("time", command="mcp-server-time",
        ...     args=["--local-timezone", "UTC"])
        >>> # async with client:
        >>> #     func = await client.get_callable_function("get_current_time")
        >>> #     await func(timezone="UTC")
    """

    _spawn_lock: asyncio.Lock | None = None

    def __init__(
        self,
        name: str,
        command: str,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        *,
        timeout: float = 30.0,
        errlog: TextIO | None = None,
    ) -> None:
        super().__init__(name, timeout=timeout)
        if not isinstance(command, str) or not command:
            raise ConfigError(f"MCP server {name!r}: command must be a non-empty string.")
        self.command = command
        self.args = [str(a) for a in (args or [])]
        self.env = dict(env) if env else None
        self.cwd = str(cwd) if cwd is not None else None
        self.errlog = errlog
        self.pid: int | None = None
        """The server's process id while it runs (Linux; ``None`` where it cannot be found)."""

    @property
    def target(self) -> str:
        """The command line."""
        return shlex.join([self.command, *self.args])

    async def _open(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(
            command=self.command, args=self.args, env=self.env, cwd=self.cwd
        )
        quiet_sdk_parse_errors()  # one line from us instead of a traceback per line
        lock = StdIOStatefulClient._spawn_lock
        if lock is None:
            lock = StdIOStatefulClient._spawn_lock = asyncio.Lock()  # created on the MCP loop
        async with lock:  # one spawn at a time, so the new child is ours
            before = _process.child_pids()
            read, write = await stack.enter_async_context(
                stdio_client(params, errlog=self.errlog or _default_errlog())
            )
            self.pid = _process.pick_child(_process.child_pids() - before, self.args)
        return read, write

    async def _describe_loss(self) -> str:
        if self.pid is None:
            return "the server process exited"
        for _ in range(25):  # the exit status is readable until the SDK reaps the process
            code = _process.exit_code(self.pid)
            if code is not None:
                return f"process exited with code {code}"
            if not _process.is_alive(self.pid):
                break
            await asyncio.sleep(0.02)
        return "the server process exited"

    def _connect_failure(self, exc: BaseException) -> str:
        if isinstance(exc, FileNotFoundError) or (
            isinstance(exc, OSError) and shutil.which(self.command) is None
        ):
            return (
                f"cannot start MCP server {self.name!r}: command {self.command!r} not found "
                "(is it installed and on PATH?)"
            )
        if isinstance(exc, OSError):
            return f"cannot start MCP server {self.name!r} ({self.target}): {root_cause(exc)}"
        if isinstance(exc, asyncio.TimeoutError):
            return (
                f"cannot start MCP server {self.name!r} ({self.target}): no handshake within "
                f"{self.timeout:g} s"
            )
        if self._lost is not None:
            return (
                f"cannot start MCP server {self.name!r} ({self.target}): {self._lost} "
                "during the handshake"
            )
        return super()._connect_failure(exc)

    def _after_close(self) -> None:
        pid, self.pid = self.pid, None
        if pid is not None and _process.is_alive(pid):
            _process.terminate(pid)

    def __repr__(self) -> str:
        return f"StdIOStatefulClient(name={self.name!r}, command={self.target!r})"
