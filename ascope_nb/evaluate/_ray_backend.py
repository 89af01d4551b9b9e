"""The Ray backend: samples run in a pool of Ray actors; their events stream back to this
process (polled in batches), where the run store, the live view and the metrics see them
as they would for a local run.

``ray.init()`` starts a local Ray unless one runs (``RAY_ADDRESS`` joins a cluster). The
agent (template or factory) is pickled to the actors, so its model and tools must pickle.
An actor that dies (a crash, an out-of-memory kill, a lost node) is replaced; the samples
it was running end as errors in the store and run once more on a fresh actor (a sample
whose actor dies twice is recorded as that sample's error).

Example:
    >>> exp = experiment(agent=Friday, dataset=df, backend="ray", concurrency=64)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Any

from ..agent import AgentBase
from ..events import Event, RunEnded, _deliver, _global_subscribers, event_from_dict
from ._outcome import Outcome, outcome_of
from ._ray_pool import ActorPool, ensure_ray

POLL_SECONDS = 0.05


@functools.cache
def _sample_actor_class() -> Any:
    ray = ensure_ray()

    class SampleActor:
        """Runs samples as agent replies and buffers their events for the driver to drain."""

        def __init__(self, make_agent: Callable[[], AgentBase]) -> None:
            self.make_agent = make_agent
            self.buffers: dict[str, list[dict[str, Any]]] = {}
            self.agents: dict[str, AgentBase] = {}
            self.tasks: dict[str, asyncio.Task[Any]] = {}
            self.environments: dict[str, Any] = {}

        async def begin(
            self, text: str, tags: dict[str, Any], title: str, environment: Any = None
        ) -> str:
            from .._ids import new_id
            from ..events import RunContext
            from ..message import Msg
            from ..run import tag_run_started

            ctx = RunContext(new_id())
            buffer: list[dict[str, Any]] = []
            ctx.subscribers.append(tag_run_started(tags, title=title))
            ctx.subscribers.append(lambda event: buffer.append(event.to_dict()))
            agent = self.make_agent()
            if environment is not None:  # the task's tools and simulator live in this actor
                agent = environment.equip(agent)
                self.environments[ctx.run_id] = environment
            agent.set_console_output_enabled(False)
            self.buffers[ctx.run_id] = buffer
            self.agents[ctx.run_id] = agent
            task = asyncio.ensure_future(agent._call_in_new_run(ctx, Msg("user", text, "user")))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self.tasks[ctx.run_id] = task
            return ctx.run_id

        async def drain(self, run_id: str) -> tuple[list[dict[str, Any]], bool, Any]:
            """New events, whether the run ended, and (once ended) its solution output
            as ``(True, value)`` when its task's environment gives one."""
            buffer = self.buffers.get(run_id, [])
            events, buffer[:] = list(buffer), []
            task = self.tasks.get(run_id)
            done = task is None or task.done()
            output: Any = None
            if done and not events:
                self.buffers.pop(run_id, None)
                self.agents.pop(run_id, None)
                self.tasks.pop(run_id, None)
                environment = self.environments.pop(run_id, None)
                if environment is not None and environment.solution_output is not None:
                    output = (True, environment.solution_output())
            return events, done, output

        async def stop(self, run_id: str) -> None:
            agent = self.agents.get(run_id)
            if agent is not None:
                await agent.interrupt()

    return ray.remote(SampleActor)


class RayBackend:
    """Runs samples in Ray actors and re-emits their events in this process."""

    name = "ray"

    def __init__(self, make_agent: Callable[[], AgentBase], *, concurrency: int) -> None:
        self.make_agent = make_agent
        self.pool = ActorPool(_sample_actor_class, make_agent, concurrency=concurrency, headroom=4)
        self.live: dict[str, Any] = {}

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()

    async def run_sample(
        self,
        text: str,
        *,
        title: str,
        tags: dict[str, Any],
        timeout: float | None,
        environment: Any = None,
    ) -> tuple[Outcome, Callable[[Event], None]]:
        """Run one sample in an actor; a dead actor is replaced and the sample run once more
        (its first run ends in the store as an error)."""
        events: list[Event] = []

        async def on(actor: Any) -> tuple[Outcome, Callable[[Event], None]]:
            events.clear()
            return await self._run_on(
                actor,
                events,
                text,
                title=title,
                tags=tags,
                timeout=timeout,
                environment=environment,
            )

        return await self.pool.call(on, what=title, on_death=lambda exc: _end_dead_run(events, exc))

    async def _run_on(
        self,
        actor: Any,
        events: list[Event],
        text: str,
        *,
        title: str,
        tags: dict[str, Any],
        timeout: float | None,
        environment: Any = None,
    ) -> tuple[Outcome, Callable[[Event], None]]:
        run_id = await actor.begin.remote(text, tags, title, environment)
        self.live[run_id] = actor
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout if timeout else None
        timed_out = False
        output: Any = None
        try:
            while True:
                batch, done, output = await actor.drain.remote(run_id)
                for data in batch:
                    event = event_from_dict(data)
                    events.append(event)
                    _deliver(_global_subscribers, event)
                if done and not batch:
                    break
                if deadline is not None and not timed_out and loop.time() > deadline:
                    timed_out = True
                    await actor.stop.remote(run_id)
                if not batch:
                    await asyncio.sleep(POLL_SECONDS)
        except asyncio.CancelledError:
            actor.stop.remote(run_id)
            raise
        finally:
            self.live.pop(run_id, None)
        outcome = outcome_of(events)
        if timed_out:
            outcome.status, outcome.error = "timeout", f"no answer within {timeout:g} s"
        if output is not None:
            outcome.has_solution_output, outcome.solution_output = output
        next_seq = [outcome.last_seq + 1]

        def emit(event: Event) -> None:
            event.run_id, event.seq = run_id, next_seq[0]
            next_seq[0] += 1
            _deliver(_global_subscribers, event)

        return outcome, emit

    def stop_all(self) -> None:
        for run_id, actor in list(self.live.items()):
            actor.stop.remote(run_id)

    def pause_all(self) -> None:
        return None  # in-flight remote samples finish; no new ones start while paused

    def resume_all(self) -> None:
        return None


def _end_dead_run(events: list[Event], exc: BaseException) -> None:
    """Close the stored run of a dead actor with an error (else it looks running forever)."""
    if not events or any(isinstance(e, RunEnded) for e in events):
        return
    last = events[-1]
    ended = RunEnded(status="error", error=f"its Ray actor died ({type(exc).__name__})")
    ended.run_id, ended.seq, ended.ts = last.run_id, max(e.seq for e in events) + 1, time.time()
    _deliver(_global_subscribers, ended)


__all__ = ["RayBackend"]
