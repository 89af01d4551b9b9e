"""``AsyncSQLAlchemyMemory``: an agent's memory in a SQL database (AgentScope 1.0.21's API).

Works with any SQLAlchemy async engine (``sqlite+aiosqlite``, ``postgresql+asyncpg``, ...).
Every write is one transaction (whole or absent); two processes on the same database, user
and session see each other's messages. Positions are unique per user and session; a writer
that loses a race for one retries with the next.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ..message import Msg
from ._sqlalchemy_tables import INSTALL_HINT, memory_tables
from ._stored import MemoryBackendError, StoredMemory, as_marks, as_msgs, check_id, encode_msg

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

RETRIES = 8


def _is_memory_sqlite(engine: AsyncEngine) -> bool:
    url = engine.url
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


class AsyncSQLAlchemyMemory(StoredMemory):
    """An agent's memory in a SQL database through SQLAlchemy's asyncio API.

    Example:
        >>> from sqlalchemy.ext.asyncio import create_async_engine  # doctest: +SKIP
        >>> engine = create_async_engine("sqlite+aiosqlite:///memory.db")  # doctest: +SKIP
        >>> mem = AsyncSQLAlchemyMemory(engine, session_id="s1", user_id="u1")  # doctest: +SKIP
        >>> await mem.add(Msg("user", "hi", "user"))  # doctest: +SKIP
    """

    def __init__(
        self,
        engine_or_session: AsyncEngine | AsyncSession,
        session_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        try:
            from sqlalchemy.ext.asyncio import (
                AsyncConnection,
                AsyncEngine,
                AsyncSession,
                async_sessionmaker,
            )
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        super().__init__()
        tables = memory_tables()
        self.MessageTable = tables.message
        self.MessageMarkTable = tables.mark
        self._db_session: AsyncSession | None = None
        self._engine: Any
        if isinstance(engine_or_session, AsyncEngine):
            self._engine = engine_or_session
            self._session_factory: Any = async_sessionmaker(
                bind=engine_or_session, expire_on_commit=False
            )
        elif isinstance(engine_or_session, AsyncSession):
            self._session_factory = None
            self._db_session = engine_or_session
            bind = engine_or_session.bind
            self._engine = bind.engine if isinstance(bind, AsyncConnection) else bind
            if self._engine is None:
                raise ValueError(
                    "AsyncSQLAlchemyMemory: the AsyncSession is not bound to an engine"
                )
        else:
            raise ValueError(
                "AsyncSQLAlchemyMemory: engine_or_session must be a "
                "sqlalchemy.ext.asyncio.AsyncEngine or AsyncSession, got "
                f"{type(engine_or_session).__name__}"
            )
        self.session_id = check_id("session_id", session_id or "default_session")
        self.user_id = check_id("user_id", user_id or "default_user")
        self._address = self._engine.url.render_as_string(hide_password=True)
        self._initialized = False
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return (
            f"AsyncSQLAlchemyMemory(url={self._address!r}, user_id={self.user_id!r}, "
            f"session_id={self.session_id!r})"
        )

    @property
    def session(self) -> AsyncSession:
        """The database session this memory uses (a new one when the last was closed)."""
        if self._session_factory is None:
            assert self._db_session is not None
            return self._db_session
        if self._db_session is None or not self._db_session.is_active:
            self._db_session = self._session_factory()
        return self._db_session

    # ------------------------------------------------------------------ plumbing
    @asynccontextmanager
    async def _guard(self, operation: str) -> AsyncIterator[None]:
        """Roll back and raise one ``MemoryBackendError`` line when the database fails."""
        from sqlalchemy import exc as sa_exc

        query_errors = (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError)
        try:
            yield
        except (sa_exc.DBAPIError, OSError) as exc:
            await self._rollback_quietly()
            if isinstance(exc, query_errors):  # the request, not the server: raise as is
                raise
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise MemoryBackendError(
                f"AsyncSQLAlchemyMemory at {self._address}: cannot {operation}: {reason}"
            ) from None
        except BaseException:
            await self._rollback_quietly()
            raise

    async def _rollback_quietly(self) -> None:
        if self._db_session is None:
            return
        try:
            await self._db_session.rollback()
        except Exception:  # the connection is gone: drop the session, a new one comes next
            if self._session_factory is not None:
                try:
                    await self._db_session.close()
                except Exception:
                    pass
                self._db_session = None

    async def _create_tables(self) -> None:
        if self._initialized:
            return
        tables = memory_tables()
        async with self._engine.begin() as conn:
            await conn.run_sync(tables.base.metadata.create_all)
        self._initialized = True

    def _where(self, table: Any) -> list[Any]:
        return [table.user_id == self.user_id, table.session_id == self.session_id]

    async def _select_msgs(
        self, session: AsyncSession, mark: str | None = None, exclude_mark: str | None = None
    ) -> list[Msg]:
        from sqlalchemy import select

        msg_t, mark_t = self.MessageTable, self.MessageMarkTable
        query = select(msg_t.msg).where(*self._where(msg_t))
        if mark is not None:
            having = select(mark_t.msg_id).where(*self._where(mark_t), mark_t.mark == mark)
            query = query.where(msg_t.msg_id.in_(having))
        if exclude_mark is not None:
            unwanted = select(mark_t.msg_id).where(
                *self._where(mark_t), mark_t.mark == exclude_mark
            )
            query = query.where(msg_t.msg_id.not_in(unwanted))
        rows = (await session.execute(query.order_by(msg_t.index))).scalars().all()
        return [Msg.from_dict(json.loads(raw)) for raw in rows]

    # ------------------------------------------------------------------ reads
    async def get_memory(
        self,
        mark: str | None = None,
        exclude_mark: str | None = None,
        prepend_summary: bool = True,
        **kwargs: Any,
    ) -> list[Msg]:
        """The messages in order; only those with ``mark``; none with ``exclude_mark``;
        preceded by the compressed summary unless ``prepend_summary=False``."""
        async with self._lock, self._guard("read the memory"):
            await self._create_tables()
            msgs = await self._select_msgs(self.session, mark, exclude_mark)
            await self.session.commit()  # end the read transaction: see other writers next
        return self._with_summary(msgs, prepend_summary)

    async def size(self) -> int:
        """Number of stored messages."""
        from sqlalchemy import func, select

        async with self._lock, self._guard("count the messages"):
            await self._create_tables()
            query = select(func.count()).where(*self._where(self.MessageTable))
            count = (await self.session.execute(query)).scalar_one()
            await self.session.commit()
        return int(count)

    async def _read_rows(self, fresh: bool) -> list[tuple[Msg, list[str]]]:
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
        from sqlalchemy.pool import NullPool

        own_engine = fresh and not _is_memory_sqlite(self._engine)
        engine = (
            create_async_engine(self._engine.url, poolclass=NullPool)
            if own_engine
            else self._engine
        )
        try:
            async with AsyncSession(engine) as session, self._guard("read the memory"):
                tables = memory_tables()
                async with engine.begin() as conn:
                    await conn.run_sync(tables.base.metadata.create_all)
                msgs = await self._select_msgs(session)
                mark_t = self.MessageMarkTable
                pairs = await session.execute(
                    select(mark_t.msg_id, mark_t.mark)
                    .where(*self._where(mark_t))
                    .order_by(mark_t.mark)
                )
                marks: dict[str, list[str]] = {}
                for msg_id, mark in pairs.all():
                    marks.setdefault(msg_id, []).append(mark)
        finally:
            if own_engine:
                await engine.dispose()
        return [(m, marks.get(m.id, [])) for m in msgs]

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
        from sqlalchemy import exc as sa_exc

        batch = as_msgs(memories)
        mark_list = as_marks(marks)
        if not batch:
            return
        for msg in batch:
            check_id("message id", msg.id)
        payloads = {
            m.id: encode_msg(m, owner="AsyncSQLAlchemyMemory", limit=self.max_message_bytes)
            for m in batch
        }
        async with self._lock:
            for attempt in range(RETRIES):
                try:
                    async with self._guard("add messages"):
                        await self._create_tables()
                        await self._insert(batch, payloads, mark_list, skip_duplicated)
                        await self.session.commit()
                    return
                except sa_exc.IntegrityError:
                    if attempt == RETRIES - 1:  # another writer kept taking our positions
                        raise
                    await asyncio.sleep(0.01 * (attempt + 1))

    async def _insert(
        self, batch: list[Msg], payloads: dict[str, str], marks: list[str], skip: bool
    ) -> None:
        from sqlalchemy import func, insert, select

        msg_t, mark_t = self.MessageTable, self.MessageMarkTable
        session = self.session
        ids = list(payloads)
        stored = set(
            (
                await session.execute(
                    select(msg_t.msg_id).where(*self._where(msg_t), msg_t.msg_id.in_(ids))
                )
            )
            .scalars()
            .all()
        )
        new: list[Msg] = []
        for msg in batch:
            if msg.id in stored or any(m.id == msg.id for m in new):
                if not skip:
                    raise ValueError(
                        f"AsyncSQLAlchemyMemory: message id {msg.id!r} is already stored"
                    )
                continue
            new.append(msg)
        if not new:
            return
        top = (
            await session.execute(select(func.max(msg_t.index)).where(*self._where(msg_t)))
        ).scalar_one()
        start = -1 if top is None else int(top)
        base = {"user_id": self.user_id, "session_id": self.session_id}
        rows = [
            {**base, "msg_id": m.id, "index": start + offset, "msg": payloads[m.id]}
            for offset, m in enumerate(new, start=1)
        ]
        await session.execute(insert(msg_t.__table__), rows)
        if marks:
            mark_rows = [{**base, "msg_id": m.id, "mark": mark} for m in new for mark in marks]
            await session.execute(insert(mark_t.__table__), mark_rows)

    async def delete(self, msg_ids: list[str], **kwargs: Any) -> int:
        """Remove the messages with these ids (one transaction); returns how many."""
        from sqlalchemy import delete

        if not msg_ids:
            return 0
        msg_t, mark_t = self.MessageTable, self.MessageMarkTable
        async with self._lock, self._guard("delete messages"):
            await self._create_tables()
            await self.session.execute(
                delete(mark_t).where(*self._where(mark_t), mark_t.msg_id.in_(msg_ids))
            )
            result = await self.session.execute(
                delete(msg_t).where(*self._where(msg_t), msg_t.msg_id.in_(msg_ids))
            )
            await self.session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    async def delete_by_mark(self, mark: str | list[str], *args: Any, **kwargs: Any) -> int:
        """Remove every message carrying one of ``mark``; returns how many."""
        from sqlalchemy import select

        wanted = as_marks(mark)
        mark_t = self.MessageMarkTable
        async with self._lock, self._guard("delete messages"):
            await self._create_tables()
            query = select(mark_t.msg_id).where(*self._where(mark_t), mark_t.mark.in_(wanted))
            ids = sorted(set((await self.session.execute(query)).scalars().all()))
            await self.session.commit()
        return await self.delete(ids)

    async def clear(self) -> None:
        """Remove every message of this user and session (the summary stays)."""
        from sqlalchemy import delete

        async with self._lock, self._guard("clear the memory"):
            await self._create_tables()
            for table in (self.MessageMarkTable, self.MessageTable):
                await self.session.execute(delete(table).where(*self._where(table)))
            await self.session.commit()

    async def update_messages_mark(
        self, new_mark: str | None, old_mark: str | None = None, msg_ids: list[str] | None = None
    ) -> int:
        """Replace ``old_mark`` by ``new_mark`` (None removes it) on the selected messages
        (those in ``msg_ids``, those carrying ``old_mark``); returns how many changed."""
        from sqlalchemy import delete, select

        msg_t, mark_t = self.MessageTable, self.MessageMarkTable
        async with self._lock, self._guard("update marks"):
            await self._create_tables()
            session = self.session
            query = select(msg_t.msg_id).where(*self._where(msg_t))
            if msg_ids is not None:
                query = query.where(msg_t.msg_id.in_(msg_ids))
            if old_mark is not None:
                having = select(mark_t.msg_id).where(*self._where(mark_t), mark_t.mark == old_mark)
                query = query.where(msg_t.msg_id.in_(having))
            ids = list((await session.execute(query)).scalars().all())
            if ids and old_mark is not None:
                await session.execute(
                    delete(mark_t).where(
                        *self._where(mark_t), mark_t.mark == old_mark, mark_t.msg_id.in_(ids)
                    )
                )
            if ids and new_mark is not None:
                have = select(mark_t.msg_id).where(
                    *self._where(mark_t), mark_t.mark == new_mark, mark_t.msg_id.in_(ids)
                )
                already = set((await session.execute(have)).scalars().all())
                for msg_id in ids:
                    if msg_id not in already:
                        session.add(
                            mark_t(
                                user_id=self.user_id,
                                session_id=self.session_id,
                                msg_id=msg_id,
                                mark=new_mark,
                            )
                        )
            await session.commit()
        return len(ids)

    async def close(self) -> None:
        """Close the database session (an engine passed in stays open: dispose it yourself)."""
        try:
            if self._db_session is not None and self._session_factory is not None:
                await self._db_session.close()
        finally:
            if self._session_factory is not None:
                self._db_session = None
            self._initialized = False

    async def __aenter__(self) -> AsyncSQLAlchemyMemory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
