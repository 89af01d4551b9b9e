"""Evaluation: AgentScope 1.x's ``evaluate`` API and the notebook way on top of it.

AgentScope-compatible: ``Task``, ``SolutionOutput``, ``MetricBase``, ``MetricResult``,
``MetricType``, ``BenchmarkBase``, ``GeneralEvaluator``, ``RayEvaluator``,
``EvaluatorStorageBase``, ``FileEvaluatorStorage`` (resumable); ACEBench: ``ACEBenchmark``,
``ACEPhone``, ``ACEAccuracy``, ``ACEProcessAccuracy``.

Notebook-native: ``experiment()`` runs an agent over a dataset as stored, tagged runs with a
live view; ``compare()`` pairs two experiments; ``metrics`` has the built-in metrics;
``demo_dataset()`` is a tiny offline benchmark.

Example:
    >>> from ascope_nb.evaluate import demo_dataset, metrics
    >>> len(demo_dataset()), metrics.numeric(4).name
    (20, 'numeric')
"""

from __future__ import annotations

from typing import Any

from . import metrics
from ._ace import ACEAccuracy, ACEBenchmark, ACEPhone, ACEProcessAccuracy
from ._benchmark import BenchmarkBase, TaskList
from ._compare import Comparison, compare
from ._demo import demo_benchmark, demo_dataset
from ._evaluator import EvaluatorBase, GeneralEvaluator
from ._experiment import Experiment, experiment
from ._metric_base import MetricBase, MetricResult, MetricType
from ._storage import EvaluatorStorageBase, FileEvaluatorStorage
from ._task import SolutionOutput, Task


def __getattr__(name: str) -> Any:
    if name == "RayEvaluator":  # keeps Ray's import out of `import ascope_nb.evaluate`
        from ._ray_evaluator import RayEvaluator

        return RayEvaluator
    raise AttributeError(f"module 'ascope_nb.evaluate' has no attribute {name!r}")


__all__ = [
    "Task",
    "SolutionOutput",
    "MetricBase",
    "MetricResult",
    "MetricType",
    "BenchmarkBase",
    "TaskList",
    "EvaluatorBase",
    "GeneralEvaluator",
    "RayEvaluator",
    "EvaluatorStorageBase",
    "FileEvaluatorStorage",
    "experiment",
    "Experiment",
    "compare",
    "Comparison",
    "metrics",
    "demo_dataset",
    "demo_benchmark",
    # ACEBench (AgentScope 1.x names)
    "ACEBenchmark",
    "ACEAccuracy",
    "ACEProcessAccuracy",
    "ACEPhone",
]
