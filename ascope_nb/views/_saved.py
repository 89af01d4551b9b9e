"""What an ended run leaves in the saved notebook: bounded, whatever the run's length.

A run of 10,000 steps would put tens of MB into the ``.ipynb``. The saved outputs keep the
first and last steps (``HEAD_STEPS`` / ``TAIL_STEPS``) and every run-level event, say how many
steps were left out and how to see them (``%runs --open RUN_ID``: the store has the whole run).

Example:
    >>> events, cut = bounded_events([{"kind": "step_started"}] * 50, head=2, tail=2)
    >>> len(events), cut["steps_omitted"]
    (4, 46)
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

HEAD_STEPS = 20
TAIL_STEPS = 20
# kept from the steps left out: the run's frame, so the transcript still starts and ends
RUN_LEVEL = frozenset({"run_started", "run_ended", "reply_started", "reply_ended", "feedback"})


def bounded_events(
    events: list[dict[str, Any]], *, head: int = HEAD_STEPS, tail: int = TAIL_STEPS
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The events of the first ``head`` and last ``tail`` steps plus the run-level events of
    the others, and a note of what was cut (None when nothing was)."""
    starts = [i for i, e in enumerate(events) if e.get("kind") == "step_started"]
    if len(starts) <= head + tail:
        return list(events), None
    cut_from = starts[head]
    cut_to = starts[len(starts) - tail] if tail else len(events)
    middle = [e for e in events[cut_from:cut_to] if e.get("kind") in RUN_LEVEL]
    run_id = next((str(e["run_id"]) for e in events if e.get("run_id")), "")
    note = {
        "steps_omitted": len(starts) - head - tail,
        "events_omitted": (cut_to - cut_from) - len(middle),
        "steps_total": len(starts),
        "run_id": run_id,
        "open": f"%runs --open {run_id}" if run_id else "%runs",
    }
    return events[:cut_from] + middle + events[cut_to:], note


def note_html(note: dict[str, Any]) -> str:
    """The line shown under a bounded transcript."""
    return (
        '<div class="ascope-saved-note" style="font-size:12px;color:#555;margin:4px 0">'
        f"{note['steps_omitted']:,} of {note['steps_total']:,} steps are not saved in this "
        f"notebook (the first {HEAD_STEPS} and last {TAIL_STEPS} are shown); the whole run is "
        f"in the run store: <code>{escape(note['open'])}</code></div>"
    )


def saved_run_outputs(
    events: list[dict[str, Any]],
    *,
    title: str = "",
    mime: str,
    render: Callable[..., str] | None = None,
) -> dict[str, Any]:
    """The kernel-free outputs of an ended run (its MIME bundle and HTML transcript), bounded
    and redacted (``ascope_nb.redact``: they are written into the notebook file; the deltas
    are merged by then, so a key streamed in pieces is whole).

    ``render(events, title=...)`` makes the HTML (default: ``run_html``; hubs: ``hub_html``).
    """
    from ..redact import redact
    from ._html import run_html
    from ._speech_saved import bound_speech

    kept, note = bounded_events(events)
    kept = redact(bound_speech(kept))  # speech: whole audio only, long audio as a file
    payload: dict[str, Any] = {"version": 1, "events": kept}
    html = (render or run_html)(kept, title=title)
    if note is not None:
        payload["truncated"] = note
        html += note_html(note)
    return {mime: payload, "text/html": html}


def text_summary(*, agent: str, title: str, status: str, steps: int) -> str:
    """The ``text/plain`` of a run view: what a frontend without the renderers shows.

    Example:
        >>> text_summary(agent="Friday", title="", status="completed", steps=3)
        'Friday: completed, 3 steps'
    """
    who = f"{title} ({agent})" if title and agent and agent != title else title or agent or "run"
    if status == "idle":
        return f"{who}: starting"
    return f"{who}: {status}, {steps} step{'s' if steps != 1 else ''}"


__all__ = ["bounded_events", "saved_run_outputs", "text_summary", "HEAD_STEPS", "TAIL_STEPS"]
