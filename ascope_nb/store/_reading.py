"""Reading a run store: runs, events and the DataFrames built from them (``_frames``).

Every reader of ``RunStore`` lives here, so a change to how stored events are read or
folded touches this file only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..events import Event, event_from_dict
from . import _frames
from ._connection import Connection
from ._schema import RUN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

RunIds = str | Iterable[str] | None


class StoreReading:
    """The reading half of ``RunStore``: every query of stored runs and events."""

    _conn: Connection

    def _query(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self._conn.query(sql, params)

    def run_ids(self) -> list[str]:
        """Ids of every stored run, oldest first."""
        return [r[0] for r in self._query("SELECT run_id FROM runs ORDER BY started, run_id")]

    def events(self, run_id: str) -> list[Event]:
        """The stored events of one run, in ``seq`` order (stable API for exporters)."""
        rows = self._query(
            "SELECT data FROM events WHERE run_id = :run_id ORDER BY seq", {"run_id": run_id}
        )
        return [event_from_dict(loads(text)) for (text,) in rows]

    def event_dicts(
        self, run_ids: RunIds = None, *, kinds: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """Wire dicts of the events of ``run_ids`` (all runs if None), by run then seq."""
        ids = _normalise_ids(run_ids)
        kind_list = sorted(set(kinds)) if kinds is not None else None
        where: list[str] = []
        params: dict[str, Any] = {}
        if kind_list is not None:
            where.append("kind IN (" + ", ".join(f":k{i}" for i in range(len(kind_list))) + ")")
            params.update({f"k{i}": k for i, k in enumerate(kind_list)})
        out: list[dict[str, Any]] = []
        chunks: list[list[str] | None] = (
            [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
        )
        for chunk in chunks:
            clause = list(where)
            chunk_params = dict(params)
            if chunk is not None:
                if not chunk:
                    continue
                clause.append("run_id IN (" + ", ".join(f":r{i}" for i in range(len(chunk))) + ")")
                chunk_params.update({f"r{i}": r for i, r in enumerate(chunk)})
            sql = "SELECT data FROM events"
            if clause:
                sql += " WHERE " + " AND ".join(clause)
            sql += " ORDER BY run_id, seq"
            out.extend(loads(text) for (text,) in self._query(sql, chunk_params))
        return out

    def runs(
        self,
        *,
        agent: str | None = None,
        status: str | None = None,
        since: Any = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """One row per run, newest first (stable API for exporters).

        Columns: run_id, agent, model, title, status, error, started, ended, duration,
        input_tokens, output_tokens, n_events, n_steps, n_tool_calls, feedback_score,
        feedback_label. ``since`` is a datetime, a timedelta (that long ago), epoch seconds
        or an ISO string.
        """
        where: list[str] = []
        params: dict[str, Any] = {}
        if agent is not None:
            where.append("agent = :agent")
            params["agent"] = agent
        if status is not None:
            where.append("status = :status")
            params["status"] = status
        if since is not None:
            where.append("started >= :since")
            params["since"] = _frames.to_epoch(since)
        columns = [c for c in RUN_COLUMNS if not c.startswith("owner_")]
        sql = f"SELECT {', '.join(columns)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started DESC, run_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return _frames.runs_frame(self._query(sql, params), columns)

    def steps(self, run_ids: RunIds = None) -> pd.DataFrame:
        """One row per ReAct step: timing, model, tokens, tool calls, text and errors."""
        return _frames.steps_frame(self.event_dicts(run_ids, kinds=_frames.STEP_KINDS))

    def messages(self, run_ids: RunIds = None) -> pd.DataFrame:
        """One row per completed message (``MessageCompleted``), in run order."""
        return _frames.messages_frame(self.event_dicts(run_ids, kinds=["message_completed"]))

    def tool_calls(self, run_ids: RunIds = None) -> pd.DataFrame:
        """One row per tool call, with its result and any approval decision."""
        return _frames.tool_calls_frame(self.event_dicts(run_ids, kinds=_frames.TOOL_KINDS))

    def steering(self, run_ids: RunIds = None) -> pd.DataFrame:
        """Human and system steering: injected hints and approval decisions."""
        return _frames.steering_frame(
            self.event_dicts(run_ids, kinds=["hint_injected", "approval_resolved"])
        )

    def feedback(self, run_ids: RunIds = None) -> pd.DataFrame:
        """Every feedback event (score, label, comment, step)."""
        return _frames.feedback_frame(self.event_dicts(run_ids, kinds=["feedback"]))


def loads(text: Any) -> dict[str, Any]:
    """A stored event's wire dict (the column is JSON text, or a dict from PostgreSQL)."""
    return text if isinstance(text, dict) else json.loads(text)


def _normalise_ids(run_ids: Any) -> list[str] | None:
    if run_ids is None:
        return None
    if isinstance(run_ids, str):
        return [run_ids]
    column = getattr(run_ids, "columns", None)
    if column is not None and "run_id" in column:  # a DataFrame from runs()
        return [str(r) for r in run_ids["run_id"]]
    return [str(r) for r in run_ids]
