"""Run a child process with a timeout; kill its whole process group on timeout or cancel."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass
from typing import Any


@dataclass
class ProcessResult:
    """Exit status and decoded output of a finished (or killed) child process."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def _kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the child and everything it started (it leads its own session on POSIX)."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()


async def run_process(
    *argv: str, shell: bool = False, timeout: float | None, env: dict[str, str] | None = None
) -> ProcessResult:
    """Run ``argv`` (or the shell command ``argv[0]`` with ``shell=True``) and collect its output.

    On timeout the process group is killed, the output so far is kept and ``timed_out`` is
    set. On cancellation the process group is killed and reaped before ``CancelledError`` is
    re-raised, so no child outlives the call.

    Example:
        >>> import asyncio, sys
        >>> asyncio.run(run_process(sys.executable, "-c", "print(1)", timeout=30)).stdout
        '1\\n'
    """
    options: dict[str, Any] = {
        "stdin": asyncio.subprocess.DEVNULL,
        "stdout": asyncio.subprocess.PIPE,
        "stderr": asyncio.subprocess.PIPE,
        "env": env,
    }
    if os.name == "posix":
        options["start_new_session"] = True
    if shell:
        proc = await asyncio.create_subprocess_shell(argv[0], **options)
    else:
        proc = await asyncio.create_subprocess_exec(*argv, **options)

    communicate = asyncio.ensure_future(proc.communicate())
    timed_out = False
    try:
        out, err = await asyncio.wait_for(asyncio.shield(communicate), timeout)
    except asyncio.TimeoutError:
        timed_out = True
        _kill(proc)
        out, err = await communicate
    except asyncio.CancelledError:
        _kill(proc)
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(communicate, 5)
        raise
    return ProcessResult(
        returncode=-1 if timed_out else (proc.returncode if proc.returncode is not None else -1),
        stdout=out.decode("utf-8", errors="replace"),
        stderr=err.decode("utf-8", errors="replace"),
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
