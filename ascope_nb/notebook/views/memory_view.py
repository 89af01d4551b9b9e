"""``MemoryView``: an agent's memory as a sortable, searchable table.

Example:
    >>> view = MemoryView([{"id": "m1", "name": "user", "role": "user", "content": "hi"}], title="Friday")
    >>> repr(view), view.rows[0]["text"]
    ("MemoryView(title='Friday', rows=1)", 'hi')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anywidget
import traitlets as t

from ._assets import bundle_esm, read_static
from ._fold import block_text
from .run_view import _reaches_frontend

MEMORY_MIME = "application/vnd.ascope.memory+json"


def _row(index: int, msg: dict[str, Any], marks: Iterable[str] = ()) -> dict[str, Any]:
    content = msg.get("content", "")
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
    return {
        "index": index,
        "id": msg.get("id", ""),
        "timestamp": msg.get("timestamp", ""),
        "name": msg.get("name", ""),
        "role": msg.get("role", ""),
        "text": block_text(content),
        "block_types": [b.get("type") for b in blocks if isinstance(b, dict)],
        "tool_calls": [
            b.get("name") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"
        ],
        "marks": list(marks),
    }


def memory_rows(source: Any) -> list[dict[str, Any]]:
    """Rows from a memory (``to_rows()`` or ``content`` of ``(Msg, marks)``), Msgs, or dicts.

    A dict with a ``"text"`` key is taken as a row already; other dicts are ``Msg.to_dict()``.
    Secrets are redacted (``ascope_nb.redact``): the rows are shown and saved in the notebook.
    """
    from ...redact import redact

    return [redact(row) for row in _memory_rows(source)]


def _memory_rows(source: Any) -> list[dict[str, Any]]:
    if hasattr(source, "to_rows"):
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

    def __init__(self, source: Any = (), *, title: str = "") -> None:
        super().__init__()
        self._source = source
        with self.hold_sync():
            self.title = title
            self.rows = memory_rows(source)

    def refresh(self) -> MemoryView:
        """Re-read the rows from the source (one state message)."""
        self.rows = memory_rows(self._source)
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


__all__ = ["MemoryView", "MEMORY_MIME", "memory_rows"]
