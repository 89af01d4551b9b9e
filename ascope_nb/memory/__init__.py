"""Agent memory (AgentScope 1.x compatible)."""

from ._base import MemoryBase
from ._from_url import memory_from_url
from ._in_memory import InMemoryMemory
from ._long_term import LocalLongTermMemory, LongTermMemoryBase
from ._redis import RedisMemory
from ._reme import ReMePersonalLongTermMemory, ReMeTaskLongTermMemory, ReMeToolLongTermMemory
from ._sqlalchemy import AsyncSQLAlchemyMemory
from ._stored import MemoryBackendError
from ._tablestore import TablestoreMemory

__all__ = [
    "MemoryBase",
    "InMemoryMemory",
    "LocalLongTermMemory",
    "LongTermMemoryBase",
    "RedisMemory",
    "AsyncSQLAlchemyMemory",
    "MemoryBackendError",
    "TablestoreMemory",
    "ReMePersonalLongTermMemory",
    "ReMeTaskLongTermMemory",
    "ReMeToolLongTermMemory",
    "memory_from_url",
]
