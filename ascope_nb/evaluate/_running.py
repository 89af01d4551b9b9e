"""One running experiment per name in a process: a second start is refused in one line.

Two experiments under one name would each run every sample (twice the runs for the same
samples) and resume from each other's half-finished runs.

Example:
    >>> claim("capitals", object())
    >>> release("capitals")
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError

_running: dict[str, Any] = {}


def claim(name: str, owner: Any) -> None:
    """Note that experiment ``name`` runs now; refuse if another one of that name runs."""
    other = _running.get(name)
    if other is not None and other is not owner and not getattr(other, "done", False):
        raise ConfigError(
            f"experiment {name!r} is already running in this kernel: await or stop it "
            "first, or give this one another name"
        )
    _running[name] = owner


def release(name: str, owner: Any | None = None) -> None:
    """Forget the running experiment ``name`` (when it ends)."""
    if owner is None or _running.get(name) is owner:
        _running.pop(name, None)


__all__ = ["claim", "release"]
