"""The typed commands a view's buttons send to the kernel, and their dispatch to a controller.

A click in the browser sends one anywidget custom message whose content is one of these
dicts (a kernel test sends exactly the same content through the comm)::

    {"cmd": "stop"}
    {"cmd": "steer", "text": "Use metric units"}
    {"cmd": "approve", "tool_call_id": "call_1", "input": {"x": 1}}   # input optional (edit)
    {"cmd": "deny", "tool_call_id": "call_1", "reason": "not now"}    # reason optional
    {"cmd": "pause"} / {"cmd": "step"} / {"cmd": "resume"}
    {"cmd": "feedback", "label": "up", "comment": "nice"}               # or "score": 0.5
    {"cmd": "input", "request_id": "req_1", "text": "yes"}
    {"cmd": "snapshot", "nonce": "v1"}                                   # handled by the view
    {"cmd": "fork", "step": 1, "edit": {"x": 2}}     # "Fork from here" (edit: args or text)
    {"cmd": "plan", "op": "rename", "index": 1, "name": "x"}   # plan edits, approve / deny

The comm message itself is ``{"method": "custom", "content": <one of the above>}`` on the
widget's ``jupyter.widget`` comm. Invalid content is logged in one line and ignored.

Example:
    >>> parse_command({"cmd": "steer", "text": "go on"})
    {'cmd': 'steer', 'text': 'go on'}
    >>> parse_command({"cmd": "launch"}) is None
    True
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import NotRequired, TypedDict

if TYPE_CHECKING:
    from ._controller import RunController

from ..plan._command import PLAN_TEXT, plan_command

_log = logging.getLogger("ascope_nb.notebook")


class StopCmd(TypedDict):
    cmd: Literal["stop"]


class SteerCmd(TypedDict):
    cmd: Literal["steer"]
    text: str


class ApproveCmd(TypedDict):
    cmd: Literal["approve"]
    tool_call_id: str
    input: NotRequired[dict[str, Any] | None]


class DenyCmd(TypedDict):
    cmd: Literal["deny"]
    tool_call_id: str
    reason: NotRequired[str]


class FlowCmd(TypedDict):
    cmd: Literal["pause", "step", "resume"]


class FeedbackCmd(TypedDict):
    cmd: Literal["feedback"]
    label: NotRequired[Literal["up", "down"] | None]
    score: NotRequired[float | None]
    comment: NotRequired[str]


class InputCmd(TypedDict):
    cmd: Literal["input"]
    request_id: str
    text: str


class SnapshotCmd(TypedDict):
    cmd: Literal["snapshot"]
    nonce: NotRequired[str]


class ForkCmd(TypedDict):
    cmd: Literal["fork"]
    step: int
    edit: NotRequired[str | dict[str, Any] | None]


Command = (
    StopCmd
    | SteerCmd
    | ApproveCmd
    | DenyCmd
    | FlowCmd
    | FeedbackCmd
    | InputCmd
    | SnapshotCmd
    | ForkCmd
)

# cmd -> (required string fields, optional fields with their accepted types)
_SPEC: dict[str, tuple[tuple[str, ...], dict[str, tuple[type, ...]]]] = {
    "stop": ((), {}),
    "pause": ((), {}),
    "step": ((), {}),
    "resume": ((), {}),
    "snapshot": ((), {"nonce": (str,)}),
    "steer": (("text",), {}),
    "approve": (("tool_call_id",), {"input": (dict, type(None))}),
    "deny": (("tool_call_id",), {"reason": (str,)}),
    "feedback": (
        (),
        {"label": (str, type(None)), "score": (int, float, type(None)), "comment": (str,)},
    ),
    "input": (("request_id", "text"), {}),
    "fork": ((), {"step": (int,), "edit": (str, dict, type(None))}),
    "plan": (("op",), {k: (int,) for k in ("index", "to")} | {k: (str,) for k in PLAN_TEXT}),
}


def parse_command(content: Any) -> Command | None:
    """Validate a custom message; returns the command (unknown keys dropped) or None."""
    if not isinstance(content, dict):
        _log.warning("ascope view: ignored non-dict message %r", content)
        return None
    name = content.get("cmd")
    spec = _SPEC.get(name) if isinstance(name, str) else None
    if spec is None:
        _log.warning("ascope view: ignored unknown command %r", name)
        return None
    required, optional = spec
    out: dict[str, Any] = {"cmd": name}
    for key in required:
        value = content.get(key)
        if not isinstance(value, str) or (key != "text" and not value):
            _log.warning("ascope view: command %r needs a string %r, got %r", name, key, value)
            return None
        out[key] = value
    for key, types in optional.items():
        if key in content:
            value = content[key]
            if not isinstance(value, types) or isinstance(value, bool):
                _log.warning("ascope view: command %r has a bad %r: %r", name, key, value)
                return None
            out[key] = value
    if name == "fork" and (not isinstance(out.get("step"), int) or out["step"] < 0):
        _log.warning("ascope view: command 'fork' needs a step >= 0, got %r", out.get("step"))
        return None
    if name == "feedback" and out.get("label") not in (None, "up", "down"):
        _log.warning("ascope view: feedback label must be 'up' or 'down', got %r", out["label"])
        return None
    return out  # type: ignore[return-value]  # validated against _SPEC above


def dispatch(controller: RunController, cmd: Command) -> Any:
    """Call the controller method for ``cmd``; a coroutine result is scheduled on the loop."""
    name = cmd["cmd"]
    c: dict[str, Any] = dict(cmd)
    if name == "stop":
        result = controller.stop()
    elif name == "steer":
        result = controller.steer(c["text"])
    elif name == "approve":
        result = controller.approve(c["tool_call_id"], c.get("input"))
    elif name == "deny":
        result = controller.deny(c["tool_call_id"], c.get("reason", ""))
    elif name == "pause":
        result = controller.pause()
    elif name == "step":
        result = controller.step()
    elif name == "resume":
        result = controller.resume()
    elif name == "feedback":
        score = c.get("score")
        result = controller.feedback(
            score=float(score) if score is not None else None,
            label=c.get("label"),
            comment=c.get("comment", ""),
        )
    elif name == "input":
        result = controller.submit_input(c["request_id"], c["text"])
    elif name == "plan":
        result = plan_command(controller, c)
    else:
        raise ValueError(f"command {name!r} is not a controller command")
    if inspect.isawaitable(result):
        return asyncio.ensure_future(result)
    return result


__all__ = ["Command", "parse_command", "dispatch"]
