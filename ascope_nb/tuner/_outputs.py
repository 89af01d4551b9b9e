"""What a workflow and a judge return (``WorkflowOutput``, ``JudgeOutput``) and their types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import Field

from ._base import OneLineModel


class WorkflowOutput(OneLineModel):
    """One rollout's result: a reward directly, or a response for the judge, and metrics.

    Example:
        >>> WorkflowOutput(response="4", metrics={"turns": 2}).reward is None
        True
    """

    reward: float | None = Field(default=None, description="Reward, when the workflow scores.")
    response: Any | None = Field(default=None, description="What the judge reads.")
    metrics: dict[str, float] | None = Field(default=None, description="Extra numbers to log.")


class JudgeOutput(OneLineModel):
    """A judge's verdict on one response: the reward and optional metrics.

    Example:
        >>> JudgeOutput(reward=1).reward
        1.0
    """

    reward: float = Field(description="The reward given to the response.")
    metrics: dict[str, float] | None = Field(default=None, description="Extra numbers to log.")


WorkflowType = Callable[..., Awaitable[WorkflowOutput]]
"""``async def workflow(task, model, auxiliary_models=None, logger=None) -> WorkflowOutput``."""

JudgeType = Callable[..., Awaitable[JudgeOutput]]
"""``async def judge(task, response, auxiliary_models=None, logger=None) -> JudgeOutput``."""
