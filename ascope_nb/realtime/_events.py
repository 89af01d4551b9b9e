"""The three realtime event vocabularies in one import."""

from ._client_events import ClientEvents, ClientEventType
from ._model_events import AudioFormat, ModelEvents, ModelEventType
from ._server_events import ServerEvents, ServerEventType

__all__ = [
    "AudioFormat",
    "ClientEventType",
    "ClientEvents",
    "ModelEventType",
    "ModelEvents",
    "ServerEventType",
    "ServerEvents",
]
