"""Shared pieces of the multi-agent formatters: the ``<history>`` wrapper and web media."""

from __future__ import annotations

import base64
import urllib.request
from collections.abc import Callable, Collection
from typing import Any

HISTORY_PROMPT = (
    "# Conversation History\n"
    "The content between <history></history> tags contains your conversation history\n"
)


def wrap_history(
    parts: list[dict[str, Any]], prompt: str, *, text_key: str = "text", opener: str = "<history>\n"
) -> list[dict[str, Any]]:
    """Put ``prompt + opener`` before the first part and ``</history>`` after the last.

    Text parts (those with ``text_key``) absorb the tags; otherwise new text parts are
    added. ``parts`` is changed in place and returned.

    Example:
        >>> wrap_history([{"text": "Bob: hi"}], "")
        [{'text': '<history>\\nBob: hi\\n</history>'}]
    """
    if not parts:
        return parts
    if parts[0].get(text_key):
        parts[0][text_key] = prompt + opener + parts[0][text_key]
    else:
        parts.insert(0, _text_part(prompt + opener, typed="type" in parts[0], key=text_key))
    if parts[-1].get(text_key):
        parts[-1][text_key] += "\n</history>"
    else:
        parts.append(_text_part("</history>", typed="type" in parts[-1], key=text_key))
    return parts


def _text_part(text: str, *, typed: bool, key: str) -> dict[str, Any]:
    return {"type": "text", key: text} if typed else {key: text}


def named_lines(msgs: list[Any]) -> list[str]:
    """``name: text`` for every text block of ``msgs``, in order."""
    return [
        f"{msg.name}: {block['text']}"
        for msg in msgs
        for block in msg.get_content_blocks()
        if block["type"] == "text"
    ]


def history_text(lines: list[str], prompt: str) -> str:
    """``prompt`` then ``lines`` joined inside ``<history>`` tags.

    Example:
        >>> history_text(["Alice: Hi"], "")
        '<history>\\nAlice: Hi\\n</history>'
    """
    return prompt + "<history>\n" + "\n".join(lines) + "\n</history>"


def interleaved_parts(
    msgs: list[Any],
    *,
    media_types: Collection[str],
    media_part: Callable[[Any], dict[str, Any]],
    text_part: Callable[[str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Runs of ``name: text`` lines as one text part each, media blocks kept in place.

    Example:
        >>> from ascope_nb.message import Msg
        >>> interleaved_parts(
        ...     [Msg("Alice", "Hi", "assistant")],
        ...     media_types=("image",),
        ...     media_part=dict,
        ...     text_part=lambda text: {"text": text},
        ... )
        [{'text': 'Alice: Hi'}]
    """
    parts: list[dict[str, Any]] = []
    lines: list[str] = []
    for msg in msgs:
        for block in msg.get_content_blocks():
            if block["type"] == "text":
                lines.append(f"{msg.name}: {block['text']}")
            elif block["type"] in media_types:
                if lines:
                    parts.append(text_part("\n".join(lines)))
                    lines = []
                parts.append(media_part(block))
    if lines:
        parts.append(text_part("\n".join(lines)))
    return parts


def web_bytes(url: str, *, retries: int = 3, timeout: float = 30.0) -> str:
    """The body at ``url``: text as is, binary as base64 (one line error after ``retries``)."""
    last: Exception | None = None
    for _ in range(retries):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                body: bytes = response.read()
        except Exception as exc:  # noqa: BLE001 - retried, then reported once
            last = exc
            continue
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(body).decode("ascii")
    raise RuntimeError(f"cannot fetch {url!r} after {retries} tries: {last}")
