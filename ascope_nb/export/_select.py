"""Select runs to export: from a RunStore, a DataFrame of runs, event lists, or Run handles.

Example:
    >>> from ascope_nb.events import RunEnded, RunStarted
    >>> runs = [[RunStarted(run_id="r1", agent="Friday"), RunEnded(run_id="r1", status="completed")],
    ...         [RunStarted(run_id="r2", agent="Friday"), RunEnded(run_id="r2", status="error")]]
    >>> [r.run_id for r in load_runs(runs, status="completed")]
    ['r1']
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from typing_extensions import TypedDict, Unpack

from ..events import Event, event_from_dict
from ..exceptions import ConfigError
from ..feedback import FEEDBACK_CHOICES, SCORE_THRESHOLD, is_up, matches_feedback
from ..store._scrub import may_hold_secret
from ._record import RunRecord
from ._scrub import scrub

FeedbackFilter = Literal["up", "down", "any", "none"]


@runtime_checkable
class EventSource(Protocol):
    """What exporters need from a run store (``ascope_nb.store.RunStore`` has it)."""

    def events(self, run_id: str) -> list[Event]: ...

    def runs(self) -> Any: ...


def _as_set(value: str | Collection[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _is_store(obj: Any) -> bool:
    return callable(getattr(obj, "events", None)) and callable(getattr(obj, "runs", None))


def _is_dataframe(obj: Any) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "itertuples")


def _events_of(item: Any, *, redact: bool) -> list[Event]:
    """One run's events from an event list (objects or wire dicts) or a ``Run`` handle.

    With ``redact`` (every source but a store, which redacts on write) each event goes
    through the store's redaction (``_scrub.scrub``) before anything reads it.
    """
    events = getattr(item, "events", item)
    out = [_redacted(e) if redact else e for e in events]
    out = [event_from_dict(e) if isinstance(e, dict) else e for e in out]
    if out and not all(isinstance(e, Event) for e in out):
        raise ConfigError("a run must be a list of ascope_nb.events.Event objects or their dicts")
    return sorted(out, key=lambda e: e.seq) if any(e.seq >= 0 for e in out) else out


def _redacted(event: Any) -> Any:
    """``event`` with secrets redacted, as a store would keep it (the store's cheap test
    first: most events, text deltas, hold nothing to redact and are kept as they are)."""
    kind = event.kind if isinstance(event, Event) else event.get("kind")
    if kind in _NO_KEYED_DATA:
        return event  # their text is redacted with every message the record keeps
    data = event.to_dict() if isinstance(event, Event) else event
    if not isinstance(data, dict):
        return event
    if not may_hold_secret(_dumps(data)):
        return event
    return scrub(data)


_NO_KEYED_DATA = frozenset(
    ("text_delta", "thinking_delta", "step_started", "step_ended", "model_call_ended",
     "status_changed")
)  # fmt: skip
_dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _ids_from_frame(frame: Any, status: set[str] | None, agent: set[str] | None) -> list[str]:
    """Run ids from a runs DataFrame, pre-filtered on its columns when it has them."""
    rows = frame
    if status is not None and "status" in rows.columns:
        rows = rows[rows["status"].isin(sorted(status))]
    if agent is not None and "agent" in rows.columns:
        rows = rows[rows["agent"].isin(sorted(agent))]
    return [str(x) for x in rows["run_id"].tolist()]


def _keep(
    record: RunRecord,
    run_ids: set[str] | None,
    status: set[str] | None,
    agent: set[str] | None,
    feedback: FeedbackFilter | None,
    score_threshold: float,
) -> bool:
    if run_ids is not None and record.run_id not in run_ids:
        return False
    if status is not None and record.status not in status:
        return False
    if agent is not None and record.agent not in agent:
        return False
    if feedback is not None:
        item = record.run_feedback
        label = is_up(item.label, item.score, score_threshold) if item else None
        side = "" if label is None else "up" if label else "down"
        return matches_feedback(feedback, side=side, judged=item is not None)
    return True


class _Stored:
    """Events read from a store (redacted when written)."""

    __slots__ = ("events",)

    def __init__(self, events: list[Event]) -> None:
        self.events = events


def _loaded(
    source: Any,
    store: Any,
    ids: set[str] | None,
    states: set[str] | None,
    agents: set[str] | None,
) -> Iterator[Any]:
    """Each run's events (or a ready ``RunRecord``), read lazily one run at a time."""
    if _is_store(source):
        store = source
        source = store.runs()
    if _is_dataframe(source):
        if store is None:
            raise ConfigError("exporting a DataFrame of runs needs store=RunStore(...)")
        for run_id in _ids_from_frame(source, states, agents):
            if ids is None or run_id in ids:
                yield _Stored(store.events(run_id))
    elif isinstance(source, str) or (
        isinstance(source, Sequence) and source and all(isinstance(x, str) for x in source)
    ):
        if store is None:
            raise ConfigError("exporting run ids needs store=RunStore(...)")
        for run_id in [source] if isinstance(source, str) else list(source):
            yield _Stored(store.events(run_id))
    elif hasattr(source, "events"):
        yield source.events  # a Run handle
    elif isinstance(source, Iterable):
        items = list(source)
        if items and isinstance(items[0], (Event, dict)):
            items = [items]  # one run's events
        yield from items
    else:
        raise ConfigError(f"cannot read runs from {type(source).__name__!r}")


