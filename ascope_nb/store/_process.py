"""Who owns a run: a process identity that survives pid reuse, and a liveness check."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of ``/proc/<pid>/stat`` (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return None
    # the command name (field 2) may contain spaces and parentheses: split after the last ")"
    rest = stat.rsplit(")", 1)[-1].split()
    return rest if len(rest) >= 20 else None


def process_start_token(pid: int) -> str | None:
    """A token that differs between two processes that had the same pid (Linux: boot id and
    start time from ``/proc``); ``None`` where the platform gives no such information."""
    rest = _stat_fields(pid)
    return None if rest is None else f"{_boot_id()}:{rest[19]}"  # field 22: start time


@dataclass(frozen=True)
class Owner:
    """The process that writes a run's events."""

    pid: int
    token: str
    host: str


@lru_cache(maxsize=1)
def _this_owner(pid: int) -> Owner:
    return Owner(pid=pid, token=process_start_token(pid) or "", host=socket.gethostname())


def this_process() -> Owner:
    """The owner identity of the current process (recomputed after a fork)."""
    return _this_owner(os.getpid())


def owner_is_alive(pid: int | None, token: str | None, host: str | None) -> bool:
    """Whether the process that wrote a run may still be writing it.

    A process on another host cannot be checked, so it counts as alive (its runs are never
    marked crashed from here). On this host the pid must exist and, where start tokens are
    available, have the recorded token (a reused pid belongs to a different process).
    """
    if pid is None:
        return False
    me = this_process()
    if host and host != me.host:
        return True
    if pid == me.pid:
        return not token or token == me.token
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    except OSError:
        return False
    rest = _stat_fields(pid)
    if rest is not None:
        if rest[0] in ("Z", "X"):  # killed, not yet reaped by its parent
            return False
        if token and f"{_boot_id()}:{rest[19]}" != token:
            return False
    return True
