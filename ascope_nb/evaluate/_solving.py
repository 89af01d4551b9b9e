"""AgentScope's evaluators on the evaluation engine: a ``SolutionJob`` solves and judges
each task × repeat still missing from the storage, on this event loop (``LocalSolver``) or
in Ray actors (``RaySolver`` in ``_ray_evaluator``).

``solve_and_judge`` is one item: reuse a saved solution or make one, then judge it with
every metric not saved yet. The engine runs the items ``n_workers`` at a time; an item that
raises anyway (a solution returning the wrong type, a storage that cannot write, an actor
that died twice) is logged and the others go on; the evaluator raises the first such error
after it aggregated the rest.

Example:
    >>> import asyncio, tempfile
    >>> from ascope_nb.evaluate import (GeneralEvaluator, FileEvaluatorStorage, SolutionOutput,
    ...     Task, TaskList, metrics)
    >>> bench = TaskList([Task(id="t1", input=1, ground_truth=1, metrics=[metrics.numeric(1)])])
    >>> async def solution(task, pre_print_hook):
    ...     return SolutionOutput(success=True, output="1", trajectory=[])
    >>> ev = GeneralEvaluator(name="one", benchmark=bench, n_repeat=2,
    ...     storage=FileEvaluatorStorage(tempfile.mkdtemp()), n_workers=2)
    >>> asyncio.run(ev.run(solution))
    >>> ev.job.status, ev.job.finished
    ('completed', 2)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, is_dataclass
from typing import Any

from ..exceptions import ConfigError
from ._engine import Engine
from ._metric_base import MetricResult
from ._stats_collector import collect_stats
from ._storage import EvaluatorStorageBase
from ._task import SolutionOutput, Task

Solution = Callable[[Task, Callable[..., Any]], Awaitable[SolutionOutput]]
_log = logging.getLogger("ascope_nb.evaluate")


def solution_raised(output: SolutionOutput) -> bool:
    """Whether a saved solution is the record of a solution function that raised."""
    meta = output.meta if isinstance(output.meta, dict) else {}
    return not output.success and output.output is None and "error" in meta


async def solve_and_judge(
    storage: EvaluatorStorageBase, task: Task, repeat_id: str, solution: Solution
) -> list[MetricResult]:
    """One task repeat: reuse a saved solution or make one (saving it and its stats), then
    save every metric result not saved yet. A solution that raises is saved as
    ``success=False`` with the error, so metrics still judge it, and is run again on the
    next ``run()``. A metric that raises is logged and kept as that metric's error (see
    ``get_evaluation_errors``); the other metrics and tasks go on."""
    saved = storage.solution_result_exists(task.id, repeat_id)
    output = storage.get_solution_result(task.id, repeat_id) if saved else None
    fresh = output is None or solution_raised(output)
    if fresh:
        with collect_stats() as stats:
            try:
                output = await solution(task, storage.get_agent_pre_print_hook(task.id, repeat_id))
            except Exception as exc:  # the evaluation goes on; the failure is a result
                _log.warning(
                    "task %r repeat %s failed: %s: %s", task.id, repeat_id, type(exc).__name__, exc
                )
                output = SolutionOutput(
                    success=False,
                    output=None,
                    trajectory=[],
                    meta={"error": f"{type(exc).__name__}: {exc}"},
                )
        if not isinstance(output, SolutionOutput):
            raise ConfigError(
                f"the solution returned {type(output).__name__} for task {task.id!r}; "
                "it must return a SolutionOutput"
            )
        storage.save_solution_result(task.id, repeat_id, output)
        storage.save_solution_stats(task.id, repeat_id, stats.as_dict())
    results = []
    for metric in task.metrics:
        if not fresh and storage.evaluation_result_exists(task.id, repeat_id, metric.name):
            results.append(storage.get_evaluation_result(task.id, repeat_id, metric.name))
            continue
        try:
            result = await metric(output)
        except Exception as exc:  # this metric's error on this task; the rest go on
            error = f"{type(exc).__name__}: {exc}"
            _log.warning(
                "metric %r failed on task %r repeat %s: %s", metric.name, task.id, repeat_id, error
            )
            storage.save_evaluation_error(task.id, repeat_id, metric.name, error)
            continue
        if is_dataclass(result) and not isinstance(result, MetricResult):
            result = MetricResult(**asdict(result))  # type: ignore[arg-type]
        storage.save_evaluation_result(task.id, repeat_id, result)
        results.append(result)
    return results


class Solver:
    """Where a ``SolutionJob``'s items run: an engine backend that also solves. Solutions
    are not interruptible, so stopping or pausing only holds the items not started."""

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def stop_all(self) -> None:
        return None

    def pause_all(self) -> None:
        return None

    def resume_all(self) -> None:
        return None

    async def solve(
        self, storage: EvaluatorStorageBase, task: Task, repeat_id: str, solution: Solution
    ) -> None:
        raise NotImplementedError


class LocalSolver(Solver):
    """Solves on this event loop (``GeneralEvaluator``)."""

    async def solve(
        self, storage: EvaluatorStorageBase, task: Task, repeat_id: str, solution: Solution
    ) -> None:
        await solve_and_judge(storage, task, repeat_id, solution)


class SolutionJob(Engine):
    """An evaluator's run on the engine: one item per task × repeat not finished in the
    storage (resume), solved by ``solver``; ``failures`` holds the items that raised."""

    what = "this evaluation"

    def __init__(
        self,
        *,
        name: str,
        storage: EvaluatorStorageBase,
        task_repeats: int,
        pending: Callable[[], list[tuple[Task, str]]],
        solution: Solution,
        solver: Solver,
        n_workers: int,
    ) -> None:
        super().__init__(name=name, concurrency=n_workers)
        self.storage, self.solution, self.solver = storage, solution, solver
        self._total = task_repeats
        self._find_pending = pending
        self.failures: list[tuple[tuple[str, str], Exception]] = []

    async def _pending(self) -> list[Any]:
        pending = self._find_pending()  # what the storage lacks (resume)
        for _ in range(self._total - len(pending)):
            self._item_resumed()
        return list(pending)

    def _make_backend(self) -> Solver:
        return self.solver

    async def _run_item(self, key: Any) -> None:
        task, repeat_id = key
        await self.solver.solve(self.storage, task, repeat_id, self.solution)
        self._item_ended((task.id, repeat_id))

    def _item_failed(self, key: Any, exc: Exception) -> None:
        task, repeat_id = key
        self.failures.append(((task.id, repeat_id), exc))
        _log.warning(
            "evaluation %r: task %r repeat %s failed: %s: %s",
            self.name,
            task.id,
            repeat_id,
            type(exc).__name__,
            exc,
        )
        self._item_ended((task.id, repeat_id))


__all__ = ["LocalSolver", "Solution", "SolutionJob", "Solver", "solution_raised", "solve_and_judge"]
