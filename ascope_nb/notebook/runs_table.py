"""``RunsTableView``: the stored runs as a sortable, filterable table (``%runs``).

Click a row to open the stored run below the table (the RunView renderer, read-only); the
Export button exports the runs the table shows (its current filters) with
``ascope_nb.export.export`` and shows the result count or one error line.

Filters (synced trait ``filters``): ``agent``, ``status``, ``feedback`` ("up", "down",
"any", "none") and ``text`` (a case-insensitive substring of id, agent, title, model,
status or error). Commands from the browser::

    {"cmd": "open", "run_id": "..."}      # sends {"type": "run", "run_id", "summary", "events"}
    {"cmd": "close_run"}
    {"cmd": "export", "format": "openai", "path": "out.jsonl"}   # sets ``export_message``
    {"cmd": "refresh"}                    # re-reads the store
    {"cmd": "feedback", "run_id": "...", "label": "up", "comment": "clear answer"}

Example:
    >>> from ascope_nb.store import RunStore
    >>> view = RunsTableView(RunStore(":memory:"))
    >>> repr(view)
    'Runs(0 runs)'
"""

from __future__ import annotations

import html
import logging
import math
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets as t

from ..exceptions import AscopeError
from ..feedback import matches_feedback
from ..views._assets import bundle_esm, read_static
from ..views.run_view import RunView, _reaches_frontend

if TYPE_CHECKING:
    from ..export import ExportResult
    from ..store import RunStore

_log = logging.getLogger("ascope_nb.notebook")

FILTER_KEYS = ("agent", "status", "feedback", "text")
TEXT_COLUMNS = ("agent", "status", "steps", "tool_calls", "feedback")
SEARCHED = ("run_id", "agent", "title", "model", "status", "error")


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def rows_of(frame: Any) -> list[dict[str, Any]]:
    """JSON-safe table rows from an ``ascope_nb.runs()`` DataFrame (same order)."""
    rows = []
    for rec in frame.to_dict("records"):
        started = rec.get("started")
        rows.append(
            {
                "run_id": str(rec["run_id"]),
                "agent": str(rec.get("agent") or ""),
                "title": str(rec.get("title") or ""),
                "model": str(rec.get("model") or ""),
                "status": str(rec.get("status") or ""),
                "started": started.timestamp() if hasattr(started, "timestamp") else None,
                "duration": _number(rec.get("duration")),
                "steps": int(rec.get("n_steps") or 0),
                "tool_calls": int(rec.get("n_tool_calls") or 0),
                "tokens": int(rec.get("input_tokens") or 0) + int(rec.get("output_tokens") or 0),
                "feedback": str(rec.get("feedback") or ""),
                "score": _number(rec.get("feedback_score")),
                "error": str(rec.get("error") or ""),
            }
        )
    return rows


