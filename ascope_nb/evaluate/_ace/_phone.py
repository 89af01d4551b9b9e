"""``ACEPhone``: one simulated phone (messages, reminders, food delivery) plus the travel
system, whose methods are the tools of an ACEBench task.

Each task gets its own phone (``ACEBenchmark`` builds a new one for every task it yields),
so what one run changed is never seen by another.

Example:
    >>> phone = ACEPhone()
    >>> phone.load_initial_config({"BaseApi": {"wifi": True, "logged_in": True}})
    >>> send = phone.get_tool_function("send_message")
    >>> send(sender_name="Eve", receiver_name="Frank", message="hi").content[0]["text"]
    "{'status': False, 'message': '内存容量不够了，你需要询问user删除哪一条短信。'}"
    >>> [next(iter(part)) for part in phone.get_current_state()]
    ['BaseApi', 'MessageApi', 'ReminderApi', 'FoodPlatform', 'Travel']
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from ...exceptions import ConfigError
from ...message import TextBlock
from ...tool import ToolResponse
from ._device import Result, done
from ._food_app import FoodPlatformApi
from ._message_app import MessageApi
from ._reminder_app import ReminderApi
from ._travel_app import TravelApi

PHONE_TOOLS = ("turn_on_wifi", "login_device")


def _as_tool(method: Callable[..., Any]) -> Callable[..., ToolResponse]:
    """The simulator method as a tool: its answer, as text, in a ``ToolResponse``."""

    @functools.wraps(method)
    def tool(*args: Any, **kwargs: Any) -> ToolResponse:
        return ToolResponse(content=[TextBlock(type="text", text=str(method(*args, **kwargs)))])

    return tool


class ACEPhone:
    """A user's phone in ACEBench: Wi-Fi and sign-in switches shared by its apps."""

    def __init__(self) -> None:
        self._state: dict[str, bool] = {"wifi": False, "logged_in": False}
        self._message_app = MessageApi(self._state)
        self._reminder_app = ReminderApi(self._state)
        self._food_platform_app = FoodPlatformApi(self._state)
        self._travel = TravelApi()

    def turn_on_wifi(self) -> Result:
        """Turn Wi-Fi on."""
        self._state["wifi"] = True
        return done("wifi已经打开")

    def login_device(self) -> Result:
        """Sign the device in."""
        self._state["logged_in"] = True
        return done("设备已经登录")

    def load_initial_config(self, initial_config: Mapping[str, Any]) -> None:
        """Set the switches from a task's ``initial_config`` (``{"BaseApi": {"wifi", "logged_in"}}``;
        the dataset's ``"Baspi"`` typo is read as ``"BaseApi"``; an empty config keeps both off).
        The given mapping is not changed."""
        if not initial_config:
            return
        base = initial_config.get("BaseApi", initial_config.get("Baspi"))
        if not isinstance(base, Mapping) or "wifi" not in base or "logged_in" not in base:
            raise ConfigError(
                f"ACE initial_config needs BaseApi.wifi and BaseApi.logged_in, got {dict(initial_config)!r}"
            )
        self._state["wifi"] = bool(base["wifi"])
        self._state["logged_in"] = bool(base["logged_in"])

    def get_current_state(self) -> list[dict[str, Any]]:
        """The state ACEBench's ground truth describes: one dict per app."""
        return [
            {"BaseApi": self._state},
            self._message_app.get_state_dict(),
            self._reminder_app.get_state_dict(),
            self._food_platform_app.get_state_dict(),
            self._travel.get_state_dict(),
        ]

    def tool_names(self) -> list[str]:
        """Every tool name this phone answers to."""
        names = list(PHONE_TOOLS)
        for app in self._apps():
            names.extend(app.tool_functions)
        return names

    def _apps(self) -> tuple[Any, ...]:
        return (self._message_app, self._food_platform_app, self._reminder_app, self._travel)

    def get_tool_function(self, name: str) -> Callable[..., ToolResponse]:
        """The tool ``name`` bound to this phone; it answers a ``ToolResponse`` with the
        simulator's reply as text. Unknown names raise ``ValueError``."""
        if name in PHONE_TOOLS:
            return _as_tool(getattr(self, name))
        for app in self._apps():
            if name in app.tool_functions:
                return _as_tool(getattr(app, name))
        raise ConfigError(f"Tool function {name!r} not found in ACEPhone.")


__all__ = ["ACEPhone", "PHONE_TOOLS"]
