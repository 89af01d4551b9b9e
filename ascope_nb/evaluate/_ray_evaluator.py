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

import asyncio
import functools
import math
from typing import Any

from ..exceptions import ConfigError
from ._evaluator import Solution, WorkersEvaluator, solve_and_judge
from ._storage import EvaluatorStorageBase
from ._task import Task


def import_ray() -> Any:
    """Ray, or a one-line error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ConfigError('Ray is not installed: pip install "ascope-nb[ray]"') from None
    return ray


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


def ensure_ray() -> Any:
    """Ray, initialised (locally, or at ``RAY_ADDRESS``) if it was not yet."""
    ray = import_ray()
    if not ray.is_initialized():
        ray.init(ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)
    return ray


def actor_count(ray: Any, n_workers: int) -> int:
    cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
    return max(1, min(n_workers, cpus))


class RayEvaluator(WorkersEvaluator):
    """Evaluate in Ray actors: up to ``n_workers`` task repeats at once (resumable)."""

    async def run(self, solution: Solution) -> None:
        ray = ensure_ray()
        await self._save_meta()
        pending = self._pending()
        if pending:
            n_actors = actor_count(ray, self.n_workers)
            per_actor = math.ceil(self.n_workers / n_actors)
            actor_class = _solution_actor_class()
            actors = [
                actor_class.options(max_concurrency=per_actor, num_cpus=0).remote()
                for _ in range(n_actors)
            ]
            try:
                refs = [
                    actors[i % n_actors].solve.remote(self.storage, task, repeat, solution)
                    for i, (task, repeat) in enumerate(pending)
                ]
                await asyncio.gather(*refs)
            finally:
                for actor in actors:
                    ray.kill(actor)
        await self.aggregate()


__all__ = ["RayEvaluator", "ensure_ray", "import_ray"]
