"""Stored events as pandas DataFrames (pandas is imported only here, when a frame is built).

The step and tool-call tables are read from ``ascope_nb.fold`` (one fold per run), so they
say what the live view, the transcript and the exports say.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..fold import RunFold
from ..message._text import content_text
from ..message._text import message_text as text_of

if TYPE_CHECKING:
    import pandas as pd

STEP_KINDS = (
    "step_started",
    "step_ended",
    "model_call_started",
    "model_call_ended",
    "tool_call",
    "message_completed",
)
TOOL_KINDS = ("tool_call", "tool_result", "approval_requested", "approval_resolved")


def _pd() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("DataFrames need pandas: pip install 'ascope-nb[data]'") from exc
    return pandas


def to_epoch(value: Any) -> float:
    """Epoch seconds of a datetime, a timedelta (that long ago), a number or an ISO string."""
    if isinstance(value, timedelta):
        return time.time() - value.total_seconds()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _times(pd: Any, values: Sequence[float | None]) -> Any:
    return pd.to_datetime(pd.Series(values, dtype="float64"), unit="s", utc=True)


RUNS_ORDER = (
    "run_id",
    "agent",
    "model",
    "title",
    "status",
    "started",
    "duration",
    "input_tokens",
    "output_tokens",
    "n_steps",
    "n_tool_calls",
    "feedback_score",
    "feedback_label",
    "error",
    "ended",
    "n_events",
)


def runs_frame(rows: Sequence[tuple[Any, ...]], columns: Sequence[str]) -> pd.DataFrame:
    pd = _pd()
    frame = pd.DataFrame([list(r) for r in rows], columns=list(columns))
    started = pd.Series(frame["started"], dtype="float64")
    ended = pd.Series(frame["ended"], dtype="float64")
    frame["duration"] = ended - started
    frame["started"] = _times(pd, list(started))
    frame["ended"] = _times(pd, list(ended))
    for col in ("input_tokens", "output_tokens", "n_events", "n_steps", "n_tool_calls"):
        frame[col] = frame[col].astype("int64")
    frame["feedback_score"] = frame["feedback_score"].astype("float64")
    return frame[list(RUNS_ORDER)]


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    pd = _pd()
    return pd.DataFrame(rows, columns=list(columns))


STEP_COLUMNS = (
    "run_id",
    "agent",
    "reply_id",
    "step",
    "started",
    "ended",
    "duration",
    "model",
    "input_tokens",
    "output_tokens",
    "latency",
    "n_tool_calls",
    "tools",
    "msg_id",
    "text",
    "error",
)


def _folds(events: Sequence[dict[str, Any]]) -> list[tuple[str, RunFold]]:
    """The events folded run by run (the one derivation every view of a run reads)."""
    folds: dict[str, RunFold] = {}
    for ev in events:
        fold = folds.get(ev["run_id"])
        if fold is None:
            fold = folds[ev["run_id"]] = RunFold()
        fold.add(ev)
    return list(folds.items())


def steps_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The fold's steps, with each step's model, latency and answer id from its model calls."""
    out = []
    for run_id, fold in _folds(events):
        calls: dict[tuple[str, int], dict[str, Any]] = {}
        for state in fold.sync().call_states:
            found = calls.setdefault((state.reply_id, state.step), {"latency": 0.0})
            found["latency"] += state.latency
            found["model"] = state.model or found.get("model", "")
            found["msg_id"] = state.msg_id or found.get("msg_id", "")
        for step in fold.steps():
            call = calls.get((step["reply_id"], step["step"]), {})
            started, ended = step["started"], step["ended"]
            tools = [c["name"] for c in step["tool_calls"]]
            out.append(
                {
                    "run_id": run_id,
                    "agent": step["agent"],
                    "reply_id": step["reply_id"],
                    "step": step["step"],
                    "started": started,
                    "ended": ended,
                    "duration": None if ended is None else ended - started,
                    "model": call.get("model", ""),
                    "input_tokens": step["input_tokens"],
                    "output_tokens": step["output_tokens"],
                    "latency": call.get("latency", 0.0),
                    "n_tool_calls": len(tools),
                    "tools": tools,
                    "msg_id": call.get("msg_id", ""),
                    "text": step["text"],
                    "error": step["errors"][-1] if step["errors"] else None,
                }
            )
    frame = _frame(out, STEP_COLUMNS)
    pd = _pd()
    frame["started"] = _times(pd, list(frame["started"]))
    frame["ended"] = _times(pd, list(frame["ended"]))
    frame["duration"] = frame["duration"].astype("float64")
    return frame


