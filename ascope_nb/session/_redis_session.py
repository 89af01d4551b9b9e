"""``RedisSession``: save and load agents' state in Redis (AgentScope 1.0.21's API).

One key per user and session, ``user_id:U:session:S:state``, holding the JSON of every
module's ``state_dict()``; one ``SET`` writes it whole.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from ..memory._redis import backend_errors, import_redis, key_part, pool_address
from ..memory._stored import check_id
from ..module import StateModule
from ._json_session import SessionBase

if TYPE_CHECKING:
    from redis.asyncio import ConnectionPool, Redis

logger = logging.getLogger("as")


class RedisSession(SessionBase):
    """Saves agents (and any ``StateModule``) to Redis; ``key_ttl`` is a sliding expiry.

    Example:
        >>> session = RedisSession(host="127.0.0.1", port=6379)  # doctest: +SKIP
        >>> await session.save_session_state("s1", friday=agent)  # doctest: +SKIP
        >>> await session.load_session_state("s1", friday=agent)  # doctest: +SKIP
    """

    SESSION_KEY = "user_id:{user_id}:session:{session_id}:state"

    def __init__(
        self,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        password: str | None = None,
        connection_pool: ConnectionPool | None = None,
        key_ttl: int | None = None,
        key_prefix: str = "",
        **kwargs: Any,
    ) -> None:
        redis_asyncio = import_redis()
        self.key_ttl = key_ttl
        self.key_prefix = key_prefix or ""
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

    def get_client(self) -> Redis:
        """The ``redis.asyncio.Redis`` client."""
        return self._client

    def _key(self, session_id: str, user_id: str) -> str:
        check_id("session_id", session_id, max_len=4096)
        check_id("user_id", user_id, max_len=4096)
        return self.key_prefix + self.SESSION_KEY.format(
            user_id=key_part(user_id), session_id=key_part(session_id)
        )

    async def save_session_state(
        self, session_id: str, user_id: str = "default_user", **state_modules: StateModule
    ) -> None:
        """Save each keyword's ``state_dict()`` under its keyword, in one ``SET``."""
        key = self._key(session_id, user_id or "default_user")
        value = json.dumps(
            {name: module.state_dict() for name, module in state_modules.items()},
            ensure_ascii=False,
        )
        async with backend_errors("RedisSession", self._address, "save the session"):
            await self._client.set(key, value, ex=self.key_ttl)
        logger.info("Saved session state to redis key %s.", key)

    async def load_session_state(
        self,
        session_id: str,
        user_id: str = "default_user",
        allow_not_exist: bool = True,
        **state_modules: StateModule,
    ) -> None:
        """Restore each keyword's module from the saved session (refreshing the TTL)."""
        key = self._key(session_id, user_id or "default_user")
        async with backend_errors("RedisSession", self._address, "load the session"):
            if self.key_ttl is not None:
                data = await self._client.getex(key, ex=self.key_ttl)
            else:
                data = await self._client.get(key)
        if data is None:
            if allow_not_exist:
                logger.info("Session key %s does not exist in Redis; nothing loaded.", key)
                return
            raise ValueError(f"RedisSession: no saved session at redis key {key!r}")
        if isinstance(data, (bytes, bytearray)):
            data = data.decode("utf-8")
        states = json.loads(data)
        for name, module in state_modules.items():
            if name in states:
                module.load_state_dict(states[name])
        logger.info("Loaded session state from redis key %s.", key)

    async def close(self) -> None:
        """Close the client's connections."""
        await self._client.aclose()

    async def __aenter__(self) -> RedisSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
