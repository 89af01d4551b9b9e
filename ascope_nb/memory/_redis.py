"""``RedisMemory``: an agent's memory in Redis (AgentScope 1.0.21's API and key layout).

Keys (``key_prefix`` first; ``:`` and ``%`` inside ids are percent-encoded so two ids never
share a key): ``user_id:U:session:S:messages`` (list of message ids, in order),
``...:msg:ID`` (the message JSON), ``...:mark:M`` (set of ids with mark M) and
``...:marks_index`` (set of the marks in use). Every write is one MULTI/EXEC transaction:
whole or absent. ``key_ttl`` is a sliding expiry refreshed on every access.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ..message import Msg
from ._stored import MemoryBackendError, StoredMemory, as_marks, as_msgs, check_id, encode_msg

if TYPE_CHECKING:
    from redis.asyncio import ConnectionPool, Redis

INSTALL_HINT = "RedisMemory needs the redis package: pip install 'ascope-nb[redis]'"


def import_redis() -> Any:
    """``redis.asyncio``, or ImportError naming the extra."""
    try:
        import redis.asyncio as redis_asyncio
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return redis_asyncio


def key_part(value: str) -> str:
    """``value`` safe inside a ``:``-separated key (``%`` and ``:`` percent-encoded)."""
    return value.replace("%", "%25").replace(":", "%3A")


def text(value: Any) -> str:
    """A Redis reply as str (pools made with ``decode_responses=False`` return bytes)."""
    return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value)


def pool_address(pool: Any) -> str:
    """``redis://host:port/db`` of a connection pool, without the password."""
    kwargs = getattr(pool, "connection_kwargs", {}) or {}
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


def clone_client(client: Redis) -> Redis:
    """A new client on a new pool to the same server (for another event loop)."""
    redis_asyncio = import_redis()
    pool = client.connection_pool
    kwargs = {
        k: v
        for k, v in pool.connection_kwargs.items()
        if not k.startswith(("maint_", "orig_")) and k != "himport_registry"
    }
    new_pool = redis_asyncio.ConnectionPool(connection_class=pool.connection_class, **kwargs)
    return redis_asyncio.Redis(connection_pool=new_pool)


@asynccontextmanager
async def backend_errors(owner: str, address: str, operation: str) -> AsyncIterator[None]:
    """Turn redis connection/auth errors into one-line ``MemoryBackendError``s."""
    from redis import exceptions as rex

    try:
        yield
    except rex.AuthenticationError as exc:
        raise MemoryBackendError(
            f"{owner} at {address}: cannot {operation}: authentication failed ({exc})"
        ) from None
    except (rex.ConnectionError, rex.TimeoutError, OSError) as exc:
        raise MemoryBackendError(
            f"{owner} at {address}: cannot {operation}: server unreachable ({exc})"
        ) from None
    except rex.ResponseError as exc:
        if "NOAUTH" in str(exc) or "WRONGPASS" in str(exc):
            raise MemoryBackendError(
                f"{owner} at {address}: cannot {operation}: authentication failed ({exc})"
            ) from None
        raise