MESSAGE_COLUMNS = (
    "run_id",
    "seq",
    "ts",
    "agent",
    "reply_id",
    "msg_id",
    "name",
    "role",
    "text",
    "content",
    "metadata",
    "added_to_memory",
)


def messages_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for ev in events:
        msg = ev.get("msg") or {}
        rows.append(
            {
                "run_id": ev["run_id"],
                "seq": ev["seq"],
                "ts": ev["ts"],
                "agent": ev.get("agent", ""),
                "reply_id": ev.get("reply_id", ""),
                "msg_id": msg.get("id", ""),
                "name": msg.get("name", ""),
                "role": msg.get("role", ""),
                "text": text_of(msg),
                "content": msg.get("content"),
                "metadata": msg.get("metadata"),
                "added_to_memory": bool(ev.get("added_to_memory", True)),
            }
        )
    frame = _frame(rows, MESSAGE_COLUMNS)
    frame["ts"] = _times(_pd(), list(frame["ts"]))
    return frame


TOOL_COLUMNS = (
    "run_id",
    "seq",
    "agent",
    "reply_id",
    "step",
    "tool_call_id",
    "name",
    "input",
    "original_input",
    "approval",
    "approved_by",
    "output",
    "output_text",
    "state",
    "duration",
    "executed_input",
)


def tool_calls_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The fold's tool calls: ``input`` is what ran (after a human edit), ``original_input``
    what the model asked, as in the fold, the steering table and every export.
    ``executed_input`` is a deprecated copy of ``input`` (kept for code written when
    ``input`` was what the model asked)."""
    rows = []
    for run_id, fold in _folds(events):
        for asked, call in fold.tool_calls():
            approval = call["approval"] or {}
            done = call["state"] is not None
            rows.append(
                {
                    "run_id": run_id,
                    "seq": asked.get("seq"),
                    "agent": asked.get("agent", ""),
                    "reply_id": asked.get("reply_id", ""),
                    "step": asked.get("step", 0),
                    "tool_call_id": call["id"],
                    "name": call["name"],
                    "input": call["input"],
                    "original_input": approval.get("original_input") or asked.get("input") or {},
                    "approval": approval.get("decision"),
                    "approved_by": approval.get("by"),
                    "output": call["output"],
                    "output_text": content_text(call["output"]) if done else None,
                    "state": call["state"],
                    "duration": call["duration"] if done else None,
                    "executed_input": call["input"],
                }
            )
    frame = _frame(rows, TOOL_COLUMNS)
    frame["duration"] = frame["duration"].astype("float64")
    return frame


STEERING_COLUMNS = (
    "run_id",
    "seq",
    "ts",
    "agent",
    "kind",
    "step",
    "text",
    "source",
    "tool_call_id",
    "tool_name",
    "decision",
    "input",
    "original_input",
    "reason",
)


def steering_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for ev in events:
        hint = ev["kind"] == "hint_injected"
        rows.append(
            {
                "run_id": ev["run_id"],
                "seq": ev["seq"],
                "ts": ev["ts"],
                "agent": ev.get("agent", ""),
                "kind": "hint" if hint else "approval",
                "step": ev.get("step") if hint else None,
                "text": ev.get("text", "") if hint else "",
                "source": ev.get("source") if hint else ev.get("by"),
                "tool_call_id": None if hint else ev.get("tool_call_id"),
                "tool_name": None if hint else ev.get("name"),
                "decision": None if hint else ev.get("decision"),
                "input": None if hint else ev.get("input"),
                "original_input": None if hint else ev.get("original_input"),
                "reason": None if hint else ev.get("reason"),
            }
        )
    frame = _frame(rows, STEERING_COLUMNS)
    frame["ts"] = _times(_pd(), list(frame["ts"]))
    return frame


FEEDBACK_COLUMNS = ("run_id", "seq", "ts", "agent", "score", "label", "comment", "step")


def feedback_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    rows = [{c: ev.get(c) for c in FEEDBACK_COLUMNS} for ev in events]
    frame = _frame(rows, FEEDBACK_COLUMNS)
    frame["ts"] = _times(_pd(), list(frame["ts"]))
    frame["score"] = frame["score"].astype("float64")
    return frame
