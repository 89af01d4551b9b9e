"""Agent memory (AgentScope 1.x compatible)."""

from ._base import MemoryBase
from ._in_memory import InMemoryMemory

__all__ = ["MemoryBase", "InMemoryMemory"]
