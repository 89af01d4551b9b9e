"""``AsyncSQLAlchemySession``: save and load agents' state in a SQL database.

One row per (user, session) in ``ascope_session_state`` holding the JSON of every module's
``state_dict()``; a save replaces the row in one transaction (whole or absent).
(AgentScope 1.0.21 has JSON, Redis and Tablestore sessions; this is the SQL one the notebook's
``%session save NAME --to sqlite:///...`` uses.)

Example:
    >>> from sqlalchemy.ext.asyncio import create_async_engine  # doctest: +SKIP
    >>> session = AsyncSQLAlchemySession(create_async_engine("sqlite+aiosqlite:///s.db"))  # doctest: +SKIP
    >>> await session.save_session_state("s1", friday=agent)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from ..memory._sqlalchemy_tables import INSTALL_HINT
from ..memory._stored import MemoryBackendError, check_id
from ..module import StateModule
from ._json_session import SessionBase

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@cache
def state_table() -> Any:
    """The ``ascope_session_state`` table (SQLAlchemy Core)."""
    try:
        from sqlalchemy import Column, Float, MetaData, String, Table, Text
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return Table(
        "ascope_session_state",
        MetaData(),
        Column("user_id", String(255), primary_key=True),
        Column("session_id", String(255), primary_key=True),
        Column("state", Text, nullable=False),
        Column("updated_at", Float, nullable=False),
    )


class AsyncSQLAlchemySession(SessionBase):
    """Saves agents (and any ``StateModule``) to a SQL database through an async engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._address = engine.url.render_as_string(hide_password=True)
        self._ready = False

    async def _run(self, operation: str, work: Any) -> Any:
        from sqlalchemy import exc as sa_exc

        table = state_table()
        try:
            async with self._engine.begin() as conn:
                if not self._ready:
                    await conn.run_sync(table.metadata.create_all)
                    self._ready = True
                return await work(conn, table)
        except (sa_exc.OperationalError, sa_exc.InterfaceError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise MemoryBackendError(
                f"AsyncSQLAlchemySession at {self._address}: cannot {operation}: {reason}"
            ) from None

    async def save_session_state(
        self, session_id: str, user_id: str = "default_user", **state_modules: StateModule
    ) -> None:
        """Save each keyword's ``state_dict()`` under its keyword, replacing the old row."""
        from sqlalchemy import delete, insert

        user = check_id("user_id", user_id or "default_user")
        sid = check_id("session_id", session_id)
        state = json.dumps(
            {name: module.state_dict() for name, module in state_modules.items()},
            ensure_ascii=False,
        )

        async def work(conn: Any, table: Any) -> None:
            where = (table.c.user_id == user) & (table.c.session_id == sid)
            await conn.execute(delete(table).where(where))
            await conn.execute(
                insert(table).values(
                    user_id=user, session_id=sid, state=state, updated_at=time.time()
                )
            )

        await self._run("save the session", work)

    async def load_session_state(
        self,
        session_id: str,
        user_id: str = "default_user",
        allow_not_exist: bool = True,
        **state_modules: StateModule,
    ) -> None:
        """Restore each keyword's module from the saved row."""
        from sqlalchemy import select

        user = check_id("user_id", user_id or "default_user")
        sid = check_id("session_id", session_id)

        async def work(conn: Any, table: Any) -> Any:
            query = select(table.c.state).where(
                (table.c.user_id == user) & (table.c.session_id == sid)
            )
            return (await conn.execute(query)).scalar_one_or_none()

        raw = await self._run("load the session", work)
        if raw is None:
            if allow_not_exist:
                return
            raise ValueError(f"AsyncSQLAlchemySession: no saved session {sid!r} for {user!r}")
        states = json.loads(raw)
        for name, module in state_modules.items():
            if name in states:
                module.load_state_dict(states[name])

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the caller."""
