"""TRL conversational datasets: SFT (``messages`` + ``tools``), DPO and KTO.

Tool call ``arguments`` are dicts (TRL's chat-template convention); tool messages carry
``name`` and ``tool_call_id``. DPO rows are ``{"prompt", "chosen", "rejected"}`` and KTO rows
``{"prompt", "completion", "label"}``, all lists of messages; the system prompt leads the
prompt (or the messages).

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> rec = RunRecord(run_id="r1", messages=[
    ...     {"id": "u", "role": "user", "content": "Hi"},
    ...     {"id": "a", "role": "assistant", "content": [
    ...         {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1}}]}])
    >>> trl_sft_record(rec)["messages"][1]["tool_calls"][0]["function"]["arguments"]
    {'a': 1}
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._chat import chat_messages, system_head
from ._pairs import LabeledExample, PreferencePair, labeled_examples, preference_pairs
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl
from .openai_sft import trim_to_assistant


def _msgs(msgs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(chat_messages(msgs, args="dict", tool_names=True))


def trl_sft_record(record: RunRecord) -> dict[str, Any] | None:
    """One conversational SFT row; None if the run has no assistant message."""
    messages = trim_to_assistant([*system_head(record.sys_prompt), *_msgs(record.messages)])
    if not messages:
        return None
    out: dict[str, Any] = {"messages": messages}
    if record.tools:
        out["tools"] = record.tools
    return out


def trl_dpo_record(pair: PreferencePair) -> dict[str, Any]:
    """One conversational preference row."""
    out: dict[str, Any] = {
        "prompt": [*system_head(pair.sys_prompt), *_msgs(pair.prompt)],
        "chosen": _msgs([pair.chosen]),
        "rejected": _msgs([pair.rejected]),
    }
    if pair.tools:
        out["tools"] = pair.tools
    return out


def trl_kto_record(example: LabeledExample) -> dict[str, Any]:
    """One conversational unpaired-preference row (``label`` True = desirable)."""
    out: dict[str, Any] = {
        "prompt": [*system_head(example.sys_prompt), *_msgs(example.prompt)],
        "completion": _msgs(example.completion),
        "label": example.label,
    }
    if example.tools:
        out["tools"] = example.tools
    return out


def iter_trl_sft(runs: Iterable[RunRecord]) -> Iterator[dict[str, Any]]:
    for record in runs:
        row = trl_sft_record(record)
        if row is not None:
            yield row


def iter_trl_dpo(runs: Iterable[RunRecord]) -> Iterator[dict[str, Any]]:
    for record in runs:
        for pair in preference_pairs(record):
            yield trl_dpo_record(pair)


def iter_trl_kto(
    runs: Iterable[RunRecord], *, score_threshold: float = 0.5, include_pairs: bool = True
) -> Iterator[dict[str, Any]]:
    for record in runs:
        for example in labeled_examples(
            record, score_threshold=score_threshold, include_pairs=include_pairs
        ):
            if example.completion:
                yield trl_kto_record(example)


def export_trl_sft(source: Any, path: str | os.PathLike[str], **filters: Any) -> ExportResult:
    """Write TRL conversational SFT JSONL (``datasets.load_dataset("json", ...)`` reads it)."""
    runs = RunCounter(iter_runs(source, **filters))
    return ExportResult("trl-sft", str(path), write_jsonl(iter_trl_sft(runs), path), runs.count)


def export_trl_dpo(source: Any, path: str | os.PathLike[str], **filters: Any) -> ExportResult:
    """Write TRL conversational DPO JSONL from steering corrections."""
    runs = RunCounter(iter_runs(source, **filters))
    return ExportResult("trl-dpo", str(path), write_jsonl(iter_trl_dpo(runs), path), runs.count)


def export_trl_kto(
    source: Any, path: str | os.PathLike[str], *, include_pairs: bool = True, **filters: Any
) -> ExportResult:
    """Write TRL conversational KTO JSONL from thumbs, scores and steering corrections."""
    threshold = float(filters.get("score_threshold", 0.5))
    runs = RunCounter(iter_runs(source, **filters))
    rows = iter_trl_kto(runs, score_threshold=threshold, include_pairs=include_pairs)
    return ExportResult("trl-kto", str(path), write_jsonl(rows, path), runs.count)


__all__ = [
    "trl_sft_record",
    "trl_dpo_record",
    "trl_kto_record",
    "iter_trl_sft",
    "iter_trl_dpo",
    "iter_trl_kto",
    "export_trl_sft",
    "export_trl_dpo",
    "export_trl_kto",
]
