"""Check a tool's result when it arrives, before it can poison the agent's memory.

- Media blocks (image, audio, video) must carry a ``url`` source or plain base64 data; a
  ``data:`` URL, invalid base64 or a malformed source becomes a text block that tells the
  model what was wrong (a bad image kept in memory would fail every later model call).
- Blocks of an unknown type become such an error text too.
- Text is capped (``output_limit()`` characters per result, 100,000 by default; set
  ``ASCOPE_TOOL_OUTPUT_LIMIT`` or call ``configure_output``): the middle is cut with a note
  of how much; the full text can be kept in a file (``ASCOPE_TOOL_OUTPUT_DIR``).
- ``unique_call_ids`` renames repeated tool-call ids of one model answer, so each call keeps
  its own result.

Example:
    >>> blocks, notes = validate_content([{"type": "image", "source": {"type": "base64",
    ...     "media_type": "image/png", "data": "data:image/png;base64,AAAA"}}])
    >>> blocks[0]["type"], notes[0][:37]
    ('text', 'Error: image block 1 was not accepted')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError

DEFAULT_OUTPUT_LIMIT = 100_000
MIN_OUTPUT_LIMIT = 1000
"""The smallest cap that can be set: a shorter result is never cut."""
_MEDIA = ("image", "audio", "video")
_settings: dict[str, Any] = {"limit": None, "keep_dir": None}


def configure_output(*, limit: int | None = None, keep_dir: str | Path | None = None) -> None:
    """Set the text cap per tool result (characters) and where full texts are kept.

    Args:
        limit: characters kept per result (None: ``$ASCOPE_TOOL_OUTPUT_LIMIT`` or 100,000).
        keep_dir: a folder for the full text of results that were cut (None: not kept,
            unless ``$ASCOPE_TOOL_OUTPUT_DIR`` is set).

    Example:
        >>> configure_output(limit=50_000)
        >>> output_limit()
        50000
        >>> configure_output()
    """
    if limit is not None and (not isinstance(limit, int) or limit < MIN_OUTPUT_LIMIT):
        raise ConfigError(f"tool output limit must be an int >= 1000, got {limit!r}")
    _settings["limit"] = limit
    _settings["keep_dir"] = Path(keep_dir) if keep_dir is not None else None


def output_limit() -> int:
    """Characters of text kept per tool result."""
    if _settings["limit"] is not None:
        return int(_settings["limit"])
    raw = os.environ.get("ASCOPE_TOOL_OUTPUT_LIMIT", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= MIN_OUTPUT_LIMIT else DEFAULT_OUTPUT_LIMIT


def _keep_dir() -> Path | None:
    if _settings["keep_dir"] is not None:
        return Path(_settings["keep_dir"])
    raw = os.environ.get("ASCOPE_TOOL_OUTPUT_DIR", "").strip()
    return Path(raw) if raw else None


def _media_problem(block: dict[str, Any]) -> str | None:
    source = block.get("source")
    if not isinstance(source, dict):
        return "it has no 'source' object"
    kind = source.get("type")
    if kind == "url":
        return None if isinstance(source.get("url"), str) and source["url"] else "its url is empty"
    if kind != "base64":
        return f"its source type is {kind!r} (expected 'base64' or 'url')"
    data = source.get("data")
    if not isinstance(data, str) or not data:
        return "its base64 data is empty"
    if data[:5].lower() == "data:":
        return "its base64 data is a 'data:' URL (send the bare base64 and a media_type)"
    if not isinstance(source.get("media_type"), str) or not source["media_type"]:
        return "it has no media_type"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        return f"its data is not valid base64 ({exc})"
    return None


def _cap(text: str, limit: int) -> str:
    """``text`` with its middle cut to ``limit`` characters, the full text kept if configured."""
    head, tail = limit * 2 // 3, limit // 3
    cut = len(text) - head - tail
    where = ""
    folder = _keep_dir()
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
            path = folder / f"tool-output-{digest}.txt"
            path.write_text(text, encoding="utf-8", errors="replace")
            where = f"; full text in {str(path)!r}"
        except OSError as exc:
            where = f"; the full text could not be kept: {exc}"
    note = f"\n[... {cut:,} of {len(text):,} characters cut (limit {limit:,}){where} ...]\n"
    return text[:head] + note + text[-tail:]


def validate_content(blocks: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Checked blocks of one tool result and the notes of what was changed (empty if none)."""
    if not isinstance(blocks, list):
        blocks = [{"type": "text", "text": str(blocks)}]
    out: list[dict[str, Any]] = []
    notes: list[str] = []
    for index, block in enumerate(blocks, start=1):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and isinstance(block.get("text"), str):
            out.append(block)
            continue
        if kind == "text":
            out.append({"type": "text", "text": str(block.get("text", ""))})
            continue
        if kind in _MEDIA:
            problem = _media_problem(block)
            if problem is None:
                out.append(block)
                continue
            note = f"Error: {kind} block {index} was not accepted: {problem}."
        else:
            shown = kind if isinstance(block, dict) else type(block).__name__
            note = (
                f"Error: block {index} of the tool result has the unknown type {shown!r} "
                "(expected text, image, audio or video); it was dropped."
            )
        notes.append(note)
        out.append({"type": "text", "text": note})
    total = sum(len(b["text"]) for b in out if b["type"] == "text")
    if total > MIN_OUTPUT_LIMIT and total > (limit := output_limit()):  # env read only then
        room = limit
        capped: list[dict[str, Any]] = []
        for block in out:
            if block["type"] == "text" and len(block["text"]) > room:
                block = {**block, "text": _cap(block["text"], max(room, 1000))}
                notes.append(f"output cut to {limit:,} characters (was {total:,})")
            if block["type"] == "text":
                room = max(room - len(block["text"]), 0)
            capped.append(block)
        out = capped
    return out, notes


def unique_call_ids(blocks: list[Any], taken: set[str] | None = None) -> list[Any]:
    """``blocks`` with repeated ``tool_use`` ids renamed (``call_1``, ``call_1~2``...).

    Some OpenAI-compatible servers reuse an id within one answer, or number calls per answer
    (``call_0``), and Ollama names them ``0_add`` in every step; without this, the calls
    would share one result and the other would be lost. ``taken``: the ids already used
    (this run's and the memory's); the kept ids are added to it.

    Example:
        >>> calls = [{"type": "tool_use", "id": "c", "name": "f", "input": {}}] * 2
        >>> [b["id"] for b in unique_call_ids(calls)]
        ['c', 'c~2']
    """
    seen: set[str] = taken if taken is not None else set()
    out: list[Any] = []
    for block in blocks:
        if isinstance(block, dict) and block.get("type") == "tool_use":
            call_id = str(block.get("id") or "call")
            if call_id in seen:
                n = 2
                while f"{call_id}~{n}" in seen:
                    n += 1
                block = {**block, "id": f"{call_id}~{n}"}
                call_id = block["id"]
            seen.add(call_id)
        out.append(block)
    return out


__all__ = [
    "DEFAULT_OUTPUT_LIMIT",
    "configure_output",
    "output_limit",
    "validate_content",
    "unique_call_ids",
]
