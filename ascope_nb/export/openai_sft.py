"""OpenAI chat fine-tuning JSONL: one ``{"messages", "tools", "parallel_tool_calls"}`` per reply.

A reply's example is what its last model call saw (the conversation the formatter sent,
earlier turns included) plus that call's answer. Tool call ``arguments`` are JSON strings.
Every assistant message has a ``weight``: 1 for the reply's own model outputs that are
training targets, 0 for corrected ones (denied, edited, followed by guidance, thumbs-down
step) and for context (earlier turns, other speakers). Stopped or cut outputs, the canned
"interrupted" reply and the max-iters summary are not written; a reply without any
target gives no example. Every row has the same keys.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> list(iter_openai_sft([RunRecord(run_id="r1")]))
    []
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._calls import model_calls
from ._record import RunRecord
from ._replies import cut, weighted
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl


def parallel_flag(record: RunRecord, messages: Iterable[dict[str, Any]]) -> bool:
    """The run's ``parallel_tool_calls`` setting, else whether a message made several calls."""
    recorded = record.metadata.get("parallel_tool_calls")
    if isinstance(recorded, bool):
        return recorded
    return any(len(m.get("tool_calls") or ()) > 1 for m in messages)


def _clean(msg: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in msg.items() if k != "name" or msg.get("role") != "tool"}
    if out.get("role") == "tool":
        out.pop("name", None)
    return out


def openai_sft_records(
    record: RunRecord, *, weights: bool = True, hint_sources: tuple[str, ...] = ("human",)
) -> Iterator[dict[str, Any]]:
    """The fine-tuning examples of ``record``, one per reply with a target."""
    calls = model_calls(record, hint_sources=hint_sources)
    if weights:
        for _, messages, marks in weighted(calls):
            out_msgs = []
            for msg, mark in zip(messages, marks, strict=True):
                item = _clean(msg)
                if mark is not None:
                    item["weight"] = mark
                out_msgs.append(item)
            yield _row(record, out_msgs)
    else:
        for _, messages in cut(calls):
            yield _row(record, [_clean(m) for m in messages])


def _row(record: RunRecord, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "messages": messages,
        "tools": record.tools,
        "parallel_tool_calls": parallel_flag(record, messages),
    }


def iter_openai_sft(runs: Iterable[RunRecord], *, weights: bool = True) -> Iterator[dict[str, Any]]:
    """The fine-tuning examples of ``runs``."""
    for record in runs:
        yield from openai_sft_records(record, weights=weights)


def export_openai_sft(
    source: Any, path: str | os.PathLike[str], *, weights: bool = True, **filters: Any
) -> ExportResult:
    """Write OpenAI chat fine-tuning JSONL to ``path`` (filters as in ``load_runs``).

    ``weights=False`` cuts each reply before its first corrected or unusable call instead.

    Example:
        >>> export_openai_sft(store, "train.jsonl", status="completed")  # doctest: +SKIP
    """
    runs = RunCounter(iter_runs(source, **filters))
    count = write_jsonl(iter_openai_sft(runs, weights=weights), path)
    return ExportResult("openai", str(path), count, runs.count)


__all__ = ["openai_sft_records", "iter_openai_sft", "export_openai_sft", "parallel_flag"]