class RedisMemory(StoredMemory):
    """An agent's memory in Redis, shared by every process using the same user and session.

    Example:
        >>> mem = RedisMemory(session_id="s1", user_id="u1", port=6379)  # doctest: +SKIP
        >>> await mem.add(Msg("user", "hi", "user"), marks="greeting")  # doctest: +SKIP
        >>> [m.content for m in await mem.get_memory(mark="greeting")]  # doctest: +SKIP
        ['hi']
    """

    SESSION_KEY = "user_id:{user_id}:session:{session_id}:messages"
    MARK_KEY = "user_id:{user_id}:session:{session_id}:mark:{mark}"
    MESSAGE_KEY = "user_id:{user_id}:session:{session_id}:msg:{msg_id}"
    MARKS_INDEX_KEY = "user_id:{user_id}:session:{session_id}:marks_index"

    def __init__(
        self,
        session_id: str = "default_session",
        user_id: str = "default_user",
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        password: str | None = None,
        connection_pool: ConnectionPool | None = None,
        key_prefix: str = "",
        key_ttl: int | None = None,
        **kwargs: Any,
    ) -> None:
        redis_asyncio = import_redis()
        super().__init__()
        self.session_id = check_id("session_id", session_id, max_len=4096)
        self.user_id = check_id("user_id", user_id, max_len=4096)
        self.key_prefix = key_prefix or ""
        self.key_ttl = key_ttl
        self._client: Redis = redis_asyncio.Redis(
            host=host,
            port=port,
            db=db,
            password=password,
            connection_pool=connection_pool,
            decode_responses=True,
            **kwargs,
        )
        self._address = pool_address(self._client.connection_pool)
        self._lock = asyncio.Lock()
        self._seen_messages = False

    def get_client(self) -> Redis:
        """The ``redis.asyncio.Redis`` client this memory uses."""
        return self._client

    def __repr__(self) -> str:
        return (
            f"RedisMemory(address={self._address!r}, user_id={self.user_id!r}, "
            f"session_id={self.session_id!r})"
        )

    # ------------------------------------------------------------------ keys
    def _fmt(self, pattern: str, **extra: str) -> str:
        parts = {k: key_part(v) for k, v in extra.items()}
        return self.key_prefix + pattern.format(
            user_id=key_part(self.user_id), session_id=key_part(self.session_id), **parts
        )

    def _list_key(self) -> str:
        return self._fmt(self.SESSION_KEY)

    def _msg_key(self, msg_id: str) -> str:
        return self._fmt(self.MESSAGE_KEY, msg_id=msg_id)

    def _mark_key(self, mark: str) -> str:
        return self._fmt(self.MARK_KEY, mark=mark)

    def _index_key(self) -> str:
        return self._fmt(self.MARKS_INDEX_KEY)

    def _errors(self, operation: str) -> Any:
        return backend_errors("RedisMemory", self._address, operation)

    # ------------------------------------------------------------------ reads
    async def _ids(self, client: Redis | None = None) -> list[str]:
        return [text(v) for v in await (client or self._client).lrange(self._list_key(), 0, -1)]

    async def _members(self, mark: str, client: Redis | None = None) -> set[str]:
        return {text(v) for v in await (client or self._client).smembers(self._mark_key(mark))}

    async def _marks(self, client: Redis | None = None) -> list[str]:
        return sorted(text(v) for v in await (client or self._client).smembers(self._index_key()))

    async def _load(self, ids: list[str], client: Redis | None = None) -> list[Msg]:
        if not ids:
            return []
        raw = await (client or self._client).mget([self._msg_key(i) for i in ids])
        return [Msg.from_dict(json.loads(text(r))) for r in raw if r is not None]

    async def _refresh_ttl(self, ids: Iterable[str], marks: Iterable[str]) -> None:
        if self.key_ttl is None:
            return
        keys = [self._list_key(), self._index_key()]
        keys += [self._msg_key(i) for i in ids] + [self._mark_key(m) for m in marks]
        pipe = self._client.pipeline(transaction=False)
        for key in keys:
            pipe.expire(key, self.key_ttl)
        await pipe.execute()

    def _note_expiry(self, ids: list[str]) -> None:
        if ids:
            self._seen_messages = True
        elif self._seen_messages and self.key_ttl is not None:
            self._seen_messages = False
            warnings.warn(
                f"RedisMemory {self.user_id!r}/{self.session_id!r}: the stored messages expired "
                f"(key_ttl={self.key_ttl}s); the memory is empty now",
                RuntimeWarning,
                stacklevel=3,
            )

    async def get_memory(
        self,
        mark: str | None = None,
        exclude_mark: str | None = None,
        prepend_summary: bool = True,
        **kwargs: Any,
    ) -> list[Msg]:
        """The messages in order; only those with ``mark``; none with ``exclude_mark``;
        preceded by the compressed summary unless ``prepend_summary=False``."""
        async with self._errors("read the memory"):
            ids = await self._ids()
            self._note_expiry(ids)
            if mark is not None:
                wanted = await self._members(mark)
                ids = [i for i in ids if i in wanted]
            if exclude_mark is not None:
                unwanted = await self._members(exclude_mark)
                ids = [i for i in ids if i not in unwanted]
            msgs = await self._load(ids)
            if self.key_ttl is not None:
                await self._refresh_ttl(await self._ids(), await self._marks())
        return self._with_summary(msgs, prepend_summary)

    async def size(self) -> int:
        """Number of stored messages."""
        async with self._errors("count the messages"):
            return int(await self._client.llen(self._list_key()))

    async def _read_rows(self, fresh: bool) -> list[tuple[Msg, list[str]]]:
        client = clone_client(self._client) if fresh else self._client
        try:
            async with self._errors("read the memory"):
                ids = await self._ids(client)
                marks = {m: await self._members(m, client) for m in await self._marks(client)}
                msgs = await self._load(ids, client)
        finally:
            if fresh:
                await client.aclose(close_connection_pool=True)
        return [(m, [k for k, members in marks.items() if m.id in members]) for m in msgs]

    # ------------------------------------------------------------------ writes
    async def add(
        self,
        memories: Msg | list[Msg] | None,
        marks: str | list[str] | None = None,
        skip_duplicated: bool = True,
        **kwargs: Any,
    ) -> None:
        """Append messages tagged with ``marks`` in one transaction. Ids already stored are
        skipped (``skip_duplicated=False``: ValueError, nothing written)."""
        batch = as_msgs(memories)
        mark_list = as_marks(marks)
        if not batch:
            return
        payloads = {
            m.id: encode_msg(m, owner="RedisMemory", limit=self.max_message_bytes) for m in batch
        }
        async with self._lock, self._errors("add messages"):
            check = self._client.pipeline(transaction=False)
            for msg in batch:
                check.exists(self._msg_key(msg.id))
            stored = {m.id for m, found in zip(batch, await check.execute(), strict=True) if found}
            new_ids: list[str] = []
            for msg in batch:
                if msg.id in stored or msg.id in new_ids:
                    if not skip_duplicated and not kwargs.get("allow_duplicates", False):
                        raise ValueError(f"RedisMemory: message id {msg.id!r} is already stored")
                    continue
                new_ids.append(msg.id)
            if not new_ids:
                return
            pipe = self._client.pipeline(transaction=True)
            for msg_id in new_ids:
                pipe.set(self._msg_key(msg_id), payloads[msg_id])
            pipe.rpush(self._list_key(), *new_ids)
            for mark in mark_list:
                pipe.sadd(self._mark_key(mark), *new_ids)
                pipe.sadd(self._index_key(), mark)
            await pipe.execute()
            self._seen_messages = True
            if self.key_ttl is not None:
                await self._refresh_ttl(await self._ids(), await self._marks())

    async def delete(self, msg_ids: list[str], **kwargs: Any) -> int:
        """Remove the messages with these ids (one transaction); returns how many."""
        async with self._lock, self._errors("delete messages"):
            present = set(await self._ids())
            targets = [i for i in dict.fromkeys(msg_ids) if i in present]
            if not targets:
                return 0
            marks = await self._marks()
            pipe = self._client.pipeline(transaction=True)
            for msg_id in targets:
                pipe.lrem(self._list_key(), 0, msg_id)
                pipe.delete(self._msg_key(msg_id))
            for mark in marks:
                pipe.srem(self._mark_key(mark), *targets)
            await pipe.execute()
        return len(targets)

    async def delete_by_mark(self, mark: str | list[str], *args: Any, **kwargs: Any) -> int:
        """Remove every message carrying one of ``mark``; returns how many."""
        wanted = as_marks(mark)
        async with self._errors("delete messages"):
            ids: set[str] = set()
            for one in wanted:
                ids |= await self._members(one)
        return await self.delete(sorted(ids))

    async def clear(self) -> None:
        """Remove every message of this user and session (the summary stays)."""
        async with self._lock, self._errors("clear the memory"):
            ids = await self._ids()
            marks = await self._marks()
            keys = [self._list_key(), self._index_key()]
            keys += [self._msg_key(i) for i in ids] + [self._mark_key(m) for m in marks]
            pipe = self._client.pipeline(transaction=True)
            pipe.delete(*keys)
            await pipe.execute()
            self._seen_messages = False

    async def update_messages_mark(
        self, new_mark: str | None, old_mark: str | None = None, msg_ids: list[str] | None = None
    ) -> int:
        """Replace ``old_mark`` by ``new_mark`` (None removes it) on the selected messages
        (those in ``msg_ids``, those carrying ``old_mark``); returns how many changed."""
        async with self._lock, self._errors("update marks"):
            ids = await self._ids()
            if msg_ids is not None:
                chosen = set(msg_ids)
                ids = [i for i in ids if i in chosen]
            if old_mark is not None:
                having = await self._members(old_mark)
                ids = [i for i in ids if i in having]
            if not ids:
                return 0
            pipe = self._client.pipeline(transaction=True)
            if old_mark is not None:
                pipe.srem(self._mark_key(old_mark), *ids)
            if new_mark is not None:
                pipe.sadd(self._mark_key(new_mark), *ids)
                pipe.sadd(self._index_key(), new_mark)
            await pipe.execute()
        return len(ids)

    async def close(self) -> None:
        """Close the client's connections."""
        await self._client.aclose()

    async def __aenter__(self) -> RedisMemory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