def row_matches(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    """Whether a table row passes the filters (the same rule as the browser's)."""
    for key in ("agent", "status"):
        if filters.get(key) and row.get(key) != filters[key]:
            return False
    side = str(row.get("feedback") or "")
    if not matches_feedback(filters.get("feedback"), side=side, judged=bool(side)):
        return False
    text = str(filters.get("text") or "").strip().lower()
    return not text or any(text in str(row.get(k) or "").lower() for k in SEARCHED)


def export_line(result: ExportResult, *, format: str) -> str:
    """The one line that reports an export.

    Example:
        >>> from ascope_nb.export import ExportResult
        >>> export_line(ExportResult("openai", "out.jsonl", 12, 5), format="openai")
        'exported 12 records from 5 runs to out.jsonl (openai)'
    """
    return f"exported {result.records} records from {result.runs} runs to {result.path} ({format})"


class RunsTableView(anywidget.AnyWidget):
    """The runs of a store as a table; ``open_run(run_id)`` and ``export(format, path)`` are what
    the row click and the Export button call.

    Args:
        store: the store to read (the process's default store if None).
        agent, status, feedback, since, limit: which runs to load (``ascope_nb.runs``).
        formats: the export formats offered (all of ``ascope_nb.export.FORMATS`` by default).
    """

    messages_sent: int = 0
    _esm = bundle_esm("runs_table.js")
    _css = read_static("ascope.css")

    rows = t.List(t.Dict()).tag(sync=True)
    filters = t.Dict().tag(sync=True)
    formats = t.List(t.Unicode()).tag(sync=True)
    export_format = t.Unicode("openai").tag(sync=True)
    export_path = t.Unicode("").tag(sync=True)
    export_message = t.Unicode("").tag(sync=True)
    export_ok = t.Bool(True).tag(sync=True)
    opened = t.Unicode("").tag(sync=True)
    notice = t.Unicode("").tag(sync=True)

    def __init__(
        self,
        store: RunStore | None = None,
        *,
        agent: str | None = None,
        status: str | None = None,
        feedback: str | None = None,
        since: Any = None,
        limit: int | None = None,
    ) -> None:
        super().__init__()
        from ..export import FORMATS

        if store is None:
            from ..store import default_store

            store = default_store()
        self.store = store
        self._query: dict[str, Any] = {
            "agent": agent,
            "status": status,
            "feedback": feedback,
            "since": since,
            "limit": limit,
        }
        self.opened_view: RunView | None = None
        with self.hold_sync():
            self.formats = list(FORMATS)
            self.filters = {
                "agent": agent or "",
                "status": status or "",
                "feedback": feedback or "",
                "text": "",
            }
        self.refresh()

    # ------------------------------------------------------------------ data
    def refresh(self) -> RunsTableView:
        """Re-read the runs from the store (one state message)."""
        from .._runs_api import runs

        frame = runs(store=self.store, **self._query)
        with self.hold_sync():
            self.rows = rows_of(frame)
            self.notice = (
                f"run store degraded ({self.store.degraded}); showing the runs kept in memory"
                if self.store.degraded
                else ""
            )
        return self

    def visible_rows(self) -> list[dict[str, Any]]:
        """The rows that pass the table's current filters, in table order."""
        filters = dict(self.filters)
        return [row for row in self.rows if row_matches(row, filters)]

    def open_run(self, run_id: str) -> RunView:
        """Open a stored run below the table; returns its (read-only) view."""
        from .._runs_api import open_run

        view = open_run(run_id, store=self.store)
        self.opened_view = view
        self.opened = run_id
        summary = {
            "status": view.status,
            "agent": view.agent,
            "title": view.title,
            "step": view.step,
            "n_steps": view.n_steps,
            "pending_approvals": [],
            "pending_input": None,
            "tokens": dict(view.tokens),
            "started": view.started,
            "elapsed": view.elapsed,
            "error": view.error,
            "live": False,
            "interactive": True,  # the opened run takes thumbs and a comment
        }
        kind = "hub" if type(view).__name__ == "HubView" else "run"
        self.send(
            {
                "type": "run",
                "run_id": run_id,
                "kind": kind,
                "summary": summary,
                "events": view.events,
            }
        )
        return view

    def rate(self, run_id: str, *, label: str | None = None, comment: str = "") -> None:
        """Store a person's feedback on a finished run, then redraw its row (and the run,
        if it is the one opened below the table)."""
        self.store.add_feedback(run_id, label=label, comment=comment)
        self.refresh()
        if self.opened == run_id:
            self.open_run(run_id)
        word = {"up": "good", "down": "bad"}.get(label or "", "rated")
        self.send({"type": "notice", "text": f"feedback stored for {run_id}: {word}"})

    def export(self, format: str, path: str) -> ExportResult | None:
        """Export the visible runs; sets ``export_message`` (and ``export_ok``)."""
        from ..export import export

        self.export_format, self.export_path = format, path
        ids = [row["run_id"] for row in self.visible_rows()]
        result: ExportResult | None = None
        if not path.strip():
            message, ok = "export: give a path to write to", False
        elif not ids:
            message, ok = "export: no runs match the table's filters", False
        else:
            try:
                self.store.flush()
                result = export(self.store, format, path, run_ids=ids)
                message, ok = export_line(result, format=format), True
            except (AscopeError, OSError, ImportError, ValueError) as exc:
                message, ok = f"export failed: {exc}", False
        with self.hold_sync():
            self.export_message = message
            self.export_ok = ok
        return result

    # ------------------------------------------------------------------ comm
    def _send(self, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        if _reaches_frontend(self.comm):
            self.messages_sent += 1
        super()._send(msg, buffers)

    def _handle_custom_msg(self, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("cmd"), str):
            return
        cmd = content["cmd"]
        try:
            if cmd == "open":
                self.open_run(str(content.get("run_id", "")))
            elif cmd == "close_run":
                self.opened, self.opened_view = "", None
            elif cmd == "export":
                fmt = str(content.get("format") or self.export_format)
                self.export(fmt, str(content.get("path", self.export_path)))
            elif cmd == "refresh":
                self.refresh()
            elif cmd == "feedback":
                label = content.get("label")
                if label not in ("up", "down"):
                    raise ValueError(f"feedback label must be 'up' or 'down', got {label!r}")
                comment = content.get("comment", "")
                self.rate(
                    str(content.get("run_id", "")),
                    label=label,
                    comment=comment if isinstance(comment, str) else "",
                )
        except Exception as exc:  # a failing click must not kill the comm
            _log.warning("ascope runs table: %s failed: %s", cmd, exc)
            self.send({"type": "notice", "text": f"{cmd} failed: {exc}"})

    # ------------------------------------------------------------------ reprs
    def text(self) -> str:
        """A stable plain-text table (no ids or times, so saved notebooks compare)."""
        lines = [repr(self)]
        if self.rows:
            table = [list(TEXT_COLUMNS)] + [[str(r[c]) for c in TEXT_COLUMNS] for r in self.rows]
            widths = [max(len(row[i]) for row in table) for i in range(len(TEXT_COLUMNS))]
            lines += [
                "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                for row in table
            ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = len(self.rows)
        return f"Runs({n} run{'' if n == 1 else 's'})"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if bundle is not None else ({}, {})
        data["text/plain"] = self.text()
        columns = TEXT_COLUMNS  # no ids or times: saved notebooks compare
        head = "".join(f"<th>{c}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in columns) + "</tr>"
            for r in self.rows
        )
        data["text/html"] = (
            f"<table class='ascope-runs'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
        return data, metadata


__all__ = ["RunsTableView", "rows_of", "row_matches", "export_line"]
