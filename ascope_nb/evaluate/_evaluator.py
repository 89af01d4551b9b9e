"""Evaluators (AgentScope 1.x): run a solution over every task × repeat, judge, aggregate.

Thin classes on the evaluation engine (``_engine``, through ``_solving.SolutionJob``): they
add AgentScope's API, the metadata files and the aggregation.
``GeneralEvaluator`` runs solutions on this event loop, ``n_workers`` at a time; a task
repeat whose solution (or metric result) is already in the storage is not run again, so
an interrupted evaluation resumes where it stopped. ``aggregate()`` writes AgentScope's
``evaluation_result.json`` (per repeat: completed/incomplete tasks, per-metric mean/min/max
or category shares, and usage stats).

Example:
    >>> import asyncio, tempfile
    >>> from ascope_nb.evaluate import (GeneralEvaluator, FileEvaluatorStorage, SolutionOutput,
    ...     Task, TaskList, metrics)
    >>> bench = TaskList([Task(id="t1", input="2+2", ground_truth=4, metrics=[metrics.numeric(4)])])
    >>> async def solution(task, pre_print_hook):
    ...     return SolutionOutput(success=True, output="4", trajectory=[])
    >>> ev = GeneralEvaluator(name="demo", benchmark=bench, n_repeat=1,
    ...     storage=FileEvaluatorStorage(tempfile.mkdtemp()), n_workers=2)
    >>> asyncio.run(ev.run(solution))
    >>> ev.storage.get_evaluation_result("t1", "0", "numeric").result
    1.0
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..exceptions import ConfigError
from ._benchmark import BenchmarkBase
from ._metric_base import MetricType
from ._solving import LocalSolver, Solution, SolutionJob, Solver, solution_raised
from ._storage import EvaluatorStorageBase
from ._task import Task


def _task_meta(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "input": task.input,
        "ground_truth": task.ground_truth,
        "tags": task.tags,
        "metrics": [
            {"name": m.name, "type": m.metric_type.value, "description": m.description}
            for m in task.metrics
        ],
    }


class EvaluatorBase:
    """Shared parts of the evaluators: metadata, judging one solution, aggregation."""

    def __init__(
        self, name: str, benchmark: BenchmarkBase, n_repeat: int, storage: EvaluatorStorageBase
    ) -> None:
        if not isinstance(benchmark, BenchmarkBase):
            raise ConfigError(f"benchmark must be a BenchmarkBase, got {type(benchmark).__name__}")
        if not isinstance(n_repeat, int) or n_repeat < 1:
            raise ConfigError(f"n_repeat must be a positive integer, got {n_repeat!r}")
        if not isinstance(storage, EvaluatorStorageBase):
            raise ConfigError(
                f"storage must be an EvaluatorStorageBase, got {type(storage).__name__}"
            )
        self.name = name
        self.benchmark = benchmark
        self.n_repeat = n_repeat
        self.storage = storage

    async def run(self, solution: Solution) -> None:
        """Solve and judge every task × repeat, then aggregate."""
        raise NotImplementedError

    def _task_repeats(self) -> list[tuple[Task, str]]:
        """Every task × repeat, task by task. Each repeat gets the task as the benchmark
        yields it anew, so a task holding state (ACEBench's simulated phone) starts fresh in
        every repeat (AgentScope 1.0.21 reuses one task object for all its repeats)."""
        rounds = [list(self.benchmark) for _ in range(self.n_repeat)]
        return [
            (rounds[repeat][index], str(repeat))
            for index in range(len(rounds[0]))
            for repeat in range(self.n_repeat)
        ]

    def _pending(self) -> list[tuple[Task, str]]:
        return [
            (task, repeat_id)
            for task, repeat_id in self._task_repeats()
            if not all(
                self.storage.evaluation_result_exists(task.id, repeat_id, m.name)
                for m in task.metrics
            )
            or not self.storage.solution_result_exists(task.id, repeat_id)
            or solution_raised(self.storage.get_solution_result(task.id, repeat_id))
        ]

    async def _save_meta(self) -> None:
        self.storage.save_evaluation_meta(
            {
                "evaluation_name": self.name,
                "total_repeats": self.n_repeat,
                "benchmark": {
                    "name": self.benchmark.name,
                    "description": self.benchmark.description,
                    "total_tasks": len(self.benchmark),
                },
                "schema_version": 1,
            }
        )
        for task in self.benchmark:
            self.storage.save_task_meta(task.id, _task_meta(task))

    async def aggregate(self) -> dict[str, Any]:
        """Aggregate the saved results into ``evaluation_result.json``; returns it."""
        total: dict[str, Any] = _empty_stats()
        repeats: dict[str, Any] = {}
        for repeat in range(self.n_repeat):
            repeat_id = str(repeat)
            summary = _aggregate_repeat(self.storage, list(self.benchmark), repeat_id)
            _add_stats(total, summary["stats"])
            repeats[repeat_id] = summary
        result = {
            "total_tasks": len(self.benchmark),
            "total_repeats": self.n_repeat,
            "total_stats": total,
            "repeats": repeats,
            "schema_version": 1,
        }
        self.storage.save_aggregation_result(result)
        return result


def _empty_stats() -> dict[str, Any]:
    return {"llm": {}, "agent": 0, "tool": {}, "embedding": {}, "chat_usage": {}}


def _add_stats(into: dict[str, Any], stats: dict[str, Any]) -> None:
    for key in ("llm", "tool", "embedding"):
        for name, count in (stats.get(key) or {}).items():
            into[key][name] = into[key].get(name, 0) + count
    into["agent"] += stats.get("agent", 0)
    for model, usage in (stats.get("chat_usage") or {}).items():
        mine = into["chat_usage"].setdefault(model, {"input_tokens": 0, "output_tokens": 0})
        for k in ("input_tokens", "output_tokens"):
            mine[k] += usage.get(k, 0)


def _aggregate_repeat(
    storage: EvaluatorStorageBase, tasks: list[Task], repeat_id: str
) -> dict[str, Any]:
    completed: list[str] = []
    incomplete: list[str] = []
    stats = _empty_stats()
    metrics: dict[str, dict[str, Any]] = {}
    for task in tasks:
        _add_stats(stats, storage.get_solution_stats(task.id, repeat_id))
        for metric in task.metrics:
            entry = metrics.setdefault(
                metric.name,
                {
                    "type": metric.metric_type.value,
                    "involved_tasks": 0,
                    "completed_tasks": 0,
                    "incomplete_tasks": 0,
                    "aggregation": {},
                    "distribution": defaultdict(list)
                    if metric.metric_type == MetricType.CATEGORY
                    else {},
                },
            )
            entry["involved_tasks"] += 1
            if not storage.evaluation_result_exists(task.id, repeat_id, metric.name):
                error = storage.get_evaluation_errors(task.id, repeat_id).get(metric.name)
                if error is not None:
                    entry.setdefault("errors", {})[task.id] = error
                entry["incomplete_tasks"] += 1
                if task.id not in incomplete:
                    incomplete.append(task.id)
                continue
            entry["completed_tasks"] += 1
            if task.id not in completed:
                completed.append(task.id)
            result = storage.get_evaluation_result(task.id, repeat_id, metric.name).result
            if metric.metric_type == MetricType.CATEGORY:
                entry["distribution"][result].append(task.id)
            else:
                entry["distribution"][task.id] = result
    for entry in metrics.values():
        dist = entry["distribution"]
        if entry["type"] == MetricType.CATEGORY.value:
            entry["aggregation"] = {
                str(cat): len(ids) / entry["involved_tasks"] for cat, ids in dist.items()
            }
            entry["distribution"] = {str(k): v for k, v in dist.items()}
        elif dist:
            scores = [float(v) for v in dist.values()]
            entry["aggregation"] = {
                "mean": sum(scores) / entry["involved_tasks"],
                "max": max(scores),
                "min": min(scores),
            }
    return {
        "completed_tasks": len(completed),
        "incomplete_tasks": len(incomplete),
        "completed_ids": completed,
        "incomplete_ids": incomplete,
        "metrics": metrics,
        "stats": stats,
    }


class WorkersEvaluator(EvaluatorBase):
    """An evaluator on the evaluation engine: up to ``n_workers`` task repeats at once,
    solved where its ``solver`` says (General: this event loop; Ray: actors)."""

    def __init__(
        self,
        name: str,
        benchmark: BenchmarkBase,
        n_repeat: int,
        storage: EvaluatorStorageBase,
        n_workers: int,
    ) -> None:
        super().__init__(name=name, benchmark=benchmark, n_repeat=n_repeat, storage=storage)
        if not isinstance(n_workers, int) or n_workers < 1:
            raise ConfigError(f"n_workers must be a positive integer, got {n_workers!r}")
        self.n_workers = n_workers
        self.job: SolutionJob | None = None  # the last run (its status and progress)

    def _solver(self) -> Solver:
        raise NotImplementedError

    async def run(self, solution: Solution) -> None:
        """Solve and judge every task × repeat still missing (resumable), then aggregate;
        a task repeat that raised is logged, the rest go on, and its error is raised after
        the aggregation."""
        await self._save_meta()
        self.job = SolutionJob(
            name=self.name,
            storage=self.storage,
            task_repeats=len(self.benchmark) * self.n_repeat,
            pending=self._pending,
            solution=solution,
            solver=self._solver(),
            n_workers=self.n_workers,
        )
        await self.job.run()
        await self.aggregate()
        if self.job.failures:
            raise self.job.failures[0][1]


class GeneralEvaluator(WorkersEvaluator):
    """Evaluate on this event loop, ``n_workers`` task repeats at a time (resumable)."""

    def _solver(self) -> Solver:
        return LocalSolver()


__all__ = ["EvaluatorBase", "GeneralEvaluator", "WorkersEvaluator"]
