"""One rollout: call the workflow (and judge) function by name, check what they return.

Backend-free, so every backend (Trinity-RFT now, the CPU loop later) scores a task the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ..exceptions import ConfigError
from ._outputs import JudgeOutput, WorkflowOutput


async def run_rollout(
    task: Mapping[str, Any],
    *,
    workflow_func: Callable[..., Any],
    model: Any,
    judge_func: Callable[..., Any] | None = None,
    auxiliary_models: Mapping[str, Any] | None = None,
    logger: Any = None,
) -> tuple[float, dict[str, float], WorkflowOutput]:
    """Run ``workflow_func`` on ``task`` and return (reward, metrics, the workflow's output).

    Only the optional parameters a function declares (``auxiliary_models``, ``logger``) are
    passed. The reward is the judge's when there is a judge, else the workflow's; a wrong
    return type or no reward is one ``ConfigError`` line naming the function.

    Example:
        >>> import asyncio
        >>> async def wf(task, model):
        ...     return WorkflowOutput(response=task["q"] * 2)
        >>> async def judge(task, response):
        ...     return JudgeOutput(reward=float(response == 4), metrics={"len": 1})
        >>> asyncio.run(run_rollout({"q": 2}, workflow_func=wf, judge_func=judge, model=None))[:2]
        (1.0, {'len': 1.0})
    """
    extras = {"auxiliary_models": dict(auxiliary_models or {}), "logger": logger}
    output = await _call(workflow_func, {"task": task, "model": model}, extras)
    if not isinstance(output, WorkflowOutput):
        raise ConfigError(
            f"{_name(workflow_func)} returned {type(output).__name__}, not WorkflowOutput"
        )
    metrics: dict[str, float] = dict(output.metrics or {})
    if judge_func is not None:
        verdict = await _call(judge_func, {"task": task, "response": output.response}, extras)
        if not isinstance(verdict, JudgeOutput):
            raise ConfigError(
                f"{_name(judge_func)} returned {type(verdict).__name__}, not JudgeOutput"
            )
        metrics.update(verdict.metrics or {})
        return verdict.reward, metrics, output
    if output.reward is None:
        raise ConfigError(
            f"{_name(workflow_func)} returned no reward and there is no judge_func to give one"
        )
    return output.reward, metrics, output


async def _call(func: Callable[..., Any], required: dict[str, Any], extras: dict[str, Any]) -> Any:
    declared = inspect.signature(func).parameters
    arguments = required | {name: value for name, value in extras.items() if name in declared}
    return await func(**arguments)


def _name(func: Callable[..., Any]) -> str:
    return repr(getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or func)
