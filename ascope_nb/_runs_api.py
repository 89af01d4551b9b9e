"""Stored runs from Python: ``runs(...)`` as a DataFrame and ``open_run(run_id)`` as a view.

Both read the process's run store (``ascope_nb.store.default_store()``: ``$ASCOPE_STORE`` or
``.ascope/runs.sqlite``); when that store is degraded they read the runs it keeps in memory.

Example:
    >>> import ascope_nb
    >>> frame = ascope_nb.runs(status="completed", feedback="up", limit=5)  # doctest: +SKIP
    >>> view = ascope_nb.open_run(frame.run_id[0])                         # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import AscopeError, ConfigError
from .feedback import (
    FEEDBACK_CHOICES,
    SCORE_THRESHOLD,
    FeedbackChoice,
    feedback_of,
    matches_feedback,
)

if TYPE_CHECKING:
    import pandas as pd

    from .store import RunStore
    from .views.run_view import RunView


def check_feedback(feedback: str | None) -> None:
    """Raise ``ConfigError`` unless ``feedback`` is None or one of ``FEEDBACK_CHOICES``."""
    if feedback is not None and feedback not in FEEDBACK_CHOICES:
        raise ConfigError(
            f"feedback filter must be one of {', '.join(FEEDBACK_CHOICES)}, not {feedback!r}"
        )


def _store(store: RunStore | None) -> RunStore:
    if store is not None:
        return store
    from .store import default_store

    return default_store()


def runs(
    agent: str | None = None,
    status: str | None = None,
    feedback: FeedbackChoice | None = None,
    since: Any = None,
    limit: int | None = None,
    *,
    store: RunStore | None = None,
) -> pd.DataFrame:
    """The stored runs, newest first, one row each (``RunStore.runs`` columns plus
    ``feedback``: "up", "down" or "").

    Args:
        agent: keep only runs of this agent.
        status: keep only runs with this status ("completed", "error", "crashed", ...).
        feedback: "up", "down" (a thumb, else score >= 0.5), "any" (judged) or "none".
        since: a datetime, a timedelta (that long ago), epoch seconds or an ISO string.
        limit: at most this many (the newest) runs.
        store: read this store instead of the process's default one.

    Example:
        >>> from ascope_nb.store import RunStore
        >>> runs(store=RunStore(":memory:")).shape[0]
        0
    """
    check_feedback(feedback)
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, not {limit!r}")
    source = _store(store)
    source.flush()
    frame = source.runs(agent=agent, status=status, since=since, limit=None if feedback else limit)
    frame["feedback"] = [
        feedback_of(label, score)
        for label, score in zip(frame["feedback_label"], frame["feedback_score"], strict=True)
    ]
    if feedback is not None:
        keep = [matches_feedback(feedback, side=s, judged=bool(s)) for s in frame["feedback"]]
        frame = frame[keep]
        if limit is not None:
            frame = frame.head(limit)
        frame = frame.reset_index(drop=True)
    return frame


def open_run(run_id: str, *, store: RunStore | None = None) -> RunView:
    """A read-only view of a stored run (a ``HubView`` for a MsgHub conversation).

    Raises:
        AscopeError: when the store has no run ``run_id``.

    Example:
        >>> view = open_run("a1b2c3")  # doctest: +SKIP
        >>> view                       # doctest: +SKIP
        RunView(agent='Friday', status='completed', steps=2)
    """
    source = _store(store)
    source.flush()
    events = source.events(run_id)
    if not events:
        raise AscopeError(f"no stored run {run_id!r} in {source.target!r}")
    from .views import HubView, RunView

    first = events[0]
    is_hub = first.kind == "run_started" and "participants" in getattr(first, "metadata", {})
    view_class = HubView if is_hub else RunView
    title = str(getattr(first, "title", "") or "")
    return view_class.from_events(events, title=title)


__all__ = [
    "runs",
    "open_run",
    "feedback_of",
    "check_feedback",
    "FEEDBACK_CHOICES",
    "FeedbackChoice",
    "SCORE_THRESHOLD",
]
