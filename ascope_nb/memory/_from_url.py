"""``memory_from_url``: a memory from one string (``%%agent --memory URL`` uses it).

``redis://[:password@]host[:port][/db]`` (``rediss://`` for TLS) -> ``RedisMemory``;
``sqlite:///path.db``, ``postgresql://user@host/db`` or any SQLAlchemy async URL
(``dialect+driver://...``) -> ``AsyncSQLAlchemyMemory``; ``memory`` -> ``InMemoryMemory``.
Engines are shared per URL, so many agents on one database use one connection pool.

Example:
    >>> memory_from_url("memory")
    InMemoryMemory(size=0)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..exceptions import ConfigError
from ._base import MemoryBase

_ENGINES: dict[str, Any] = {}

# plain SQLAlchemy dialects -> their async driver
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
}


def async_sql_url(url: str) -> str:
    """``url`` with an async driver (``sqlite:///x`` -> ``sqlite+aiosqlite:///x``)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(f"memory URL {url!r} has no scheme (redis://, sqlite:///, ...)")
    return f"{ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"


def redact_url(url: str) -> str:
    """``url`` without its password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def memory_from_url(
    url: str, *, session_id: str = "default_session", user_id: str = "default_user", **options: Any
) -> MemoryBase:
    """A memory for ``url`` and this user and session (``options`` go to the class, e.g.
    ``key_ttl=3600`` for Redis)."""
    text = url.strip()
    if text in ("memory", "inmemory", "in-memory"):
        from ._in_memory import InMemoryMemory

        return InMemoryMemory()
    scheme = text.partition("://")[0].lower()
    if scheme in ("redis", "rediss", "unix"):
        return _redis_memory(text, session_id=session_id, user_id=user_id, **options)
    if "://" not in text:
        raise ConfigError(
            f"memory URL {text!r}: expected redis://..., sqlite:///..., postgresql://... or memory"
        )
    return _sql_memory(text, session_id=session_id, user_id=user_id)


def _redis_memory(url: str, **kwargs: Any) -> MemoryBase:
    from ._redis import RedisMemory, import_redis

    redis_asyncio = import_redis()
    try:
        pool = redis_asyncio.ConnectionPool.from_url(url, decode_responses=True)
    except ValueError as exc:
        raise ConfigError(f"memory URL {redact_url(url)!r}: {exc}") from None
    return RedisMemory(connection_pool=pool, **kwargs)


def _sql_memory(url: str, **kwargs: Any) -> MemoryBase:
    from ._sqlalchemy import AsyncSQLAlchemyMemory
    from ._sqlalchemy_tables import INSTALL_HINT

    try:
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
        from sqlalchemy.ext.asyncio import create_async_engine
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    async_url = async_sql_url(url)
    engine = _ENGINES.get(async_url)
    if engine is None:
        try:
            engine = create_async_engine(async_url)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise ConfigError(f"memory URL {redact_url(url)!r}: {exc} ({INSTALL_HINT})") from None
        _ENGINES[async_url] = engine
    return AsyncSQLAlchemyMemory(engine, **kwargs)
