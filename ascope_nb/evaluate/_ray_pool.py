"""Ray for the evaluation engine: one pool of actors for experiments and ``RayEvaluator``.

``ray.init()`` starts a local Ray unless one runs (``RAY_ADDRESS`` joins a cluster). A pool
spreads ``concurrency`` calls over at most one actor per CPU; an actor that dies (a crash,
an out-of-memory kill, a lost node) is replaced, and the call it was running is made once
more on the fresh actor (a call whose actor dies twice raises ``ActorDied``). Needs the
``ray`` extra: ``pip install "ascope-nb[ray]"``.

Example:
    >>> pool = ActorPool(solution_actor_class, concurrency=8)  # doctest: +SKIP
    >>> await pool.start()  # doctest: +SKIP
    >>> await pool.call(lambda actor: actor.solve.remote(...), what="task 't1'")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..exceptions import AscopeError, ConfigError

_log = logging.getLogger("ascope_nb.evaluate")
T = TypeVar("T")


class ActorDied(AscopeError):
    """The Ray actor running an item died (twice: once is retried on a fresh actor)."""


def import_ray() -> Any:
    """Ray, or a one-line error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ConfigError('Ray is not installed: pip install "ascope-nb[ray]"') from None
    return ray


def ensure_ray() -> Any:
    """Ray, initialised (locally, or at ``RAY_ADDRESS``) if it was not yet."""
    ray = import_ray()
    if not ray.is_initialized():
        ray.init(ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)
    return ray


def actor_count(ray: Any, n_workers: int) -> int:
    """How many actors serve ``n_workers`` calls at once: at most one per CPU."""
    cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
    return max(1, min(n_workers, cpus))


class ActorPool:
    """Actors of ``actor_class()`` (a ``ray.remote`` class, made with ``args``) taking
    ``concurrency`` calls at once between them (``headroom`` more per actor for control
    calls such as draining or stopping)."""

    def __init__(
        self,
        actor_class: Callable[[], Any],
        *args: Any,
        concurrency: int,
        headroom: int = 0,
    ) -> None:
        self._actor_class, self._args = actor_class, args
        self.concurrency, self.headroom = concurrency, headroom
        self.actors: list[Any] = []
        self._next = 0
        self._per_actor = 1

    def _new_actor(self) -> Any:
        options = {"max_concurrency": self._per_actor + self.headroom, "num_cpus": 0}
        return self._actor_class().options(**options).remote(*self._args)

    async def start(self) -> None:
        ray = await asyncio.to_thread(ensure_ray)
        n_actors = actor_count(ray, self.concurrency)
        self._per_actor = math.ceil(self.concurrency / n_actors)
        self.actors = [self._new_actor() for _ in range(n_actors)]

    async def close(self) -> None:
        if self.actors:
            ray = ensure_ray()
            for actor in self.actors:
                ray.kill(actor)
            self.actors = []

    def _replace(self, dead: Any) -> None:
        """Put a fresh actor where ``dead`` was (once, however many calls saw it die)."""
        for index, actor in enumerate(self.actors):
            if actor is dead:
                self.actors[index] = self._new_actor()
                ensure_ray().kill(dead)

    async def call(
        self,
        work: Callable[[Any], Awaitable[T]],
        *,
        what: str,
        on_death: Callable[[BaseException], None] | None = None,
    ) -> T:
        """``await work(actor)`` on the next actor; if that actor dies, ``on_death(exc)``,
        a fresh actor, and ``work`` once more (``ActorDied`` the second time)."""
        from ray.exceptions import RayActorError

        for attempt in range(2):
            actor = self.actors[self._next % len(self.actors)]
            self._next += 1
            try:
                return await work(actor)
            except RayActorError as exc:
                self._replace(actor)
                if on_death is not None:
                    on_death(exc)
                if attempt:
                    raise ActorDied(
                        f"the Ray actor running it died twice ({type(exc).__name__})"
                    ) from None
                _log.warning(
                    "%s: its Ray actor died (%s); running it again on a fresh actor",
                    what,
                    type(exc).__name__,
                )
        raise AssertionError("unreachable")


__all__ = ["ActorDied", "ActorPool", "actor_count", "ensure_ray", "import_ray"]
