"""OpenAI chat fine-tuning JSONL: ``{"messages": [...], "tools": [...]}`` per run.

Tool call ``arguments`` are JSON strings; every assistant message has a ``weight``: 0 when
a person corrected it (a denied tool call, guidance injected after it, a thumbs-down on its
step), else 1. Edited tool calls are written with the edited input (what ran) and weight 1.
``parallel_tool_calls`` is set when the run recorded it or when a message made several calls.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> rec = RunRecord(run_id="r1", sys_prompt="Be brief.", messages=[
    ...     {"id": "u", "role": "user", "name": "user", "content": "Hi"},
    ...     {"id": "a", "role": "assistant", "name": "Friday", "content": "Hello"}])
    >>> openai_sft_record(rec)["messages"][-1]
    {'role': 'assistant', 'content': 'Hello', 'weight': 1}
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._chat import chat_messages, system_head
from ._pairs import assistant_weights
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl


def trim_to_assistant(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop trailing non-assistant messages (nothing to learn after the last answer)."""
    end = len(messages)
    while end and messages[end - 1]["role"] != "assistant":
        end -= 1
    return messages[:end]


def parallel_flag(record: RunRecord, messages: Iterable[dict[str, Any]]) -> bool | None:
    """The run's ``parallel_tool_calls`` setting, or True if a message made several calls."""
    recorded = record.metadata.get("parallel_tool_calls")
    if isinstance(recorded, bool):
        return recorded
    if any(len(m.get("tool_calls") or ()) > 1 for m in messages):
        return True
    return None


def openai_sft_record(
    record: RunRecord, *, weights: bool = True, hint_sources: tuple[str, ...] = ("human",)
) -> dict[str, Any] | None:
    """One fine-tuning example for ``record``; None if it has no assistant message."""
    weight_map = assistant_weights(record, hint_sources=hint_sources) if weights else None
    body = list(chat_messages(record.messages, args="json", weights=weight_map))
    messages = trim_to_assistant([*system_head(record.sys_prompt), *body])
    if not messages:
        return None
    out: dict[str, Any] = {"messages": messages}
    if record.tools:
        out["tools"] = record.tools
    parallel = parallel_flag(record, messages)
    if parallel is not None:
        out["parallel_tool_calls"] = parallel
    return out


def iter_openai_sft(runs: Iterable[RunRecord], *, weights: bool = True) -> Iterator[dict[str, Any]]:
    """The fine-tuning examples of ``runs``, one per run that has an answer."""
    for record in runs:
        item = openai_sft_record(record, weights=weights)
        if item is not None:
            yield item


def export_openai_sft(
    source: Any, path: str | os.PathLike[str], *, weights: bool = True, **filters: Any
) -> ExportResult:
    """Write OpenAI chat fine-tuning JSONL to ``path`` (filters as in ``load_runs``).

    Example:
        >>> export_openai_sft(store, "train.jsonl", status="completed")  # doctest: +SKIP
    """
    runs = RunCounter(iter_runs(source, **filters))
    count = write_jsonl(iter_openai_sft(runs, weights=weights), path)
    return ExportResult("openai", str(path), count, runs.count)


__all__ = ["openai_sft_record", "iter_openai_sft", "export_openai_sft"]
