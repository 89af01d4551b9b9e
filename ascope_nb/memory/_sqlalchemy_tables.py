"""The two tables of ``AsyncSQLAlchemyMemory`` (built on first use: SQLAlchemy is an extra).

``ascope_memory_message``: one row per (user, session, message id) with its position
(``index``, unique per user and session) and its JSON. ``ascope_memory_mark``: one row per
(user, session, message id, mark).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

INSTALL_HINT = (
    "AsyncSQLAlchemyMemory needs SQLAlchemy and an async driver: "
    "pip install 'ascope-nb[sql]' (aiosqlite; asyncpg for PostgreSQL)"
)


@dataclass(frozen=True)
class MemoryTables:
    """The declarative base and the two mapped classes."""

    base: Any
    message: Any
    mark: Any


@cache
def memory_tables() -> MemoryTables:
    """The mapped table classes (ImportError naming the extra when SQLAlchemy is missing)."""
    try:
        from sqlalchemy import BigInteger, Column, String, Text, UniqueConstraint
        from sqlalchemy.orm import DeclarativeBase
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc

    class Base(DeclarativeBase):
        pass

    class MessageTable(Base):
        """A stored message: its JSON and its position in the user's session."""

        __tablename__ = "ascope_memory_message"
        __table_args__ = (UniqueConstraint("user_id", "session_id", "index"),)
        user_id = Column(String(255), primary_key=True)
        session_id = Column(String(255), primary_key=True)
        msg_id = Column(String(255), primary_key=True)
        index = Column(BigInteger, nullable=False)
        msg = Column(Text, nullable=False)

    class MessageMarkTable(Base):
        """A mark on a stored message."""

        __tablename__ = "ascope_memory_mark"
        user_id = Column(String(255), primary_key=True)
        session_id = Column(String(255), primary_key=True)
        msg_id = Column(String(255), primary_key=True)
        mark = Column(String(255), primary_key=True)

    return MemoryTables(base=Base, message=MessageTable, mark=MessageMarkTable)
