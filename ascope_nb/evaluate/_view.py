"""``ExperimentView``: the live view of an experiment (progress, ETA, metric means with
95% CIs, counts by status, a sortable table of samples; a click opens a transcript).

Traffic stays small whatever the pace: summary traits and changed rows are sent together
at most every ``FLUSH_SECONDS`` (a few comm messages a second), the whole table only when
a view asks for its snapshot.

Example:
    >>> exp.view  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anywidget
import traitlets as t

from ..views._assets import bundle_esm, read_static
from ..views.run_view import _reaches_frontend
from ._html import experiment_html
from ._rows import SampleRow

FLUSH_SECONDS = 0.2


class ExperimentView(anywidget.AnyWidget):
    """Live view of an ``Experiment``; buttons call its ``stop``/``pause``/``resume``."""

    messages_sent: int = 0
    _esm = bundle_esm("experiment_view.js")
    _css = read_static("ascope.css") + read_static("experiment.css")

    summary = t.Dict().tag(sync=True)

    def __init__(self, experiment: Any) -> None:
        super().__init__()
        self.experiment = experiment
        self._dirty: dict[tuple[str, int], SampleRow] = {}  # made wire rows at the flush
        self._scheduled = False
        self._last_flush = 0.0
        experiment.add_listener(self._on_change)
        self.on_msg(self._on_command)
        self._sync_summary()

    # ------------------------------------------------------------------ kernel side
    def _summary(self) -> dict[str, Any]:
        exp = self.experiment
        return {
            "name": exp.name,
            "status": exp.status,
            "backend": exp.backend_name,
            "total": len(exp.rows),
            "finished": exp.finished,
            "resumed": exp.resumed,
            "counts": exp.counts(),
            "metric_names": list(exp.metric_names),
            "metrics": [
                {
                    "name": n,
                    "mean": _num(m.mean),
                    "low": _num(m.low),
                    "high": _num(m.high),
                    "n": m.n,
                }
                for n, m in exp.metric_summary().items()
            ],
            "eta": exp.eta(),
            "elapsed": (exp.ended_at or time.time()) - exp.started_at,
            "tokens": exp.tokens,
            "error": None if exp.error is None else f"{type(exp.error).__name__}: {exp.error}",
        }

    def _sync_summary(self) -> None:
        self.summary = self._summary()

    def _on_change(self, row: SampleRow | None) -> None:
        if row is not None:
            self._dirty[row.sample_id, row.repeat] = row
        if self.experiment.done or (
            row is None and self.experiment.status not in ("running", "starting")
        ):
            self.flush()
            return
        if not self._scheduled:
            self._scheduled = True
            delay = max(0.0, FLUSH_SECONDS - (time.monotonic() - self._last_flush))
            try:
                asyncio.get_running_loop().call_later(delay, self.flush)
            except RuntimeError:
                self.flush()

    def flush(self) -> None:
        """Send the summary and the changed rows now (one state message + one rows message)."""
        self._scheduled = False
        self._last_flush = time.monotonic()
        rows = [row.wire() for row in self._dirty.values()]
        self._dirty = {}
        with self.hold_sync():
            self._sync_summary()
        if rows:
            self.send({"type": "rows", "rows": rows})

    def _on_command(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        cmd = content.get("cmd")
        if cmd == "snapshot":
            rows = [r.wire() for r in self.experiment.rows.values()]
            self.send({"type": "rows", "rows": rows, "reset": True, "nonce": content.get("nonce")})
        elif cmd in ("stop", "pause", "resume"):
            getattr(self.experiment, cmd)()
        elif cmd == "open":
            run_id = str(content.get("run_id", ""))
            self.send({"type": "transcript", "run_id": run_id, "html": transcript_html(run_id)})

    def _send(self, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        if _reaches_frontend(self.comm):
            self.messages_sent += 1
        super()._send(msg, buffers)

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if bundle is not None else ({}, {})
        data["text/plain"] = repr(self.experiment)
        data["text/html"] = experiment_html(self.experiment)
        return data, metadata

    def __repr__(self) -> str:
        return f"ExperimentView({self.experiment!r})"


def _num(value: float) -> float | None:
    return None if value != value else value


def transcript_html(run_id: str) -> str:
    """The HTML transcript of a run of this process or of the store."""
    from ..run import get_run
    from ..views._html import run_html
    from ..views.run_view import to_wire

    run = get_run(run_id)
    if run is not None:
        return run_html([to_wire(e) for e in run.events], title=run.title)
    from ..store import default_store

    store = default_store()
    store.flush()
    events = store.event_dicts([run_id])
    if not events:
        return f"<div>no stored run {run_id!r}</div>"
    return run_html(events, title=str(events[0].get("title", "")))


__all__ = ["ExperimentView", "transcript_html", "FLUSH_SECONDS"]
