"""``ClientEvents``: what a front end (browser, notebook) sends to a realtime agent."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel

from ..message import AudioBlock, ImageBlock, TextBlock, VideoBlock
from ._model_events import AudioFormat


class ClientEventType(str, Enum):
    """The ``type`` of each client event."""

    CLIENT_SESSION_CREATE = "client_session_create"
    CLIENT_SESSION_END = "client_session_end"
    CLIENT_RESPONSE_CREATE = "client_response_create"
    CLIENT_RESPONSE_CANCEL = "client_response_cancel"
    CLIENT_IMAGE_APPEND = "client_image_append"
    CLIENT_TEXT_APPEND = "client_text_append"
    CLIENT_AUDIO_APPEND = "client_audio_append"
    CLIENT_AUDIO_COMMIT = "client_audio_commit"
    CLIENT_TOOL_RESULT = "client_tool_result"


C = ClientEventType


class ClientEvents:
    """Namespace of client event classes; ``from_json`` picks the class by ``type``.

    Example:
        >>> ClientEvents.from_json({"type": "client_text_append", "session_id": "s", "text": "hi"}).text
        'hi'
    """

    class EventBase(BaseModel):
        """Base of every client event."""

    class ClientSessionCreateEvent(EventBase):
        type: ClientEventType = C.CLIENT_SESSION_CREATE
        config: dict

    class ClientSessionEndEvent(EventBase):
        type: ClientEventType = C.CLIENT_SESSION_END
        session_id: str

    class ClientResponseCreateEvent(EventBase):
        type: ClientEventType = C.CLIENT_RESPONSE_CREATE
        session_id: str

    class ClientResponseCancelEvent(EventBase):
        type: ClientEventType = C.CLIENT_RESPONSE_CANCEL
        session_id: str

    class ClientImageAppendEvent(EventBase):
        type: ClientEventType = C.CLIENT_IMAGE_APPEND
        session_id: str
        image: str
        """Base64 image."""
        format: dict

    class ClientTextAppendEvent(EventBase):
        type: ClientEventType = C.CLIENT_TEXT_APPEND
        session_id: str
        text: str

    class ClientAudioAppendEvent(EventBase):
        type: ClientEventType = C.CLIENT_AUDIO_APPEND
        session_id: str
        audio: str
        """Base64 audio."""
        format: AudioFormat

    class ClientAudioCommitEvent(EventBase):
        type: ClientEventType = C.CLIENT_AUDIO_COMMIT
        session_id: str

    class ClientToolResultEvent(EventBase):
        type: ClientEventType = C.CLIENT_TOOL_RESULT
        session_id: str
        id: str
        name: str
        output: str | list[TextBlock | ImageBlock | AudioBlock | VideoBlock]

    MAPPING: dict[ClientEventType, type[EventBase]] = {}

    @classmethod
    def from_json(cls, json_data: Any) -> EventBase:
        """The event for a decoded JSON object; ValueError for anything else."""
        if not isinstance(json_data, dict) or "type" not in json_data:
            raise ValueError(f"Invalid JSON data for ClientEvent: {json_data!r:.200}")
        try:
            kind = ClientEventType(json_data["type"])
        except ValueError:
            raise ValueError(f"Unknown ClientEvent type: {json_data['type']!r}") from None
        return cls.MAPPING[kind](**json_data)


ClientEvents.MAPPING.update(
    {
        C.CLIENT_SESSION_CREATE: ClientEvents.ClientSessionCreateEvent,
        C.CLIENT_SESSION_END: ClientEvents.ClientSessionEndEvent,
        C.CLIENT_RESPONSE_CREATE: ClientEvents.ClientResponseCreateEvent,
        C.CLIENT_RESPONSE_CANCEL: ClientEvents.ClientResponseCancelEvent,
        C.CLIENT_IMAGE_APPEND: ClientEvents.ClientImageAppendEvent,
        C.CLIENT_TEXT_APPEND: ClientEvents.ClientTextAppendEvent,
        C.CLIENT_AUDIO_APPEND: ClientEvents.ClientAudioAppendEvent,
        C.CLIENT_AUDIO_COMMIT: ClientEvents.ClientAudioCommitEvent,
        C.CLIENT_TOOL_RESULT: ClientEvents.ClientToolResultEvent,
    }
)
