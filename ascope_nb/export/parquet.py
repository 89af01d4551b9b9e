"""A flat table of messages (one row per message) as a pandas DataFrame or a Parquet file.

Columns: run_id, agent, status, reply_id, step, index (position in the run), msg_id, role,
name, content (text), thinking, tool_calls (JSON list of ``{"id", "name", "input"}`` or
None), tool_call_id, tool_name, tool_state, is_hint, timestamp. A tool-result message with
several results gives one row per result. Columns are built as lists (linear cost).

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> rec = RunRecord(run_id="r1", messages=[{"id": "u", "role": "user", "name": "user", "content": "Hi"}])
    >>> messages_frame([rec])[["run_id", "role", "content"]].to_dict("records")
    [{'run_id': 'r1', 'role': 'user', 'content': 'Hi'}]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from ._chat import blocks_of, msg_text, output_text, tool_results, tool_uses
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, atomic_target, require

COLUMNS = (
    "run_id", "agent", "status", "reply_id", "step", "index", "msg_id", "role", "name",
    "content", "thinking", "tool_calls", "tool_call_id", "tool_name", "tool_state",
    "is_hint", "timestamp",
)  # fmt: skip


def message_columns(runs: Iterable[RunRecord]) -> dict[str, list[Any]]:
    """The flat message table as column lists (no pandas needed)."""
    cols: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for record in runs:
        index = 0
        for msg in record.messages:
            msg_id = str(msg.get("id"))
            base = {
                "run_id": record.run_id,
                "agent": record.agent,
                "status": record.status,
                "reply_id": record.msg_replies.get(msg_id, ""),
                "step": record.msg_steps.get(msg_id),
                "msg_id": msg_id,
                "role": msg.get("role", ""),
                "name": msg.get("name", ""),
                "is_hint": bool((msg.get("metadata") or {}).get("hint", False)),
                "timestamp": msg.get("timestamp"),
            }
            rows: list[dict[str, Any]] = []
            results = tool_results(msg)
            if results:
                for block in results:
                    call = record.tool_calls.get(str(block.get("id")))
                    rows.append({**base, "role": "tool", "content": output_text(block.get("output")),
                                 "tool_call_id": block.get("id"), "tool_name": block.get("name"),
                                 "tool_state": call.state if call else None})  # fmt: skip
            else:
                calls = tool_uses(msg)
                thinking = "\n".join(
                    b.get("thinking", "") for b in blocks_of(msg) if b.get("type") == "thinking"
                )
                rows.append({
                    **base,
                    "content": msg_text(msg),
                    "thinking": thinking or None,
                    "tool_calls": json.dumps(
                        [{"id": c.get("id"), "name": c.get("name"), "input": c.get("input") or {}} for c in calls],
                        ensure_ascii=False,
                    ) if calls else None,
                })  # fmt: skip
            for row in rows:
                row["index"] = index
                index += 1
                for name in COLUMNS:
                    cols[name].append(row.get(name))
    return cols


def messages_frame(source: Any, **filters: Any) -> Any:
    """The flat message table of the selected runs as a ``pandas.DataFrame``."""
    pd = require("pandas", "data")
    runs = source if _is_records(source) else iter_runs(source, **filters)
    frame = pd.DataFrame(message_columns(runs), columns=list(COLUMNS))
    frame["step"] = frame["step"].astype("Int64")
    return frame


def _is_records(source: Any) -> bool:
    return isinstance(source, list) and all(isinstance(r, RunRecord) for r in source)


def export_parquet(source: Any, path: str | os.PathLike[str], **filters: Any) -> ExportResult:
    """Write the flat message table to a Parquet file (pandas + pyarrow)."""
    require("pyarrow", "data")
    runs = RunCounter(iter_runs(source, **filters))
    frame = messages_frame(list(runs))
    with atomic_target(path) as tmp:
        frame.to_parquet(tmp, engine="pyarrow", index=False)
    return ExportResult("parquet", str(path), len(frame), runs.count)


__all__ = ["COLUMNS", "message_columns", "messages_frame", "export_parquet"]
