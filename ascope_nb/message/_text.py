"""The text of a message's content: one home for "what does this message say".

``content_text`` reads our content (a string, or ``Msg`` blocks: text blocks joined by
newlines, thinking and tool blocks left out); ``message_text`` the same for a message dict;
``parts_text`` reads a provider's wire parts (OpenAI ``{"type": "text", "text": ...}``,
DashScope's ``{"text": ...}``).

Example:
    >>> content_text([{"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "Hi"}])
    'Hi'
    >>> content_text([{"type": "image"}, {"type": "text", "text": "Hi"}], other=lambda b: "<image>")[:7]
    '<image>'
    >>> message_text({"role": "user", "content": "Hello"})
    'Hello'
    >>> parts_text([{"text": "a"}, {"type": "image_url", "image_url": {}}, {"text": "b"}], separator="")
    'ab'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def content_text(content: Any, *, other: Callable[[Any], str] | None = None) -> str:
    """A string content as it is; the text blocks of a block list joined by newlines; else "".

    ``other`` renders every other block in its place (default: they are left out), e.g.
    ``other=lambda b: f"<{b['type']}>"``.
    """
    if isinstance(content, str):
        return content
    if not isinstance(content, Iterable):
        return ""
    if other is None:
        return "\n".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return "\n".join(
        str(b.get("text", "")) if isinstance(b, dict) and b.get("type") == "text" else other(b)
        for b in content
    )


def message_text(msg: Mapping[str, Any]) -> str:
    """``content_text`` of a message dict (``Msg.to_dict()`` or a stored event's ``msg``)."""
    return content_text(msg.get("content"))


def parts_text(content: Any, *, separator: str = "\n") -> str:
    """A provider message's text: a string, or its text parts (a part without a ``type``
    counts as text) joined by ``separator``; else ""."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return separator.join(
            str(b.get("text", ""))
            for b in content
            if type(b) is dict and b.get("type", "text") == "text" and "text" in b
        )
    return ""


__all__ = ["content_text", "message_text", "parts_text"]
