"""Sessions: save and load the state of agents (AgentScope 1.x ``JSONSession``, ``RedisSession``)."""

from ._json_session import JSONSession, SessionBase
from ._redis_session import RedisSession
from ._sql_session import AsyncSQLAlchemySession
from ._tablestore_session import TablestoreSession

__all__ = [
    "JSONSession",
    "SessionBase",
    "RedisSession",
    "AsyncSQLAlchemySession",
    "TablestoreSession",
]
