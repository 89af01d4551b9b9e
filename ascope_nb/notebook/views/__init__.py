"""The live views moved to ``ascope_nb.views``; this old import path keeps working.

Example:
    >>> from ascope_nb.notebook.views import RunView  # same class as ascope_nb.views.RunView
"""

from __future__ import annotations

from typing import Any

from ...views import RunController


def __getattr__(name: str) -> Any:
    from ... import views

    return getattr(views, name)


__all__ = ["RunController", "RunView", "HubView", "MemoryView"]
