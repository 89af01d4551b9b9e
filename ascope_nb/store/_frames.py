"""Stored events as pandas DataFrames (pandas is imported only here, when a frame is built)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

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


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return "\n".join(
            str(b.get("text", ""))
            for b in output
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


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


def steps_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    steps: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    msg_text: dict[tuple[str, str], str] = {}

    def row(ev: dict[str, Any]) -> dict[str, Any]:
        key = (ev["run_id"], ev.get("agent", ""), ev.get("reply_id", ""), int(ev.get("step") or 0))
        found = steps.get(key)
        if found is None:
            found = steps[key] = {
                "run_id": key[0],
                "agent": key[1],
                "reply_id": key[2],
                "step": key[3],
                "started": None,
                "ended": None,
                "model": "",
                "input_tokens": 0,
                "output_tokens": 0,
                "latency": 0.0,
                "tools": [],
                "msg_id": "",
                "error": None,
            }
        return found

    for ev in events:
        kind = ev["kind"]
        if kind == "message_completed":
            msg = ev.get("msg") or {}
            msg_text[(ev["run_id"], str(msg.get("id", "")))] = text_of(msg)
        elif kind == "step_started":
            row(ev)["started"] = ev["ts"]
        elif kind == "step_ended":
            row(ev)["ended"] = ev["ts"]
        elif kind == "model_call_started":
            r = row(ev)
            r["model"] = ev.get("model") or r["model"]
            r["msg_id"] = ev.get("msg_id") or r["msg_id"]
        elif kind == "model_call_ended":
            r = row(ev)
            usage = ev.get("usage") or {}
            r["input_tokens"] += int(usage.get("input_tokens") or 0)
            r["output_tokens"] += int(usage.get("output_tokens") or 0)
            r["latency"] += float(ev.get("latency") or 0.0)
            r["model"] = ev.get("model") or r["model"]
            r["msg_id"] = ev.get("msg_id") or r["msg_id"]
            if ev.get("error"):
                r["error"] = ev["error"]
        elif kind == "tool_call":
            row(ev)["tools"].append(ev.get("name", ""))
    out = []
    for r in steps.values():
        started, ended = r["started"], r["ended"]
        r["duration"] = None if started is None or ended is None else ended - started
        r["n_tool_calls"] = len(r["tools"])
        r["text"] = msg_text.get((r["run_id"], r["msg_id"]), "")
        out.append(r)
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
    "approval",
    "approved_by",
    "executed_input",
    "output",
    "output_text",
    "state",
    "duration",
)


def tool_calls_frame(events: Sequence[dict[str, Any]]) -> pd.DataFrame:
    calls: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in events:
        key = (ev["run_id"], ev.get("tool_call_id", ""))
        kind = ev["kind"]
        if kind == "tool_call":
            calls[key] = {
                "run_id": ev["run_id"],
                "seq": ev["seq"],
                "agent": ev.get("agent", ""),
                "reply_id": ev.get("reply_id", ""),
                "step": ev.get("step", 0),
                "tool_call_id": key[1],
                "name": ev.get("name", ""),
                "input": ev.get("input") or {},
                "approval": None,
                "approved_by": None,
                "executed_input": ev.get("input") or {},
                "output": None,
                "output_text": None,
                "state": None,
                "duration": None,
            }
        elif key in calls:
            call = calls[key]
            if kind == "approval_requested":
                call["approval"] = call["approval"] or "pending"
            elif kind == "approval_resolved":
                call["approval"] = ev.get("decision")
                call["approved_by"] = ev.get("by")
                if ev.get("decision") == "edited":
                    call["executed_input"] = ev.get("input") or {}
            elif kind == "tool_result":
                call["output"] = ev.get("output")
                call["output_text"] = _output_text(ev.get("output"))
                call["state"] = ev.get("state")
                call["duration"] = ev.get("duration")
    frame = _frame(list(calls.values()), TOOL_COLUMNS)
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
