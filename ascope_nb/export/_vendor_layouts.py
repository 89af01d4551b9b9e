"""Anthropic, Gemini and Responses API requests as OpenAI-style chat messages, so a
training record's ``prompt`` has the same shape whatever family the agent ran on.

Messages already in the OpenAI layout pass through unchanged (the same objects).

Example:
    >>> call = {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1}}
    >>> chat_layout([{"role": "assistant", "content": [call]}])[0]["tool_calls"][0]["function"]
    {'name': 'add', 'arguments': '{"a": 1}'}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_TEXT_PARTS = ("text", "input_text", "output_text")


def _is_vendor(msg: Mapping[str, Any]) -> bool:
    if "parts" in msg or ("type" in msg and "role" not in msg):
        return True
    content = msg.get("content")
    return isinstance(content, list) and any(
        isinstance(b, dict)
        and b.get("type") in ("tool_use", "tool_result", "input_text", "output_text")
        for b in content
    )


def chat_layout(messages: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``messages`` in the OpenAI chat layout (text content, ``tool_calls``, tool messages)."""
    if not any(_is_vendor(m) for m in messages):
        return list(messages)
    out: list[Mapping[str, Any]] = []
    for msg in messages:
        if "parts" in msg:
            out.extend(_gemini(msg))
        elif "type" in msg and "role" not in msg:
            _responses_item(msg, out)
        elif _is_vendor(msg):
            out.extend(_blocks(msg))
        else:
            out.append(msg)
    return out


def _call(call_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
    args = (
        arguments if isinstance(arguments, str) else json.dumps(arguments or {}, ensure_ascii=False)
    )
    return {
        "id": str(call_id or ""),
        "type": "function",
        "function": {"name": str(name), "arguments": args},
    }


def _text(parts: Sequence[Any]) -> str:
    return "\n".join(
        str(p.get("text", ""))
        for p in parts
        if isinstance(p, dict) and p.get("type", "text") in _TEXT_PARTS and "text" in p
    )


def _blocks(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An Anthropic message (or a Responses API message with typed parts)."""
    content = list(msg.get("content") or [])
    out: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            inner = block.get("content")
            text = _text(inner) if isinstance(inner, list) else str(inner or "")
            out.append(
                {"role": "tool", "tool_call_id": str(block.get("tool_use_id", "")), "content": text}
            )
    calls = [
        _call(b.get("id"), b.get("name"), b.get("input"))
        for b in content
        if isinstance(b, dict) and b.get("type") == "tool_use"
    ]
    text = _text(content)
    if text or calls:
        main: dict[str, Any] = {"role": msg.get("role", "user"), "content": text}
        if calls:
            main["tool_calls"] = calls
        out.append(main)
    return out


def _gemini(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    parts = list(msg.get("parts") or [])
    role = "assistant" if msg.get("role") == "model" else "user"
    out: list[dict[str, Any]] = []
    for part in parts:
        response = part.get("function_response") if isinstance(part, dict) else None
        if response:
            output = (response.get("response") or {}).get("output", "")
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": str(response.get("id") or ""),
                    "content": str(output),
                }
            )
    calls = [
        _call(
            p["function_call"].get("id") or p["function_call"].get("name"),
            p["function_call"].get("name"),
            p["function_call"].get("args"),
        )
        for p in parts
        if isinstance(p, dict) and p.get("function_call")
    ]
    text = "\n".join(str(p["text"]) for p in parts if isinstance(p, dict) and p.get("text"))
    if text or calls:
        main: dict[str, Any] = {"role": role, "content": text}
        if calls:
            main["tool_calls"] = calls
        out.append(main)
    return out


def _responses_item(item: Mapping[str, Any], out: list[Mapping[str, Any]]) -> None:
    kind = item.get("type")
    if kind == "function_call":
        call = _call(item.get("call_id"), item.get("name"), item.get("arguments"))
        last = out[-1] if out else None
        if last is not None and last.get("role") == "assistant":
            out[-1] = {**last, "tool_calls": [*(last.get("tool_calls") or []), call]}
        else:
            out.append({"role": "assistant", "content": "", "tool_calls": [call]})
    elif kind == "function_call_output":
        out.append(
            {
                "role": "tool",
                "tool_call_id": str(item.get("call_id", "")),
                "content": str(item.get("output", "")),
            }
        )
