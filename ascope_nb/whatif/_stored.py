"""``load_run``: a stored run as a handle to fork, replay, diff or show (after a restart too).

Example:
    >>> run = load_run("a1b2c3")              # doctest: +SKIP
    >>> fork = run.fork(1, edit="Try Oslo")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import AscopeError

if TYPE_CHECKING:
    from ..events import Event
    from ..model import ChatModelBase
    from ..run import Run
    from ..store import RunStore
    from ._fork import Edit
    from ._source import ToolMap


class StoredRun:
    """A run read back from the store: its events, and ``fork`` / ``replay`` / ``view``."""

    def __init__(self, run_id: str, events: list[Event]) -> None:
        self.run_id = run_id
        self.events = events
        first = events[0] if events else None
        self.title = str(getattr(first, "title", "") or "")
        self.metadata: dict[str, Any] = dict(getattr(first, "metadata", None) or {})

    def fork(
        self,
        step: int,
        *,
        edit: Edit = None,
        guidance: str | None = None,
        model: ChatModelBase | None = None,
        tools: ToolMap | None = None,
    ) -> Run:
        """A new run from the state just before ``step`` (see ``ascope_nb.whatif.fork``)."""
        from ._fork import fork

        return fork(self, step, edit=edit, guidance=guidance, model=model, tools=tools)

    def replay(self, **options: Any) -> Run:
        """Re-execute this run with its recorded model outputs (see ``ascope_nb.replay``)."""
        from ._replay import replay

        return replay(self, **options)

    @property
    def view(self) -> Any:
        """The read-only view of the run (as ``ascope_nb.open_run``)."""
        from ..views import HubView, RunView

        cls = HubView if "participants" in self.metadata else RunView
        return cls.from_events(self.events, title=self.title)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.view._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        return f"StoredRun(run_id={self.run_id!r}, title={self.title!r})"


def load_run(run_id: str, *, store: RunStore | None = None) -> StoredRun:
    """The stored run ``run_id`` as a ``StoredRun`` (forkable, replayable).

    Raises:
        AscopeError: when the store has no run ``run_id``.
    """
    from ..store import default_store

    source = store if store is not None else default_store()
    source.flush()
    events = source.events(run_id)
    if not events:
        raise AscopeError(f"no stored run {run_id!r} in {source.target!r}")
    return StoredRun(run_id, events)


__all__ = ["StoredRun", "load_run"]
