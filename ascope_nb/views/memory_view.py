"""``MemoryView``: an agent's memory as a sortable, searchable table.

Every block is visible in the ``text`` column, one line (or more) per block: text as is,
``thinking: ...``, tool calls as ``-> name({"arg": ...})``, results as ``<- name: output``,
media as ``[image: source]``. Showing an agent adds its system prompt as the first row.

Example:
    >>> view = MemoryView([{"id": "m1", "name": "user", "role": "user", "content": "hi"}], title="Friday")
    >>> repr(view), view.rows[0]["text"]
    ("MemoryView(title='Friday', rows=1)", 'hi')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import anywidget
import traitlets as t

from ..message import _text as _message_text
from ._assets import bundle_esm, read_static
from .run_view import _reaches_frontend

MEMORY_MIME = "application/vnd.ascope.memory+json"


MAX_CELL_CHARS = 4000  # per block: a table cell, not a dump (the memory object has it all)


def _clip(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    return f"{text[:MAX_CELL_CHARS]}... [{len(text) - MAX_CELL_CHARS} more characters]"


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return "\n".join(_block_line(b) for b in output)
    return json.dumps(output, ensure_ascii=False, default=str)


def _block_line(block: Any) -> str:
    """One block as readable text (every kind of block shows something)."""
    if not isinstance(block, dict):
        return str(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "thinking":
        return f"thinking: {block.get('thinking', '')}"
    if kind == "tool_use":
        args = json.dumps(block.get("input", {}), ensure_ascii=False, default=str)
        return f"-> {block.get('name', '?')}({args})"
    if kind == "tool_result":
        return f"<- {block.get('name', '?')}: {_output_text(block.get('output', ''))}"
    if kind in ("image", "audio", "video"):
        source = block.get("source", {})
        where = source.get("url") if isinstance(source, dict) else None
        if not where and isinstance(source, dict):
            where = f"{source.get('media_type', 'data')}, {len(str(source.get('data', '')))} chars"
        return f"[{kind}: {where or source}]"
    return f"[{kind}] {json.dumps(block, ensure_ascii=False, default=str)}"


def content_text(content: Any) -> str:
    """All of a message's content as text, one block after another (each clipped).

    Example:
        >>> content_text([{"type": "tool_use", "id": "1", "name": "f", "input": {"x": 1}}])
        '-> f({"x": 1})'
    """
    return _message_text.content_text(content, other=lambda block: _clip(_block_line(block)))


def _row(index: int, msg: dict[str, Any], marks: Iterable[str] = ()) -> dict[str, Any]:
    content = msg.get("content", "")
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
    return {
        "index": index,
        "id": msg.get("id", ""),
        "timestamp": msg.get("timestamp", ""),
        "name": msg.get("name", ""),
        "role": msg.get("role", ""),
        "text": content_text(content),
        "block_types": [b.get("type") for b in blocks if isinstance(b, dict)],
        "tool_calls": [
            b.get("name") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"
        ],
        "marks": list(marks),
    }


def memory_rows(source: Any) -> list[dict[str, Any]]:
    """Rows from a memory (``content`` of ``(Msg, marks)``, else ``to_rows()``), Msgs, or dicts.

    A dict with a ``"text"`` key is taken as a row already; other dicts are ``Msg.to_dict()``.
    Secrets are redacted (``ascope_nb.redact``): the rows are shown and saved in the notebook.
    """
    from ..redact import redact

    return [redact(row) for row in _memory_rows(source)]


def _memory_rows(source: Any) -> list[dict[str, Any]]:
    if hasattr(source, "to_rows") and not isinstance(getattr(source, "content", None), list):
        return [dict(r) for r in source.to_rows()]
    items = (
        source.content
        if hasattr(source, "content") and isinstance(source.content, list)
        else source
    )
    rows = []
    for i, item in enumerate(items or []):
        marks: Iterable[str] = ()
        if isinstance(item, (tuple, list)):
            item, marks = item[0], item[1]
        if hasattr(item, "to_dict"):
            item = item.to_dict()
        if isinstance(item, dict) and "text" in item and "content" not in item:
            rows.append({"index": i, **item})
        elif isinstance(item, dict):
            rows.append(_row(i, item, item.get("marks", marks) if "marks" in item else marks))
        else:
            raise TypeError(f"MemoryView cannot read a {type(item).__name__!r} as a message")
    return rows


class MemoryView(anywidget.AnyWidget):
    """A table of an agent's memory; ``refresh()`` re-reads it.

    Args:
        source: an agent's memory, a list of ``Msg`` (or their dicts), or rows.
        title: shown above the table (e.g. the agent's name).
    """

    messages_sent: int = 0
    _esm = bundle_esm("memory_view.js")
    _css = read_static("ascope.css")

    rows = t.List(t.Dict()).tag(sync=True)
    title = t.Unicode("").tag(sync=True)

    def __init__(self, source: Any = (), *, title: str = "", sys_prompt: str = "") -> None:
        super().__init__()
        self._source = source
        self._sys_prompt = sys_prompt
        with self.hold_sync():
            self.title = title
            self.rows = self._read()

    def _read(self) -> list[dict[str, Any]]:
        rows = memory_rows(self._source)
        if self._sys_prompt:
            prompt = {"name": "system", "role": "system", "content": self._sys_prompt}
            rows.insert(0, {**_row(-1, prompt, ["sys_prompt"]), "index": "", "id": "sys_prompt"})
        return rows

    def refresh(self) -> MemoryView:
        """Re-read the rows from the source (one state message)."""
        self.rows = self._read()
        return self

    def _send(self, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        if _reaches_frontend(self.comm):
            self.messages_sent += 1
        super()._send(msg, buffers)

    def __repr__(self) -> str:
        return f"MemoryView(title={self.title!r}, rows={len(self.rows)})"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        from ._html import memory_html

        # A memory table is a snapshot: shown kernel-free (the lab extension renders it as a
        # sortable table, other frontends show the HTML), so a saved notebook keeps it.
        data = {
            "text/plain": repr(self),
            MEMORY_MIME: {"version": 1, "title": self.title, "rows": list(self.rows)},
            "text/html": memory_html(self.rows, title=self.title),
        }
        return data, {}


__all__ = ["MemoryView", "MEMORY_MIME", "memory_rows", "content_text"]
