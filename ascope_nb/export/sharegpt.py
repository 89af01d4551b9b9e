"""ShareGPT JSONL in LLaMA-Factory's layout (its ``formatting: sharegpt`` with tools).

``{"conversations": [{"from": "human" | "gpt" | "function_call" | "observation", "value": str}],
"system": str, "tools": "<JSON list of function schemas>"}``. LLaMA-Factory needs turns that
alternate prompt side (human, observation) and answer side (gpt, function_call), starting
with a prompt turn and ending with an answer turn, so:

- an assistant message with tool calls becomes one ``function_call`` turn whose value is
  ``{"name", "arguments"}`` as JSON (a JSON list of them for parallel calls); its text is
  dropped (LLaMA-Factory has no place for it);
- consecutive prompt-side turns (several tool results, a hint after a result) are merged
  into the first one, joined by a blank line; consecutive answer turns likewise;
- trailing prompt-side turns are dropped.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> rec = RunRecord(run_id="r1", messages=[
    ...     {"id": "u", "role": "user", "content": "Hi"},
    ...     {"id": "a", "role": "assistant", "content": "Hello"}])
    >>> sharegpt_record(rec)["conversations"]
    [{'from': 'human', 'value': 'Hi'}, {'from': 'gpt', 'value': 'Hello'}]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._chat import msg_text, output_text, tool_results, tool_uses
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl

PROMPT_SIDE = ("human", "observation")
ANSWER_SIDE = ("gpt", "function_call")


def _turns(msgs: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for msg in msgs:
        results = tool_results(msg)
        if results:
            for block in results:
                yield "observation", output_text(block.get("output"))
            continue
        if msg.get("role") == "assistant":
            calls = tool_uses(msg)
            if calls:
                items = [
                    {"name": c.get("name", ""), "arguments": c.get("input") or {}} for c in calls
                ]
                yield (
                    "function_call",
                    json.dumps(items[0] if len(items) == 1 else items, ensure_ascii=False),
                )
            elif msg_text(msg):
                yield "gpt", msg_text(msg)
        elif msg.get("role") == "user" or msg_text(msg):
            yield "human", msg_text(msg)


def _unwrap(tool: dict[str, Any]) -> dict[str, Any]:
    inner = tool.get("function")
    return dict(inner) if tool.get("type") == "function" and isinstance(inner, dict) else dict(tool)


def sharegpt_record(record: RunRecord) -> dict[str, Any] | None:
    """One LLaMA-Factory ShareGPT example; None if the run has no answer turn."""
    conversations: list[dict[str, str]] = []
    for role, value in _turns(record.messages):
        if not conversations:
            if role in ANSWER_SIDE:
                conversations.append({"from": "human", "value": ""})
            conversations.append({"from": role, "value": value})
            continue
        last = conversations[-1]
        same_side = (last["from"] in PROMPT_SIDE) == (role in PROMPT_SIDE)
        if same_side:
            last["value"] = f"{last['value']}\n\n{value}" if last["value"] else value
        else:
            conversations.append({"from": role, "value": value})
    while conversations and conversations[-1]["from"] in PROMPT_SIDE:
        conversations.pop()
    if not conversations:
        return None
    out: dict[str, Any] = {"conversations": conversations, "system": record.sys_prompt or ""}
    out["tools"] = (
        json.dumps([_unwrap(t) for t in record.tools], ensure_ascii=False) if record.tools else ""
    )
    return out


def iter_sharegpt(runs: Iterable[RunRecord]) -> Iterator[dict[str, Any]]:
    for record in runs:
        row = sharegpt_record(record)
        if row is not None:
            yield row


def export_sharegpt(source: Any, path: str | os.PathLike[str], **filters: Any) -> ExportResult:
    """Write ShareGPT / LLaMA-Factory JSONL to ``path`` (filters as in ``load_runs``)."""
    runs = RunCounter(iter_runs(source, **filters))
    return ExportResult("sharegpt", str(path), write_jsonl(iter_sharegpt(runs), path), runs.count)


def dataset_info(file_name: str) -> dict[str, Any]:
    """The LLaMA-Factory ``dataset_info.json`` entry for a file written by this module."""
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
    }


__all__ = ["sharegpt_record", "iter_sharegpt", "export_sharegpt", "dataset_info"]
