"""ShareGPT JSONL in LLaMA-Factory's layout (its ``formatting: sharegpt`` with tools).

``{"conversations": [{"from": "human" | "gpt" | "function_call" | "observation", "value": str}],
"system": str, "tools": "<JSON list of function schemas>"}``, one row per agent reply: what
the reply's last kept model call saw (``system`` is its system message) and produced. A reply
is cut before its first call that is not a training target (stopped, cut, corrected, the
max-iters summary), since LLaMA-Factory trains on every ``gpt`` / ``function_call`` turn.
LLaMA-Factory needs turns that alternate prompt side (human, observation) and answer side
(gpt, function_call), starting with a prompt turn and ending with an answer turn, so:

- an assistant message with tool calls becomes one ``function_call`` turn whose value is
  ``{"name", "arguments"}`` as JSON (a JSON list of them for parallel calls); its text is
  dropped (LLaMA-Factory has no place for it);
- another speaker's message (a MsgHub run rebuilt without a recorded input) is a ``human``
  turn ``"Name: text"``, never merged into this agent's answer;
- consecutive same-side turns (several tool results, a hint after a result) are merged
  into the first one, joined by a blank line;
- a row that would start with an answer turn gets an empty ``human`` turn first.

Example:
    >>> list(iter_sharegpt([]))
    []
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._calls import model_calls
from ._record import RunRecord
from ._replies import cut
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl

PROMPT_SIDE = ("human", "observation")
ANSWER_SIDE = ("gpt", "function_call")


def _turns(msgs: Iterable[dict[str, Any]], agent: str) -> Iterator[tuple[str, str]]:
    for msg in msgs:
        role = msg.get("role")
        text = str(msg.get("content") or "")
        if role == "tool":
            yield "observation", text
        elif role == "assistant" and msg.get("name") not in (None, "", agent):
            yield "human", f"{msg['name']}: {text}"
        elif role == "assistant":
            calls = msg.get("tool_calls") or []
            if calls:
                items = [
                    {
                        "name": c["function"]["name"],
                        "arguments": json.loads(c["function"]["arguments"] or "{}"),
                    }
                    for c in calls
                ]
                yield (
                    "function_call",
                    json.dumps(items[0] if len(items) == 1 else items, ensure_ascii=False),
                )
            elif text:
                yield "gpt", text
        else:
            yield "human", text


def _unwrap(tool: dict[str, Any]) -> dict[str, Any]:
    inner = tool.get("function")
    return dict(inner) if tool.get("type") == "function" and isinstance(inner, dict) else dict(tool)


def sharegpt_conversation(
    messages: list[dict[str, Any]], agent: str, tools: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """One LLaMA-Factory row from canonical chat messages; None without an answer turn."""
    system = ""
    body = messages
    if body and body[0].get("role") == "system":
        system, body = str(body[0].get("content") or ""), body[1:]
    conversations: list[dict[str, str]] = []
    for role, value in _turns(body, agent):
        if not conversations:
            if role in ANSWER_SIDE:
                conversations.append({"from": "human", "value": ""})
            conversations.append({"from": role, "value": value})
            continue
        last = conversations[-1]
        if (last["from"] in PROMPT_SIDE) == (role in PROMPT_SIDE):
            if role in ANSWER_SIDE and (role != last["from"] or role == "function_call"):
                conversations[-1] = {"from": role, "value": value}  # a call is never text
            else:
                last["value"] = f"{last['value']}\n\n{value}" if last["value"] else value
        else:
            conversations.append({"from": role, "value": value})
    while conversations and conversations[-1]["from"] in PROMPT_SIDE:
        conversations.pop()
    if not conversations:
        return None
    return {
        "conversations": conversations,
        "system": system,
        "tools": json.dumps([_unwrap(t) for t in tools], ensure_ascii=False) if tools else "",
    }


def sharegpt_records(record: RunRecord) -> Iterator[dict[str, Any]]:
    """The rows of one run: one per reply with a training target."""
    for call, messages in cut(model_calls(record)):
        row = sharegpt_conversation(messages, call.agent, record.tools)
        if row is not None:
            yield row


def iter_sharegpt(runs: Iterable[RunRecord]) -> Iterator[dict[str, Any]]:
    for record in runs:
        yield from sharegpt_records(record)


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


__all__ = [
    "sharegpt_conversation",
    "sharegpt_records",
    "iter_sharegpt",
    "export_sharegpt",
    "dataset_info",
]
