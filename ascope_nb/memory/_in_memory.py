"""``InMemoryMemory``: a list of messages with marks, O(1) appends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..message import Msg
from ._base import MemoryBase

if TYPE_CHECKING:
    import pandas as pd


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not all(isinstance(v, str) for v in value):
        raise TypeError(f"marks must be strings, got {value!r}")
    return list(value)


class InMemoryMemory(MemoryBase):
    """An agent's memory kept in a Python list.

    Each entry is a ``Msg`` with a list of marks (tags such as ``"hint"``); ``get_memory``
    filters by them. Adding is O(1) (duplicate ids are detected with a set, not a scan).

    Example:
        >>> import asyncio
        >>> mem = InMemoryMemory()
        >>> asyncio.run(mem.add(Msg("user", "hi", "user"), marks="greeting"))
        >>> [m.content for m in asyncio.run(mem.get_memory(mark="greeting"))]
        ['hi']
    """

    def __init__(self) -> None:
        super().__init__()
        self.content: list[tuple[Msg, list[str]]] = []
        self._ids: set[str] = set()
        self._msgs: list[Msg] = []  # the messages alone, so get_memory() is one C-level copy
        self._compressed_summary = ""
        self._summary_msg: Msg | None = None

    async def add(
        self,
        memories: Msg | list[Msg] | None,
        marks: str | list[str] | None = None,
        allow_duplicates: bool = False,
        **kwargs: Any,
    ) -> None:
        """Append ``memories`` (a Msg, a list, or None for nothing) tagged with ``marks``.

        Messages whose id is already stored are skipped unless ``allow_duplicates``.
        """
        if memories is None:
            return
        batch = [memories] if isinstance(memories, Msg) else memories
        mark_list = _as_list(marks)
        for msg in batch:  # check all first: a batch is added whole or not at all
            if not isinstance(msg, Msg):
                raise TypeError(f"memory only stores Msg objects, got {type(msg).__name__}")
        for msg in batch:
            if msg.id in self._ids and not allow_duplicates:
                continue
            self._ids.add(msg.id)
            self.content.append((msg, list(mark_list)))
            self._msgs.append(msg)

    async def delete(self, msg_ids: list[str]) -> int:
        """Remove the messages with these ids; returns how many were removed."""
        targets = set(msg_ids)
        before = len(self.content)
        self.content = [(m, marks) for m, marks in self.content if m.id not in targets]
        self._ids = {m.id for m, _ in self.content}
        self._msgs = [m for m, _ in self.content]
        return before - len(self.content)

    async def delete_by_mark(self, mark: str | list[str]) -> int:
        """Remove every message carrying one of ``mark``; returns how many were removed."""
        wanted = set(_as_list(mark))
        ids = [m.id for m, marks in self.content if wanted.intersection(marks)]
        return await self.delete(ids)

    async def update_compressed_summary(self, summary: str) -> None:
        """Set the summary of compressed (older) messages; ``get_memory`` puts it first as a
        user message while it is not empty (``ReActAgent(compression_config=...)`` sets it)."""
        self._compressed_summary = summary
        self._summary_msg = None

    async def get_memory(
        self,
        mark: str | None = None,
        exclude_mark: str | None = None,
        prepend_summary: bool = True,
        **kwargs: Any,
    ) -> list[Msg]:
        """The messages in order; only those with ``mark``; none with ``exclude_mark``;
        preceded by the compressed summary, if any, unless ``prepend_summary=False``."""
        msgs = self._select(mark, exclude_mark)
        if prepend_summary and self._compressed_summary:
            if self._summary_msg is None:  # one Msg per summary: formatter caches stay warm
                self._summary_msg = Msg("user", self._compressed_summary, "user")
            msgs.insert(0, self._summary_msg)
        return msgs

    def _select(self, mark: str | None, exclude_mark: str | None) -> list[Msg]:
        if mark is None and exclude_mark is None:
            if len(self._msgs) != len(self.content) or (
                self._msgs and self._msgs[-1] is not self.content[-1][0]
            ):  # ``content`` was changed directly: resynchronise
                self._msgs = [m for m, _ in self.content]
            return list(self._msgs)
        return [
            m
            for m, marks in self.content
            if (mark is None or mark in marks)
            and (exclude_mark is None or exclude_mark not in marks)
        ]

    async def update_messages_mark(
        self, new_mark: str | None, old_mark: str | None = None, msg_ids: list[str] | None = None
    ) -> int:
        """Replace ``old_mark`` by ``new_mark`` (None removes it) on the selected messages."""
        ids = set(msg_ids) if msg_ids is not None else None
        changed = 0
        for msg, marks in self.content:
            if ids is not None and msg.id not in ids:
                continue
            if old_mark is not None and old_mark not in marks:
                continue
            if old_mark is not None:
                marks.remove(old_mark)
            if new_mark is not None and new_mark not in marks:
                marks.append(new_mark)
            changed += 1
        return changed

    async def size(self) -> int:
        """Number of messages."""
        return len(self.content)

    async def clear(self) -> None:
        """Remove every message (the compressed summary stays, as in AgentScope)."""
        self.content = []
        self._ids = set()
        self._msgs = []

    def state_dict(self) -> dict[str, Any]:
        return {
            "_compressed_summary": self._compressed_summary,
            "content": [[m.to_dict(), list(marks)] for m, marks in self.content],
        }

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> None:
        if strict and "content" not in state_dict:
            raise KeyError("InMemoryMemory state misses key 'content'")
        self.content = []
        for item in state_dict.get("content", []):
            if isinstance(item, dict):  # AgentScope 1.0.0 stored bare message dicts
                self.content.append((Msg.from_dict(item), []))
            else:
                data, marks = item
                self.content.append((Msg.from_dict(data), list(marks)))
        self._ids = {m.id for m, _ in self.content}
        self._msgs = [m for m, _ in self.content]
        self._compressed_summary = str(state_dict.get("_compressed_summary", ""))
        self._summary_msg = None

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain dict per message (id, name, role, text, blocks, marks, timestamp)."""
        rows = []
        for index, (msg, marks) in enumerate(self.content):
            blocks = msg.get_content_blocks()
            rows.append(
                {
                    "index": index,
                    "id": msg.id,
                    "timestamp": msg.timestamp,
                    "name": msg.name,
                    "role": msg.role,
                    "text": msg.get_text_content() or "",
                    "block_types": [b.get("type") for b in blocks],
                    "tool_calls": [b["name"] for b in blocks if b.get("type") == "tool_use"],
                    "marks": list(marks),
                }
            )
        return rows

    def to_dataframe(self) -> pd.DataFrame:
        """The memory as a pandas DataFrame, one row per message (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe() needs pandas: pip install 'ascope-nb[data]'") from exc
        columns = [
            "index",
            "id",
            "timestamp",
            "name",
            "role",
            "text",
            "block_types",
            "tool_calls",
            "marks",
        ]
        return pd.DataFrame(self.to_rows(), columns=columns)

    def __repr__(self) -> str:
        return f"InMemoryMemory(size={len(self.content)})"
