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
        allow_duplicates: bool = False,
    ) -> None:
        """Append messages, optionally tagged with marks."""

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
