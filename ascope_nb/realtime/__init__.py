"""Realtime speech models over WebSockets (AgentScope 1.x ``agentscope.realtime`` API).

Example:
    >>> from ascope_nb.realtime import ModelEvents
    >>> ModelEvents.ModelInputStartedEvent(item_id="i", audio_start_ms=0).audio_start_ms
    0
"""

from ._base import RealtimeModelBase
from ._dashscope import DashScopeRealtimeModel
from ._events import (
    ClientEvents,
    ClientEventType,
    ModelEvents,
    ModelEventType,
    ServerEvents,
    ServerEventType,
)
from ._gemini import GeminiRealtimeModel
from ._openai import OpenAIRealtimeModel

__all__ = [
    "ModelEventType",
    "ModelEvents",
    "ServerEventType",
    "ServerEvents",
    "ClientEventType",
    "ClientEvents",
    "RealtimeModelBase",
    "DashScopeRealtimeModel",
    "OpenAIRealtimeModel",
    "GeminiRealtimeModel",
]
