"""Public hooks beside the event bus: a lower layer asks, a higher layer answers.

A layer may only import the layers below it (``docs/architecture.md``). When a lower layer
needs an answer only a higher one has (the agent waits for the store to commit a step, a view
shows the trace id tracing gave its run, tracing finds a run's agents, a ``Run`` shows its live
widget), the lower layer calls a ``Hook`` here and the higher layer sets it when it is
imported. An unset hook answers its default, exactly as if the higher layer were not loaded;
a hook with a ``provider`` (``live_view``, ``fork_run``: what ``Run.view`` and ``Run.fork``
need) imports that module first. These two providers are the only names of a higher layer a
lower one holds (see ``docs/architecture.md``).

Hooks: ``wait_durable`` (set by ``ascope_nb.store``), ``trace_id_of`` (``ascope_nb.tracing``),
``find_run`` (``ascope_nb.run``), ``end_experiment_span`` (``ascope_nb.tracing``), ``live_view`` (``ascope_nb.views``), ``fork_run``
(``ascope_nb.whatif``).

Example:
    >>> from ascope_nb import hooks
    >>> hooks.trace_id_of("run-1") if not hooks.trace_id_of.is_set else ""
    ''
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    """One named answer: ``hook.set(function)`` answers it, ``hook(...)`` asks it.

    Example:
        >>> hook = Hook("double", default=lambda x: None)
        >>> _ = hook.set(lambda x: 2 * x)
        >>> hook(21)
        42
    """

    __slots__ = ("name", "provider", "_default", "_function")

    def __init__(self, name: str, *, default: F, provider: str | None = None) -> None:
        self.name = name
        self.provider = provider
        self._default = default
        self._function: F | None = None

    @property
    def is_set(self) -> bool:
        """Whether a higher layer has answered this hook."""
        return self._function is not None

    def set(self, function: F) -> F:
        """Answer the hook with ``function`` (the last one set wins); returns it."""
        self._function = function
        return function

    def reset(self) -> None:
        """Back to the default answer."""
        self._function = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function is None and self.provider is not None:
            import_module(self.provider)  # the layer that answers sets the hook on import
        return (self._function or self._default)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, set={self.is_set})"


async def _durable_by_default(run_id: str, seq: int) -> bool:
    return True


wait_durable: Hook[Callable[..., Any]] = Hook("wait_durable", default=_durable_by_default)
"""``await wait_durable(run_id, seq)``: until every attached run store committed event ``seq``."""

trace_id_of: Hook[Callable[[str], str | None]] = Hook("trace_id_of", default=lambda run_id: None)
"""``trace_id_of(run_id)``: the run's trace id (32 hex digits) if tracing traced it, else None."""

find_run: Hook[Callable[[str], Any]] = Hook("find_run", default=lambda run_id: None)
"""``find_run(run_id)``: the live ``Run`` of this process with that id, or None."""


end_experiment_span: Hook[Callable[[str, float], None]] = Hook(
    "end_experiment_span", default=lambda name, ts: None
)
"""``end_experiment_span(name, ts)``: close an experiment's span if tracing traced it."""


def _no_view(controller: Any, *, kind: str, title: str) -> Any:
    raise RuntimeError("no live view is registered (ascope_nb.views was not imported)")


live_view: Hook[Callable[..., Any]] = Hook(
    "live_view", default=_no_view, provider="ascope_nb.views"
)
"""``live_view(controller, kind=..., title=...)``: a new live widget for a run or hub."""


def _no_fork(run: Any, step: int, **options: Any) -> Any:
    raise RuntimeError("no fork is registered (ascope_nb.whatif was not imported)")


fork_run: Hook[Callable[..., Any]] = Hook("fork_run", default=_no_fork, provider="ascope_nb.whatif")
"""``fork_run(run, step, edit=..., guidance=..., model=..., tools=...)``: ``whatif.fork``."""

__all__ = [
    "Hook",
    "end_experiment_span",
    "find_run",
    "fork_run",
    "live_view",
    "trace_id_of",
    "wait_durable",
]
