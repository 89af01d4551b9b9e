"""The asyncio backend: each sample is a normal ``start()`` run on this event loop (stored,
viewable, exportable like any run). A finished sample's ``Run`` handle is dropped from the
process's list (``forget_run``): its events are in the run store, and memory stays flat.

Example:
    >>> backend = AsyncioBackend(make_agent)  # doctest: +SKIP
    >>> outcome, emit = await backend.run_sample("What is 2+2?", title="exp · 1", tags={}, timeout=30)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from ..agent import AgentBase
from ..events import Event
from ..exceptions import ConfigError
from ..run import Run, forget_run, start
from ._environment import TaskEnvironment
from ._outcome import Outcome, outcome_of

Emit = Callable[[Event], None]


def cancelling() -> bool:
    """Whether the current task itself is being cancelled (not only something it awaited)."""
    task = asyncio.current_task()
    count = getattr(task, "cancelling", None)  # Python 3.11+
    return bool(count()) if callable(count) else False


class AsyncioBackend:
    """Runs samples as background runs of this process."""

    name = "asyncio"

    def __init__(self, make_agent: Callable[[], AgentBase]) -> None:
        self.make_agent = make_agent
        self.live: dict[str, Run] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def run_sample(
        self,
        text: str,
        *,
        title: str,
        tags: dict[str, Any],
        timeout: float | None,
        environment: TaskEnvironment | None = None,
    ) -> tuple[Outcome, Emit]:
        """Run one sample to its end; returns its outcome and an emitter for its scores.
        ``environment``: the task's own tools and solution output (see ``_environment``)."""
        agent = self.make_agent()
        if environment is not None:
            agent = environment.equip(agent)
        run = start(agent, text, title=title, metadata=tags)
        self.live[run.run_id] = run
        timed_out = False
        try:
            await run.wait(timeout)
        except asyncio.TimeoutError:
            timed_out = True
            run.stop()
            try:
                await asyncio.wait_for(asyncio.shield(run._task), 10)  # type: ignore[arg-type]
            except BaseException:  # its end is in its events either way
                pass
        except asyncio.CancelledError:
            run.stop()
            own = run._task is not None and run._task.done() and run._task.cancelled()
            if cancelling() or not own:
                raise
            # the run itself was cancelled (stopped before replying): that is its outcome
        except Exception:  # a failed run is an outcome (status "error")
            pass
        finally:
            self.live.pop(run.run_id, None)
        outcome = outcome_of(run.events)
        if outcome.status == "running" and run.done:
            outcome.status = "stopped"
        if timed_out:
            outcome.status, outcome.error = "timeout", f"no answer within {timeout:g} s"
        if environment is not None and environment.solution_output is not None:
            outcome.solution_output = environment.solution_output()
            outcome.has_solution_output = True
        forget_run(run)
        context = run._context  # the scores join the run's events (and the store) through it

        def emit(event: Event) -> None:
            context.emit(event)

        return outcome, emit

    def stop_all(self) -> None:
        for run in list(self.live.values()):
            run.stop()

    def pause_all(self) -> None:
        for run in list(self.live.values()):
            with contextlib.suppress(ConfigError):  # a plain remote A2A agent cannot hold
                run.pause()

    def resume_all(self) -> None:
        for run in list(self.live.values()):
            with contextlib.suppress(ConfigError):
                run.resume()


__all__ = ["AsyncioBackend", "Emit"]
