"""State modules: objects whose state can be saved and restored (AgentScope 1.x ``StateModule``)."""

from ._state_module import StateModule

__all__ = ["StateModule"]
