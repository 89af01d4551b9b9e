"""Agents (AgentScope 1.x compatible): AgentBase, ReActAgent, UserAgent and input methods."""

from ._a2a_agent import A2AAgent
from ._base import AgentBase
from ._control import AgentControl, ApprovalDecision
from ._printer import ConsolePrinter
from ._react import ReActAgent
from ._user import UserAgent
from ._user_input import ScriptedUserInput, TerminalUserInput, UserInputBase, UserInputData

__all__ = [
    "AgentBase",
    "ReActAgent",
    "UserAgent",
    "UserInputBase",
    "UserInputData",
    "TerminalUserInput",
    "ScriptedUserInput",
    "AgentControl",
    "ApprovalDecision",
    "ConsolePrinter",
    "A2AAgent",
    "RealtimeAgent",
]


def __getattr__(name: str) -> object:
    if name == "RealtimeAgent":  # imported when used: it loads the realtime event models
        from ._realtime import RealtimeAgent

        return RealtimeAgent
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
