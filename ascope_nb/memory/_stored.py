"""What the database-backed memories share: the summary state, errors, rows for the notebook.

``RedisMemory`` and ``AsyncSQLAlchemyMemory`` keep the messages in a server, so two kernels (or
two processes) pointed at the same user and session see each other's messages. Only the
compressed summary lives in the object (``state_dict()`` is ``{"_compressed_summary": ...}``,
as in AgentScope 1.0.21).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..exceptions import AscopeError
from ..message import Msg
from ._base import MemoryBase

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

ROW_COLUMNS = [
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


class MemoryBackendError(AscopeError, ConnectionError):
    """A memory's server cannot be reached or refused the operation (down, wrong password).

    The message is one line naming the memory class, its (password-free) address and the
    operation; nothing was written by the failed operation.
    """


def as_marks(value: str | list[str] | None) -> list[str]:
    """``marks`` as a list of strings (None -> [], "a" -> ["a"])."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"marks must be a string or a list of strings, got {value!r}")
    return list(value)


def as_msgs(memories: Msg | list[Msg] | None) -> list[Msg]:
    """``memories`` as a list of ``Msg`` (TypeError naming the first bad item)."""
    if memories is None:
        return []
    batch = [memories] if isinstance(memories, Msg) else list(memories)
    for msg in batch:
        if not isinstance(msg, Msg):
            raise TypeError(f"memory only stores Msg objects, got {type(msg).__name__}")
    return batch


def check_id(label: str, value: str, *, max_len: int = 255) -> str:
    """A user/session id: a non-empty string without NUL or newlines, at most ``max_len``
    characters. Other characters (spaces, ``:``, ``*``, unicode) are fine."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{label} must be a non-empty string, got {value!r}")
    if any(c in value for c in "\x00\r\n"):
        raise ValueError(f"{label} {value!r} contains NUL or a line break")
    if len(value) > max_len:
        raise ValueError(f"{label} {value[:40]!r}... is longer than {max_len} characters")
    return value


def encode_msg(msg: Msg, *, owner: str, limit: int | None) -> str:
    """``msg`` as JSON; ValueError (one line) when it is larger than ``limit`` bytes."""
    text = json.dumps(msg.to_dict(), ensure_ascii=False)
    if limit is not None and len(text.encode("utf-8")) > limit:
        raise ValueError(
            f"{owner}: message {msg.id!r} is {len(text.encode('utf-8'))} bytes, more than "
            f"max_message_bytes={limit}; nothing was written"
        )
    return text


def msg_row(index: int, msg: Msg, marks: list[str]) -> dict[str, Any]:
    """One row of the memory table (the same columns as ``InMemoryMemory.to_rows``)."""
    blocks = msg.get_content_blocks()
    return {
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


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine ``make()`` to completion from synchronous code, also inside a
    running event loop (a notebook cell): then it runs on a fresh loop in a worker thread."""

    async def main() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


class StoredMemory(MemoryBase):
    """Base of the memories kept in a server; subclasses implement the ``_read_rows`` reader
    the notebook uses and the async ``MemoryBase`` methods."""

    max_message_bytes: int | None = 16 * 1024 * 1024
    """Largest message (as JSON) ``add`` accepts; larger ones raise ValueError, nothing is
    written. Set it on the instance (``memory.max_message_bytes = ...``) or None for no limit."""

    def __init__(self) -> None:
        super().__init__()
        self._compressed_summary = ""
        self._summary_msg: Msg | None = None
        self.register_state("_compressed_summary")

    async def update_compressed_summary(self, summary: str) -> None:
        """Set the summary of compressed (older) messages; ``get_memory`` puts it first."""
        self._compressed_summary = summary
        self._summary_msg = None

    def _with_summary(self, msgs: list[Msg], prepend_summary: bool) -> list[Msg]:
        if prepend_summary and self._compressed_summary:
            cached = getattr(self, "_summary_msg", None)
            if cached is None or cached.content != self._compressed_summary:
                cached = self._summary_msg = Msg("user", self._compressed_summary, "user")
            return [cached, *msgs]
        return msgs

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> None:
        super().load_state_dict(state_dict, strict=strict)
        self._summary_msg = None

    @abstractmethod
    async def _read_rows(self, fresh: bool) -> list[tuple[Msg, list[str]]]:
        """Every ``(Msg, marks)`` in order; ``fresh`` means: use a new connection (we run on
        another event loop than the one that created this memory's client)."""

    def snapshot(self) -> list[tuple[Msg, list[str]]]:
        """The stored ``(Msg, marks)`` pairs, read now from the server (synchronous: a notebook
        cell may call it; a copy: changing it changes nothing stored)."""
        return run_sync(lambda: self._read_rows(True))

    def to_rows(self) -> list[dict[str, Any]]:
        """One plain dict per stored message (id, name, role, text, blocks, marks, timestamp),
        read now from the server: what ``%agent_memory`` and the memory panel show."""
        return [msg_row(i, m, marks) for i, (m, marks) in enumerate(self.snapshot())]

    def to_dataframe(self) -> pd.DataFrame:
        """The memory as a pandas DataFrame, one row per message (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe() needs pandas: pip install 'ascope-nb[data]'") from exc
        return pd.DataFrame(self.to_rows(), columns=ROW_COLUMNS)
