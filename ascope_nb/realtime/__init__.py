"""Realtime speech models over WebSockets (AgentScope 1.x ``agentscope.realtime`` API).

Example:
    >>> from ascope_nb.realtime import ModelEvents
    >>> ModelEvents.ModelInputStartedEvent(item_id="i", audio_start_ms=0).audio_start_ms
    0
"""

from ._events import (
    ClientEvents,
    ClientEventType,
    ModelEvents,
    ModelEventType,
    ServerEvents,
    ServerEventType,
)

__all__ = [
    "ModelEventType",
    "ModelEvents",
    "ServerEventType",
    "ServerEvents",
    "ClientEventType",
    "ClientEvents",
]
