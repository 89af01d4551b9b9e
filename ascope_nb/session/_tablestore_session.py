"""``TablestoreSession``: save and load agents' state in Alibaba Cloud Tablestore (AgentScope
1.0.21's API), through ``tablestore-for-agent-memory``'s ``AsyncMemoryStore``.

The JSON of every module's ``state_dict()`` is kept in the session row's metadata under
``__state__``; one ``update_session`` writes it whole.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ..module import StateModule
from ._json_session import SessionBase

logger = logging.getLogger("as")

INSTALL_HINT = (
    "TablestoreSession needs tablestore and tablestore-for-agent-memory: "
    "pip install 'ascope-nb[tablestore]'"
)
STATE_KEY = "__state__"


@dataclass
class _Session:
    """The fields of ``tablestore_for_agent_memory``'s ``Session`` (when the SDK is absent)."""

    user_id: str
    session_id: str
    update_time: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def _session_class() -> Any:
    try:
        from tablestore_for_agent_memory.base.base_memory_store import Session
    except ImportError:
        return _Session
    return Session


def tablestore_client(
    end_point: str,
    instance_name: str,
    access_key_id: str,
    access_key_secret: str,
    sts_token: str | None,
    **kwargs: Any,
) -> Any:
    """A ``tablestore.AsyncOTSClient`` with write retries (ImportError naming the extra)."""
    try:
        import tablestore
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return tablestore.AsyncOTSClient(
        end_point,
        access_key_id,
        access_key_secret,
        instance_name,
        sts_token=sts_token,
        retry_policy=tablestore.WriteRetryPolicy(),
        **kwargs,
    )


class TablestoreSession(SessionBase):
    """Saves agents (and any ``StateModule``) to a Tablestore session table.

    Example:
        >>> session = TablestoreSession("https://x.cn-hangzhou.ots.aliyuncs.com", "inst",
        ...                             "AK", "SK")  # doctest: +SKIP
        >>> await session.save_session_state("s1", user_id="u1", friday=agent)  # doctest: +SKIP
    """

    def __init__(
        self,
        end_point: str,
        instance_name: str,
        access_key_id: str,
        access_key_secret: str,
        sts_token: str | None = None,
        session_table_name: str = "agentscope_session",
        message_table_name: str = "agentscope_message",
        **kwargs: Any,
    ) -> None:
        self._tablestore_client = tablestore_client(
            end_point, instance_name, access_key_id, access_key_secret, sts_token, **kwargs
        )
        self._session_table_name = session_table_name
        self._message_table_name = message_table_name
        self._memory_store: Any = None
        self._memory_store_kwargs: dict[str, Any] = {}
        self._initialized = False

    async def _ensure_initialized(self) -> None:
        """Open the memory store and create its tables (once)."""
        if self._initialized and self._memory_store is not None:
            return
        try:
            from tablestore_for_agent_memory.memory.async_memory_store import AsyncMemoryStore
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        store = AsyncMemoryStore(
            tablestore_client=self._tablestore_client,
            session_table_name=self._session_table_name,
            message_table_name=self._message_table_name,
            **self._memory_store_kwargs,
        )
        await store.init_table()
        self._memory_store = store
        self._initialized = True

    async def save_session_state(
        self, session_id: str, user_id: str = "default", **state_modules: StateModule
    ) -> None:
        """Save each keyword's ``state_dict()`` under its keyword (one ``update_session``)."""
        user_id = user_id or "default"
        state = json.dumps(
            {name: module.state_dict() for name, module in state_modules.items()},
            ensure_ascii=False,
        )
        await self._ensure_initialized()
        await self._memory_store.update_session(
            _session_class()(user_id=user_id, session_id=session_id, metadata={STATE_KEY: state})
        )
        logger.info("Saved session state to Tablestore for session %r.", session_id)

    async def load_session_state(
        self,
        session_id: str,
        user_id: str = "default",
        allow_not_exist: bool = True,
        **state_modules: StateModule,
    ) -> None:
        """Restore each keyword's module from the saved session."""
        user_id = user_id or "default"
        await self._ensure_initialized()
        row = await self._memory_store.get_session(user_id=user_id, session_id=session_id)
        state = (getattr(row, "metadata", None) or {}).get(STATE_KEY) if row else None
        if state is None:
            if allow_not_exist:
                logger.info(
                    "Session %r of user %r does not exist in Tablestore; nothing loaded.",
                    session_id,
                    user_id,
                )
                return
            raise ValueError(
                f"TablestoreSession: session {session_id!r} of user {user_id!r} does not exist"
            )
        states = json.loads(state)
        for name, module in state_modules.items():
            if name in states:
                module.load_state_dict(states[name])
        logger.info("Loaded session state from Tablestore for session %r.", session_id)

    async def close(self) -> None:
        """Close the store and forget it (a later call opens a new one)."""
        if self._memory_store is not None:
            await self._memory_store.close()
        self._memory_store = None
        self._initialized = False

    async def __aenter__(self) -> TablestoreSession:
        await self._ensure_initialized()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
