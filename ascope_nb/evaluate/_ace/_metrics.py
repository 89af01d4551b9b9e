"""ACEBench's two metrics: ``ACEAccuracy`` (the end state equals the ground truth) and
``ACEProcessAccuracy`` (every milestone call was made).

Example:
    >>> import asyncio
    >>> from ascope_nb.evaluate import SolutionOutput
    >>> call = {"type": "tool_use", "id": "1", "name": "login_device", "input": {}}
    >>> metric = ACEProcessAccuracy(["[login_device()]"])
    >>> asyncio.run(metric(SolutionOutput(True, [], [call]))).result
    1
    >>> metric = ACEAccuracy([{"BaseAPI": {"wifi": True}}])
    >>> asyncio.run(metric(SolutionOutput(True, [{"BaseApi": {"wifi": True}}], []))).result
    1
"""

from __future__ import annotations

import json
from typing import Any

from .._metric_base import MetricBase, MetricResult, MetricType
from .._task import SolutionOutput


def call_text(name: str, arguments: dict[str, Any]) -> str:
    """A tool call as ACEBench writes a milestone: ``[name(a='x', b=2)]`` (strings quoted,
    other values as Python shows them)."""
    parts = [f"{k}='{v}'" if isinstance(v, str) else f"{k}={v}" for k, v in arguments.items()]
    return f"[{name}({', '.join(parts)})]"


def app_name(key: str) -> str:
    """ACEBench's ground truth spells some apps differently: ``ReminderAPI``, ``BaseAPI``,
    ``Reminderpi`` mean ``ReminderApi`` / ``BaseApi``."""
    if key.endswith("API"):
        return key.replace("API", "Api")
    if key.endswith("rpi"):
        return key.replace("pi", "Api")
    return key


def _json_form(value: Any) -> Any:
    """``value`` as JSON reads it back (integer keys become strings, tuples lists), so a
    state compares with a ground truth that was read from JSON."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


class ACEProcessAccuracy(MetricBase):
    """1 when the trajectory made every milestone call (in any order), else 0."""

    def __init__(self, mile_stone: list[str]) -> None:
        super().__init__(
            name="process_accuracy",
            metric_type=MetricType.NUMERICAL,
            description="The AceBench Agent eval process accuracy metric.",
        )
        self.mile_stone = list(mile_stone)

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        made = {
            call_text(str(block.get("name")), dict(block.get("input") or {}))
            for block in solution.trajectory
            if block.get("type") == "tool_use"
        }
        for stone in self.mile_stone:
            if stone not in made:
                return MetricResult(
                    name=self.name,
                    result=0,
                    message=f"Error: Missing milestone '{stone}' in the given trajectory.",
                )
        return MetricResult(name=self.name, result=1, message="Success")


class ACEAccuracy(MetricBase):
    """1 when every app of the ground-truth state equals the solution's state, else 0.

    ``solution.output`` is the phone's end state (``ACEPhone.get_current_state()``). Both
    sides are compared as JSON reads them (AgentScope 1.0.21 compares the reminders' integer
    keys with the ground truth's string keys, so a reminder task never matches there).
    """

    def __init__(self, state: list[dict[str, Any]]) -> None:
        super().__init__(
            "accuracy", MetricType.NUMERICAL, "The AceBench Agent eval accuracy metric."
        )
        self.state = state

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        if not isinstance(solution.output, list):
            raise ValueError(
                "ACEAccuracy needs the phone's end state (a list) as the solution output, "
                f"got {type(solution.output).__name__}"
            )
        expected = {app_name(k): v for part in self.state for k, v in part.items()}
        actual = {k: v for part in solution.output for k, v in part.items()}
        missing = sorted(set(expected) - set(actual))
        if missing:
            raise ValueError(
                f"the solution's state lacks {', '.join(missing)} (it has {', '.join(actual)})"
            )
        for key, value in expected.items():
            if _json_form(value) != _json_form(actual[key]):
                return MetricResult(
                    name=self.name,
                    result=0,
                    message=f"Error: Mismatch in key '{key}':\n{value}\n{actual[key]}",
                )
        return MetricResult(name=self.name, result=1, message="Success: All keys match")


__all__ = ["ACEAccuracy", "ACEProcessAccuracy", "app_name", "call_text"]
