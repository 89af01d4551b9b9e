"""Find, inspect and stop the subprocess of a stdio server (Linux ``/proc``; best effort elsewhere).

The SDK's ``stdio_client`` does not expose its process, so the client finds it as the new
child of this process whose command line matches, to report its exit code and to make sure
no server outlives the kernel.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

_PROC = Path("/proc")


def child_pids() -> set[int]:
    """The ids of this process's direct children (empty where ``/proc`` is missing)."""
    me = os.getpid()
    found: set[int] = set()
    if not _PROC.is_dir():
        return found
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and len(fields) > 1 and fields[1] == str(me):
            found.add(int(entry.name))
    return found


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` after the command name: ``[state, ppid, ...]``."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def cmdline(pid: int) -> list[str]:
    """The argument vector of ``pid`` (empty if unknown)."""
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def pick_child(new: set[int], args: list[str]) -> int | None:
    """The new child whose command line ends with ``args`` (or the only new child)."""
    if len(new) == 1:
        return next(iter(new))
    for pid in sorted(new):
        line = cmdline(pid)
        if args and line[-len(args) :] == args:
            return pid
    return None


def is_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited but not yet reaped, counts as dead).

    Example:
        >>> is_alive(os.getpid())
        True
    """
    fields = _stat_fields(pid)
    if fields is not None:
        return fields[0] not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_code(pid: int) -> int | None:
    """The exit code of an exited, not yet reaped child: ``-N`` if signal N killed it."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] != "Z" or len(fields) < 50:
        return None
    status = int(fields[49])  # field 52 of stat: the waitpid() status
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else None


def terminate(pid: int, *, timeout: float = 2.0) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)  # the SDK starts servers in their own session (pgid == pid)
        except (ProcessLookupError, PermissionError, OSError):
            try:
                os.kill(pid, sig)
            except OSError:
                return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not is_alive(pid):
                return
            time.sleep(0.02)
