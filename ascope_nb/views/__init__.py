"""Live notebook views of runs, hubs and memories (anywidget), and their controller protocol.

Importing this package is cheap: anywidget loads only when a view class is first used.

Example:
    >>> from ascope_nb.views import RunView         # doctest: +SKIP
    >>> view = RunView(title="demo")                    # doctest: +SKIP
    >>> view.push(event)                                # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from .. import hooks

if TYPE_CHECKING:
    from .hub_view import HubView
    from .memory_view import MemoryView
    from .run_view import RunView


@runtime_checkable
class RunController(Protocol):
    """What a live view's buttons drive (the ``Run`` handle implements it).

    Each method only queues a request for the running agent; a coroutine result is scheduled
    on the kernel's loop by the view.
    """

    def stop(self) -> Any: ...

    def steer(self, text: str) -> Any: ...

    def approve(self, tool_call_id: str, input: dict[str, Any] | None = None) -> Any: ...

    def deny(self, tool_call_id: str, reason: str = "") -> Any: ...

    def pause(self) -> Any: ...

    def step(self) -> Any: ...

    def resume(self) -> Any: ...

    def feedback(
        self,
        *,
        score: float | None = None,
        label: Literal["up", "down"] | None = None,
        comment: str = "",
    ) -> Any: ...

    def submit_input(self, request_id: str, text: str) -> Any: ...


def live_view(controller: RunController, *, kind: str, title: str) -> Any:
    """A new live widget for ``controller``: a ``HubView`` for a hub, else a ``RunView``.

    ``Run.view`` makes its widget through ``ascope_nb.hooks.live_view``, which this sets.
    """
    from .hub_view import HubView
    from .run_view import RunView

    view_class = HubView if kind == "hub" else RunView
    return view_class(controller=controller, title=title)


hooks.live_view.set(live_view)

_LAZY = {"RunView": "run_view", "HubView": "hub_view", "MemoryView": "memory_view"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["RunController", "RunView", "HubView", "MemoryView"]
