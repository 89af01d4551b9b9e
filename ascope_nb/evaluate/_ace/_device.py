"""The phone's own switches (Wi-Fi, signed in), shared by every app on it.

Example:
    >>> switches = {"wifi": False, "logged_in": True}
    >>> app = DeviceBound(switches); switches["wifi"] = True; app.wifi
    True
"""

from __future__ import annotations

from typing import Any

Result = dict[str, Any]


def failed(message: str) -> Result:
    """The simulators' refusal: ``{"status": False, "message": ...}``."""
    return {"status": False, "message": message}


def done(message: str) -> Result:
    """The simulators' success: ``{"status": True, "message": ...}``."""
    return {"status": True, "message": message}


class DeviceBound:
    """An app that reads the phone's switches (the same dict for every app of one phone)."""

    tool_functions: list[str] = []

    def __init__(self, switches: dict[str, bool]) -> None:
        self._switches = switches

    @property
    def wifi(self) -> bool:
        """Whether Wi-Fi is on."""
        return bool(self._switches["wifi"])

    @property
    def logged_in(self) -> bool:
        """Whether the device is signed in."""
        return bool(self._switches["logged_in"])


__all__ = ["DeviceBound", "Result", "done", "failed"]
