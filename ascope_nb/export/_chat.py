"""AgentScope ``Msg`` dicts to OpenAI-style chat messages (shared by every chat format).

Example:
    >>> call = {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1}}
    >>> msgs = [{"id": "a1", "name": "Friday", "role": "assistant", "content": [call]}]
    >>> list(chat_messages(msgs, args="json"))[0]["tool_calls"][0]["function"]
    {'name': 'add', 'arguments': '{"a": 1}'}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from ..message._text import message_text as msg_text

ArgsStyle = Literal["json", "dict"]


def blocks_of(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The content of ``msg`` as blocks (a string content is one text block)."""
    content = msg.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else []


def output_text(output: Any) -> str:
    """A tool output (a string or blocks) as text; media blocks become ``[image]`` and such."""
    if isinstance(output, str):
        return output
    parts: list[str] = []
    for block in output or []:
        if block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        else:
            parts.append(f"[{block.get('type', 'block')}]")
    return "\n".join(parts)


def tool_uses(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``tool_use`` blocks of ``msg``."""
    return [b for b in blocks_of(msg) if b.get("type") == "tool_use"]


def tool_results(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``tool_result`` blocks of ``msg``."""
    return [b for b in blocks_of(msg) if b.get("type") == "tool_result"]


def tool_call_dict(block: Mapping[str, Any], *, args: ArgsStyle) -> dict[str, Any]:
    """One OpenAI ``tool_calls`` entry; ``arguments`` a JSON string or a dict."""
    arguments = dict(block.get("input") or {})
    return {
        "id": block.get("id", ""),
        "type": "function",
        "function": {
            "name": block.get("name", ""),
            "arguments": json.dumps(arguments, ensure_ascii=False) if args == "json" else arguments,
        },
    }


def system_head(sys_prompt: str | None) -> list[dict[str, Any]]:
    """``[{"role": "system", ...}]`` for a system prompt, ``[]`` without one."""
    return [{"role": "system", "content": sys_prompt}] if sys_prompt else []


def chat_messages(
    msgs: Iterable[Mapping[str, Any]],
    *,
    args: ArgsStyle,
    weights: Mapping[str, int] | None = None,
    tool_names: bool = False,
) -> Iterator[dict[str, Any]]:
    """OpenAI chat messages for ``msgs``: one ``tool`` message per tool result block.

    Args:
        msgs: ``Msg.to_dict()`` dicts in conversation order.
        args: ``"json"`` for OpenAI (arguments as JSON strings), ``"dict"`` for TRL.
        weights: when given, every assistant message gets ``weight`` (default 1) from it.
        tool_names: add ``name`` to tool messages (TRL's convention).

    Empty assistant messages (no text, no tool call: an interrupted stream) are skipped.
    """
    for msg in msgs:
        results = tool_results(msg)
        if results:
            for block in results:
                item: dict[str, Any] = {
                    "role": "tool",
                    "tool_call_id": block.get("id", ""),
                    "content": output_text(block.get("output")),
                }
                if tool_names:
                    item["name"] = block.get("name", "")
                yield item
            continue
        role = msg.get("role")
        text = msg_text(msg)
        if role == "assistant":
            calls = tool_uses(msg)
            if not calls and not text:
                continue
            item = {"role": "assistant", "content": text}
            if calls:
                item["tool_calls"] = [tool_call_dict(c, args=args) for c in calls]
            if weights is not None:
                item["weight"] = weights.get(str(msg.get("id")), 1)
            yield item
        else:
            yield {"role": "system" if role == "system" else "user", "content": text}


MESSAGE_KEYS = ("role", "content", "name", "tool_calls", "tool_call_id")
"""Every message of the TRL, Trinity and ``hf`` rows has exactly these keys (None if unused),
so ``datasets`` infers one schema for all rows and nothing gains keys."""


def stable_messages(
    msgs: Iterable[Mapping[str, Any]], *, args: ArgsStyle = "json"
) -> list[dict[str, Any]]:
    """Canonical chat messages with exactly ``MESSAGE_KEYS``; arguments as ``args`` says."""
    out: list[dict[str, Any]] = []
    for msg in msgs:
        item = {key: msg.get(key) for key in MESSAGE_KEYS}
        item["content"] = item["content"] or ""
        calls = item["tool_calls"]
        if calls and args == "dict":
            item["tool_calls"] = [
                {
                    **c,
                    "function": {
                        **c["function"],
                        "arguments": _as_dict(c["function"]["arguments"]),
                    },
                }
                for c in calls
            ]
        elif not calls:
            item["tool_calls"] = None
        out.append(item)
    return out


def _as_dict(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return arguments
    try:
        value = json.loads(arguments)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def tools_json(tools: list[dict[str, Any]]) -> str:
    """The tool schemas as one JSON string (a fixed column type; TRL and Trinity-RFT parse it)."""
    return json.dumps(tools, ensure_ascii=False)


__all__ = [
    "ArgsStyle",
    "MESSAGE_KEYS",
    "blocks_of",
    "chat_messages",
    "msg_text",
    "output_text",
    "stable_messages",
    "system_head",
    "tool_call_dict",
    "tool_results",
    "tool_uses",
    "tools_json",
]
