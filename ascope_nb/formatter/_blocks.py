"""Tool blocks in the OpenAI message layout, shared by the OpenAI and DashScope formatters."""

from __future__ import annotations

import json
from typing import Any

from ._media import tool_result_text


def tool_call(block: dict[str, Any]) -> dict[str, Any]:
    """A ``tool_calls`` entry for a ``tool_use`` block (arguments as a JSON string).

    Example:
        >>> tool_call({"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1}})
        {'id': 'c1', 'type': 'function', 'function': {'name': 'add', 'arguments': '{"a": 1}'}}
    """
    arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
    return {
        "id": block["id"],
        "type": "function",
        "function": {"name": block["name"], "arguments": arguments},
    }


def tool_message(
    block: dict[str, Any],
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """The ``role="tool"`` message for a ``tool_result`` block, plus the result's media
    as ``(url_or_path, block)`` pairs (see ``tool_result_text``).

    Example:
        >>> tool_message({"type": "tool_result", "id": "c1", "name": "add", "output": "3"})
        ({'role': 'tool', 'tool_call_id': 'c1', 'content': '3', 'name': 'add'}, [])
    """
    text, media = tool_result_text(block.get("output"))
    message = {
        "role": "tool",
        "tool_call_id": block["id"],
        "content": text,
        "name": block.get("name"),
    }
    return message, media
