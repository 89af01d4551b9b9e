"""Sessions: save and load the state of agents (AgentScope 1.x ``JSONSession``)."""

from ._json_session import JSONSession, SessionBase

__all__ = ["JSONSession", "SessionBase"]
