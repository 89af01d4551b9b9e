"""Parse tool-call arguments: strictly for the final chunk, leniently while streaming."""

from __future__ import annotations

import json
from collections.abc import Iterator
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


class _JsonScan:
    """Walks JSON text and yields the characters outside strings (index, char); afterwards
    ``in_string`` / ``escaped`` tell whether the text ended inside a string."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.in_string = False
        self.escaped = False

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for i, ch in enumerate(self.text):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.in_string = False
            elif ch == '"':
                self.in_string = True
            else:
                yield i, ch


def _cut_points(text: str) -> list[int]:
    """Candidate prefix lengths: the whole text, then each position before a separator."""
    points = [len(text)]
    for i, ch in _JsonScan(text):
        if ch in ",{[":
            points.append(i + (ch != ","))
    return sorted(set(points), reverse=True)[:64]


def _close_and_load(prefix: str) -> Any:
    stack: list[str] = []
    scan = _JsonScan(prefix)
    for _, ch in scan:
        if ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    in_string, escaped = scan.in_string, scan.escaped
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
