"""OpenAI preference fine-tuning (DPO) JSONL, one line per steering correction.

``{"input": {"messages": [...], "tools": [...]}, "preferred_output": [assistant msg],
"non_preferred_output": [assistant msg]}``; pairs come from ``_pairs.preference_pairs``
(edited or denied tool calls, guidance). Arguments are JSON strings.

Example:
    >>> from ascope_nb.export._pairs import PreferencePair
    >>> pair = PreferencePair("r1", "p1", 0, ("edited",),
    ...     prompt=[{"id": "u", "role": "user", "content": "Hi"}],
    ...     chosen={"id": "a", "role": "assistant", "content": "Hello"},
    ...     rejected={"id": "a", "role": "assistant", "content": "Go away"})
    >>> openai_dpo_record(pair)["preferred_output"]
    [{'role': 'assistant', 'content': 'Hello'}]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._chat import chat_messages, system_head
from ._pairs import PreferencePair, preference_pairs
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl


def openai_dpo_record(pair: PreferencePair) -> dict[str, Any]:
    """The OpenAI preference example of one pair."""
    inputs: dict[str, Any] = {
        "messages": [*system_head(pair.sys_prompt), *chat_messages(pair.prompt, args="json")]
    }
    if pair.tools:
        inputs["tools"] = pair.tools
    return {
        "input": inputs,
        "preferred_output": list(chat_messages([pair.chosen], args="json")),
        "non_preferred_output": list(chat_messages([pair.rejected], args="json")),
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
