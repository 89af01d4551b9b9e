"""``RayEvaluator`` (AgentScope 1.x): task repeats solved in a pool of Ray actors.

``ray.init()`` starts a local Ray when none is running (or joins ``RAY_ADDRESS``). The
solution function, the tasks and the storage are sent to the actors, so they must pickle
(define them in an importable module, or pass ``runtime_env`` to ``ray.init`` yourself).
A ``FileEvaluatorStorage`` must be on a file system every node sees (one machine, or a
shared mount on a cluster). Needs the ``ray`` extra: ``pip install "ascope-nb[ray]"``.

Example:
    >>> evaluator = RayEvaluator(name="demo", benchmark=bench, n_repeat=1,  # doctest: +SKIP
    ...     storage=FileEvaluatorStorage("results"), n_workers=8)
    >>> await evaluator.run(solution)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from typing import Any

from ._evaluator import WorkersEvaluator
from ._ray_pool import ActorPool, ensure_ray, import_ray
from ._solving import Solution, Solver, solve_and_judge
from ._storage import EvaluatorStorageBase
from ._task import Task


@functools.cache
def _solution_actor_class() -> Any:
    ray = import_ray()

    class SolutionActor:
        """Runs ``solve_and_judge`` for the task repeats sent to it (concurrently)."""

        async def solve(
            self, storage: EvaluatorStorageBase, task: Task, repeat_id: str, solution: Solution
        ) -> int:
            results = await solve_and_judge(storage, task, repeat_id, solution)
            return len(results)

    return ray.remote(SolutionActor)


class RaySolver(Solver):
    """Solves in a pool of Ray actors (the engine's Ray path, shared with experiments)."""

    def __init__(self, n_workers: int) -> None:
        self.pool = ActorPool(_solution_actor_class, concurrency=n_workers)

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()

    async def solve(
        self, storage: EvaluatorStorageBase, task: Task, repeat_id: str, solution: Solution
    ) -> None:
        await self.pool.call(
            lambda actor: actor.solve.remote(storage, task, repeat_id, solution),
            what=f"task {task.id!r} repeat {repeat_id}",
        )


class RayEvaluator(WorkersEvaluator):
    """Evaluate in Ray actors: up to ``n_workers`` task repeats at once (resumable)."""

    def _solver(self) -> Solver:
        return RaySolver(self.n_workers)


__all__ = ["RayEvaluator", "RaySolver", "ensure_ray", "import_ray"]
