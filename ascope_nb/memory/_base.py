"""The memory interface (AgentScope 1.x ``MemoryBase``)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from ..message import Msg
from ..module import StateModule


class MemoryBase(StateModule):
    """Base class of an agent's memory: an ordered list of messages with marks."""

    @abstractmethod
    async def add(
        self,
        memories: Msg | list[Msg] | None,
        marks: str | list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Append messages, optionally tagged with marks (duplicate ids are skipped)."""

    @abstractmethod
    async def delete(self, msg_ids: list[str]) -> int:
        """Remove the messages with these ids; returns how many were removed."""

    @abstractmethod
    async def get_memory(
        self, mark: str | None = None, exclude_mark: str | None = None, **kwargs: Any
    ) -> list[Msg]:
        """The messages, filtered by mark."""

    @abstractmethod
    async def size(self) -> int:
        """Number of messages."""

    @abstractmethod
    async def clear(self) -> None:
        """Remove every message."""

    async def update_messages_mark(
        self, new_mark: str | None, old_mark: str | None = None, msg_ids: list[str] | None = None
    ) -> int:
        """Replace ``old_mark`` by ``new_mark`` on the selected messages (memory compression
        needs it); returns how many changed."""
        raise NotImplementedError(f"{type(self).__name__} does not support marks")

    async def update_compressed_summary(self, summary: str) -> None:
        """Keep ``summary`` of the compressed messages (``ReActAgent(compression_config=)``)."""
        raise NotImplementedError(f"{type(self).__name__} does not support compression")
