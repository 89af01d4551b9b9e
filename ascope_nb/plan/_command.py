"""The plan view's buttons as one command: ``{"cmd": "plan", "op": ..., ...}``.

``op`` is an edit (``add``, ``remove``, ``move``, ``rename``, ``mark``: the fields of
``PlanEdit``) or ``approve`` / ``deny`` (``reason``). The controller is a ``Run``.

Example:
    >>> plan_command(run, {"cmd": "plan", "op": "mark", "index": 0, "state": "done"})  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ._edits import EDIT_OPS

PLAN_TEXT = ("name", "description", "expected_outcome", "state", "outcome", "reason")


def plan_command(controller: Any, command: dict[str, Any]) -> None:
    """Apply a plan command from the view to ``controller.plan`` (a bad one raises one line)."""
    plan = controller.plan
    op = command.get("op")
    if op == "approve":
        plan.approve()
    elif op == "deny":
        plan.deny(str(command.get("reason", "")))
    else:
        if op not in EDIT_OPS:
            from ..exceptions import ConfigError

            raise ConfigError(f"plan: unknown operation {op!r}")
        plan.edit({k: v for k, v in command.items() if k != "cmd"})


__all__ = ["plan_command", "PLAN_TEXT"]
