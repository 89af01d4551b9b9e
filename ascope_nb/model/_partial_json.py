"""Parse tool-call arguments: strictly for the final chunk, leniently while streaming."""

from __future__ import annotations

import json
from typing import Any


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """Strictly parse complete tool-call arguments; None when they are not a JSON object.

    An empty string means "no arguments" and gives ``{}``.

    Example:
        >>> parse_arguments('{"a": 1}'), parse_arguments(""), parse_arguments("{oops")
        ({'a': 1}, {}, None)
    """
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def parse_partial_object(raw: str) -> dict[str, Any]:
    """Best-effort parse of a JSON object that may be cut off mid-way; ``{}`` if hopeless.

    Open strings, arrays and objects are closed; a dangling key or separator is dropped.

    Example:
        >>> parse_partial_object('{"city": "Par')
        {'city': 'Par'}
        >>> parse_partial_object('{"a": 1, "b": [1, 2')
        {'a': 1, 'b': [1, 2]}
    """
    complete = parse_arguments(raw)
    if complete is not None:
        return complete
    text = raw.strip()
    if not text.startswith("{"):
        return {}
    # Try closing the text as is, then after cutting back to earlier safe points.
    for cut in _cut_points(text):
        value = _close_and_load(text[:cut])
        if isinstance(value, dict):
            return value
    return {}


def _cut_points(text: str) -> list[int]:
    """Candidate prefix lengths: the whole text, then each position before a separator."""
    points = [len(text)]
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in ",{[":
            points.append(i + (ch != ","))
    return sorted(set(points), reverse=True)[:64]


def _close_and_load(prefix: str) -> Any:
    stack: list[str] = []
    in_string = escaped = False
    for ch in prefix:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    text = prefix
    if in_string:
        if escaped:
            text = text[:-1]
        text += '"'
    text = text.rstrip()
    while text.endswith((",", ":")):
        text = text[:-1].rstrip()
    try:
        return json.loads(text + "".join(reversed(stack)))
    except (json.JSONDecodeError, ValueError):
        return None
