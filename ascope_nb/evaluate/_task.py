"""``Task`` and ``SolutionOutput``: one item of a benchmark and what a solution produced.

AgentScope 1.x names and fields, so AgentScope evaluation code runs unchanged.

Example:
    >>> import asyncio
    >>> from ascope_nb.evaluate import Task, SolutionOutput, metrics
    >>> task = Task(id="t1", input="2+2?", ground_truth=4, metrics=[metrics.numeric(4)])
    >>> [r.result for r in asyncio.run(task.evaluate(SolutionOutput(True, "It is 4.", [])))]
    [1.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._metric_base import MetricBase, MetricResult


@dataclass
class SolutionOutput:
    """The outcome of solving one task: ``success`` is False when the solution raised."""

    success: bool
    output: Any
    trajectory: list[dict[str, Any]]
    meta: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "output": self.output,
            "trajectory": list(self.trajectory),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolutionOutput:
        return cls(
            success=bool(data.get("success")),
            output=data.get("output"),
            trajectory=list(data.get("trajectory") or []),
            meta=data.get("meta"),
        )

    # AgentScope's DictMixin lets a solution be read like a dict
    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class Task:
    """One benchmark item: its input, the ground truth and the metrics that judge it."""

    id: str
    input: Any
    ground_truth: Any
    metrics: list[MetricBase]
    tags: dict[str, str] | None = field(default=None)
    metadata: dict[str, Any] | None = field(default=None)

    async def evaluate(self, solution: SolutionOutput) -> list[MetricResult]:
        """Every metric's result for ``solution``, in the order of ``metrics``."""
        return [await metric(solution) for metric in self.metrics]


__all__ = ["Task", "SolutionOutput"]
