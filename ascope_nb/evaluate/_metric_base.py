"""Metrics: ``MetricBase`` (an async callable judging a ``SolutionOutput``), its result and type.

AgentScope 1.x names; a metric is either numerical (a score) or a category (a label).

Example:
    >>> MetricResult(name="exact", result=1.0).result
    1.0
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from ..exceptions import ConfigError


def _timestamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@dataclass
class MetricResult:
    """One metric's judgement of one solution."""

    name: str
    result: str | float | int
    created_at: str = field(default_factory=_timestamp)
    message: str | None = None
    metadata: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "result": self.result,
            "created_at": self.created_at,
            "message": self.message,
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricResult:
        return cls(
            **{
                k: data[k]
                for k in ("name", "result", "created_at", "message", "metadata")
                if k in data
            }
        )

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


class MetricType(str, Enum):
    """How a metric's results aggregate: categories are counted, numbers averaged."""

    CATEGORY = "category"
    NUMERICAL = "numerical"


class MetricBase(ABC):
    """An async callable ``(solution) -> MetricResult``; subclasses implement ``__call__``."""

    name: str
    metric_type: MetricType
    description: str | None
    categories: list[str] | None

    def __init__(
        self,
        name: str,
        metric_type: MetricType,
        description: str | None = None,
        categories: list[str] | None = None,
    ) -> None:
        if metric_type == MetricType.CATEGORY and categories is None:
            raise ConfigError(f"metric {name!r}: a category metric needs its categories")
        self.name = name
        self.metric_type = MetricType(metric_type)
        self.description = description
        self.categories = categories

    @abstractmethod
    async def __call__(self, *args: Any, **kwargs: Any) -> MetricResult:
        """Judge one solution."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


__all__ = ["MetricBase", "MetricResult", "MetricType"]
