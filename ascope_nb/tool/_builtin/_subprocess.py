"""Run a child process in its own process group; nothing it starts outlives the call.

Each call starts a new session (so a new process group) on POSIX. The call returns when the
child itself exits: its output is read until then (plus a short grace for the last bytes),
never until every background process holding the pipes has gone, and what is left in the
group is then killed (``sleep 60 & echo hi`` and ``python -m http.server &`` return at once,
without leaving a process). On timeout and on cancellation (the notebook's Stop) the whole
group is killed and the child reaped before the call returns; at interpreter exit (kernel
shutdown) the groups of calls still running are killed (``kill_tool_processes``).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
from dataclasses import dataclass
from typing import Any

MAX_CAPTURE = 8 * 1024 * 1024
"""Bytes of each of stdout and stderr kept in memory (the first and the last half); the
middle is counted and dropped (the tool result is capped far below anyway)."""

EXIT_GRACE = 0.05
"""Seconds the pipes get after the child exits, for output still in flight."""

_groups: set[int] = set()  # process groups of the calls in flight


@dataclass
class ProcessResult:
    """Exit status and decoded output of a finished (or killed) child process."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _kill_group(pgid: int) -> None:
    """SIGKILL every process of the group ``pgid`` (the child leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_tool_processes() -> int:
    """Kill the process groups of every built-in tool call still running.

    Runs at interpreter exit (kernel shutdown); returns how many groups were signalled.
    """
    killed = 0
    for pgid in list(_groups):
        _groups.discard(pgid)
        if _group_alive(pgid):
            _kill_group(pgid)
            killed += 1
    return killed


if os.name == "posix":
    atexit.register(kill_tool_processes)


class _Capture:
    """Reads one pipe into memory (at most ``MAX_CAPTURE`` bytes) until EOF or close."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self.transport: asyncio.ReadTransport | None = None
        self.pipe: Any = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        self.pipe = os.fdopen(self.fd, "rb", 0)
        self.transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), self.pipe
        )
        self.task = asyncio.ensure_future(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        half = MAX_CAPTURE // 2
        while chunk := await reader.read(1 << 16):
            room = half - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            self.tail += chunk
            if len(self.tail) > half:
                excess = len(self.tail) - half
                del self.tail[:excess]
                self.dropped += excess

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.transport is not None:
            self.transport.close()
        elif self.pipe is not None:
            self.pipe.close()
        else:  # never started (cancelled first): the descriptor is still ours
            with contextlib.suppress(OSError):
                os.close(self.fd)

    def text(self) -> str:
        note = f"\n[... {self.dropped:,} bytes of output not kept ...]\n" if self.dropped else ""
        return (self.head + note.encode() + self.tail).decode("utf-8", errors="replace")


async def _wait_readers(captures: list[_Capture], timeout: float) -> None:
    tasks = [c.task for c in captures if c.task is not None]
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


async def run_process(
    *argv: str, shell: bool = False, timeout: float | None, env: dict[str, str] | None = None
) -> ProcessResult:
    """Run ``argv`` (or the shell command ``argv[0]`` with ``shell=True``) and collect its output.

    On timeout the process group is killed, the output so far is kept and ``timed_out`` is
    set. On cancellation the process group is killed and the child reaped before
    ``CancelledError`` is re-raised, so nothing it started outlives the call.

    Example:
        >>> import asyncio, sys
        >>> asyncio.run(run_process(sys.executable, "-c", "print(1)", timeout=30)).stdout
        '1\\n'
    """
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    captures = [_Capture(out_r), _Capture(err_r)]
    options: dict[str, Any] = {
        "stdin": asyncio.subprocess.DEVNULL,
        "stdout": out_w,
        "stderr": err_w,
        "env": env,
    }
    if os.name == "posix":
        options["start_new_session"] = True
    if shell:
        spawn = asyncio.ensure_future(asyncio.create_subprocess_shell(argv[0], **options))
    else:
        spawn = asyncio.ensure_future(asyncio.create_subprocess_exec(*argv, **options))
    try:
        # Shielded: a Stop while the child starts must still find (and kill) its group.
        proc = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            started = await spawn
            _kill_group(started.pid)
            await asyncio.wait_for(started.wait(), 5)
        for fd in (out_r, err_r):
            os.close(fd)
        raise
    except BaseException:
        for fd in (out_r, err_r):
            os.close(fd)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    _groups.add(proc.pid)
    timed_out = False
    try:
        for capture in captures:
            await capture.start()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except asyncio.TimeoutError:
            timed_out = True
            _kill_group(proc.pid)
            await proc.wait()
            await _wait_readers(captures, 1.0)
        else:
            await _wait_readers(captures, EXIT_GRACE)  # orphans may hold the pipes: no EOF wait
            _kill_group(proc.pid)  # what the command left running in the background
    except asyncio.CancelledError:
        _kill_group(proc.pid)
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(proc.wait(), 5)
        raise
    finally:
        for capture in captures:
            capture.close()
        _groups.discard(proc.pid)
    return ProcessResult(
        returncode=-1 if timed_out else (proc.returncode if proc.returncode is not None else -1),
        stdout=captures[0].text(),
        stderr=captures[1].text(),
        timed_out=timed_out,
    )


def format_result(result: ProcessResult, *, timeout_note: str) -> str:
    """AgentScope's text: ``<returncode>0</returncode><stdout>...</stdout><stderr>...</stderr>``."""
    stderr = result.stderr
    if result.timed_out:
        stderr = f"{stderr}\n{timeout_note}" if stderr else timeout_note
    return (
        f"<returncode>{result.returncode}</returncode>"
        f"<stdout>{result.stdout}</stdout>"
        f"<stderr>{stderr}</stderr>"
    )


def result_metadata(result: ProcessResult, timeout_note: str) -> dict[str, Any]:
    """``success`` is False only when the run timed out; a nonzero exit is still a result."""
    metadata: dict[str, Any] = {"success": not result.timed_out, "returncode": result.returncode}
    if result.timed_out:
        metadata["error"] = timeout_note
    return metadata
