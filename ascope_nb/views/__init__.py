"""Live notebook views of runs, hubs and memories (anywidget), and their controller protocol.

Importing this package is cheap: anywidget loads only when a view class is first used.

Example:
    >>> from ascope_nb.views import RunView         # doctest: +SKIP
    >>> view = RunView(title="demo")                    # doctest: +SKIP
    >>> view.push(event)                                # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import hooks
from ._controller import RunController

if TYPE_CHECKING:
    from .hub_view import HubView
    from .memory_view import MemoryView
    from .run_view import RunView


def live_view(controller: RunController, *, kind: str, title: str) -> Any:
    """A new live widget for ``controller``: a ``HubView`` for a hub, a ``TuneView`` for a
    training job (``kind="tune"``; ``"tune-dataset"``: the dataset preview), else a ``RunView``.

    ``Run.view`` makes its widget through ``ascope_nb.hooks.live_view``, which this sets
    (and so do ``TuneJob.view`` and ``TuneDataset``'s display: the tuner never imports views).
    """
    if kind in ("tune", "tune-dataset"):
        from .tune_view import DatasetPreview, TuneView

        return TuneView(controller) if kind == "tune" else DatasetPreview(controller)
    from .hub_view import HubView
    from .run_view import RunView

    view_class = HubView if kind == "hub" else RunView
    return view_class(controller=controller, title=title)


hooks.live_view.set(live_view)

_LAZY = {
    "RunView": "run_view",
    "HubView": "hub_view",
    "MemoryView": "memory_view",
    "VoiceView": "voice_view",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["RunController", "RunView", "HubView", "MemoryView", "VoiceView"]