def iter_runs(
    source: Any,
    *,
    store: Any = None,
    run_ids: str | Collection[str] | None = None,
    status: str | Collection[str] | None = None,
    feedback: FeedbackFilter | None = None,
    agent: str | Collection[str] | None = None,
    score_threshold: float = SCORE_THRESHOLD,
    experiment: str | None = None,
    superseded: bool = False,
) -> Iterator[RunRecord]:
    """Yield the selected runs one at a time (a store's events are read run by run).

    Args:
        source: a RunStore (has ``.events(run_id)`` and ``.runs()``); a runs DataFrame
            (``run_id`` column) with ``store``; run ids with ``store``; one or many event
            lists (Event objects or their dicts); ``Run`` handles; ``RunRecord`` objects.
        store: where run ids / DataFrame rows are read from.
        run_ids, status, agent: keep only these (a value or a collection of values).
        feedback: ``"up"``, ``"down"`` (thumb, or score >= ``score_threshold``),
            ``"any"`` (judged) or ``"none"`` (not judged).
        experiment: only the sample runs of this experiment (``ascope_nb.experiment``).
        superseded: also the experiment runs a newer run of the same sample replaced
            (a resumed crash, the same experiment started twice); default: skipped.
    """
    if feedback is not None and feedback not in FEEDBACK_CHOICES:
        raise ConfigError(
            f"feedback filter must be 'up', 'down', 'any' or 'none', got {feedback!r}"
        )
    ids, states, agents = _as_set(run_ids), _as_set(status), _as_set(agent)
    if experiment is not None and (_is_store(source) or _is_store(store)):
        from ..store._experiments import experiment_run_ids

        mine = set(experiment_run_ids(source if _is_store(source) else store, experiment))
        ids = mine if ids is None else ids & mine
    skip: set[str] = set()
    if not superseded and (_is_store(source) or _is_store(store)):
        from ._attempts import superseded_run_ids

        skip = superseded_run_ids(source if _is_store(source) else store)
        if ids is not None:
            ids -= skip
    for loaded in _loaded(source, store, ids, states, agents):
        if isinstance(loaded, RunRecord):
            record = loaded
        else:
            stored = isinstance(loaded, _Stored)
            events = _events_of(loaded.events if stored else loaded, redact=not stored)
            if not events:
                continue
            record = RunRecord.from_events(events)
        if experiment is not None and record.metadata.get("experiment") != experiment:
            continue
        if record.run_id in skip:
            continue
        if _keep(record, ids, states, agents, feedback, score_threshold):
            yield record


class RunFilters(TypedDict, total=False):
    """``iter_runs``'s keyword options, for the functions that pass them on."""

    store: Any
    run_ids: str | Collection[str] | None
    status: str | Collection[str] | None
    feedback: FeedbackFilter | None
    agent: str | Collection[str] | None
    score_threshold: float
    experiment: str | None
    superseded: bool


def load_runs(source: Any, **filters: Unpack[RunFilters]) -> list[RunRecord]:
    """The selected runs as ``RunRecord`` objects (see ``iter_runs`` for the arguments)."""
    return list(iter_runs(source, **filters))


__all__ = ["EventSource", "FeedbackFilter", "RunFilters", "iter_runs", "load_runs"]
