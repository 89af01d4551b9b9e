"""OpenAI preference fine-tuning (DPO) JSONL, one line per steering correction.

``{"input": {"messages": [...], "tools": [...]}, "preferred_output": [assistant msg],
"non_preferred_output": [assistant msg]}``; pairs come from ``_pairs.preference_pairs``
(edited or denied tool calls, guidance). ``input.messages`` is what the model saw when it
produced the rejected message. Arguments are JSON strings.

Example:
    >>> from ascope_nb.export._pairs import PreferencePair
    >>> pair = PreferencePair("r1", "p1", 0, ("edited",),
    ...     prompt=[{"role": "user", "content": "Hi"}],
    ...     chosen={"id": "a", "role": "assistant", "content": "Hello"},
    ...     rejected={"id": "a", "role": "assistant", "content": "Go away"})
    >>> openai_dpo_record(pair)["preferred_output"]
    [{'role': 'assistant', 'content': 'Hello'}]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._calls import output_message
from ._pairs import PreferencePair, preference_pairs
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl


def openai_dpo_record(pair: PreferencePair) -> dict[str, Any]:
    """The OpenAI preference example of one pair."""
    return {
        "input": {"messages": [_plain(m) for m in pair.prompt], "tools": pair.tools},
        "preferred_output": [_plain(output_message(pair.chosen))],
        "non_preferred_output": [_plain(output_message(pair.rejected))],
    }


def _plain(msg: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in msg.items()
        if not (k == "name" and msg.get("role") in ("tool", "assistant"))
    }


def iter_openai_dpo(
    runs: Iterable[RunRecord], *, hint_sources: tuple[str, ...] = ("human",)
) -> Iterator[dict[str, Any]]:
    """The preference examples of ``runs``."""
    for record in runs:
        for pair in preference_pairs(record, hint_sources=hint_sources):
            yield openai_dpo_record(pair)


def export_openai_dpo(source: Any, path: str | os.PathLike[str], **filters: Any) -> ExportResult:
    """Write OpenAI preference JSONL to ``path`` (filters as in ``load_runs``)."""
    runs = RunCounter(iter_runs(source, **filters))
    count = write_jsonl(iter_openai_dpo(runs), path)
    return ExportResult("openai-dpo", str(path), count, runs.count)


__all__ = ["openai_dpo_record", "iter_openai_dpo", "export_openai_dpo"]
