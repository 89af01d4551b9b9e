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

import ast
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


Call = tuple[str, dict[str, Any]]


def parse_calls(text: str) -> list[Call] | None:
    """A milestone ``[name(a='x', b=2)]`` (or several calls made in one step,
    ``[f(), g(x=1)]``) as ``[(name, arguments)]``; None when it is not written so."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
        nodes = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        calls = []
        for call in nodes:
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.args:
                return None
            calls.append(
                (call.func.id, {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg})
            )
        return calls or None
    except (SyntaxError, ValueError):
        return None


def _made(stone: str, calls: list[Call], texts: set[str]) -> bool:
    if stone in texts or stone.strip() in texts:
        return True
    parsed = parse_calls(stone)
    return parsed is not None and all(call in calls for call in parsed)


class ACEProcessAccuracy(MetricBase):
    """1 when the trajectory made every milestone call (in any order), else 0.

    Milestones are compared as calls (name and argument values), not as text, so
    ``{'a':1}`` and ``{'a': 1}`` match, and a milestone of several calls made in one step
    (``[f(), g()]``) needs each of them (AgentScope 1.0.21 compares the text). Where the
    ground truth gives several alternative paths (a list of milestone lists), matching any
    one of them is enough (AgentScope 1.0.21 scores such a task 0 whatever happened).
    """

    def __init__(self, mile_stone: list[Any]) -> None:
        super().__init__(
            name="process_accuracy",
            metric_type=MetricType.NUMERICAL,
            description="The AceBench Agent eval process accuracy metric.",
        )
        self.mile_stone = list(mile_stone)

    def _paths(self) -> list[list[str]]:
        if self.mile_stone and all(isinstance(s, list) for s in self.mile_stone):
            return [[str(s) for s in path] for path in self.mile_stone]
        return [[str(s) for s in self.mile_stone]]

    async def __call__(self, solution: SolutionOutput) -> MetricResult:
        calls = [
            (str(block.get("name")), dict(block.get("input") or {}))
            for block in solution.trajectory
            if block.get("type") == "tool_use"
        ]
        texts = {call_text(name, arguments) for name, arguments in calls}
        first_missing = None
        for path in self._paths():
            missing = [stone for stone in path if not _made(stone, calls, texts)]
            if not missing:
                return MetricResult(name=self.name, result=1, message="Success")
            first_missing = first_missing or missing[0]
        return MetricResult(
            name=self.name,
            result=0,
            message=f"Error: Missing milestone '{first_missing}' in the given trajectory.",
        )


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


__all__ = ["ACEAccuracy", "ACEProcessAccuracy", "app_name", "call_text", "parse_calls"]
