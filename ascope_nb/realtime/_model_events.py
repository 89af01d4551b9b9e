"""``ModelEvents``: what a realtime model's server said, in one vendor-neutral vocabulary."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..message import ToolUseBlock


class AudioFormat(BaseModel):
    """``{"type": "audio/pcm", "rate": 24000}`` (extra keys kept)."""

    model_config = ConfigDict(extra="allow")
    type: str
    rate: int


class ModelEventType(str, Enum):
    """The ``type`` of each model event."""

    MODEL_SESSION_CREATED = "model_session_created"
    MODEL_SESSION_ENDED = "model_session_ended"
    MODEL_RESPONSE_CREATED = "model_response_created"
    MODEL_RESPONSE_DONE = "model_response_done"
    MODEL_RESPONSE_AUDIO_DELTA = "model_response_audio_delta"
    MODEL_RESPONSE_AUDIO_DONE = "model_response_audio_done"
    MODEL_RESPONSE_AUDIO_TRANSCRIPT_DELTA = "model_response_audio_transcript_delta"
    MODEL_RESPONSE_AUDIO_TRANSCRIPT_DONE = "model_response_audio_transcript_done"
    MODEL_RESPONSE_TOOL_USE_DELTA = "model_response_tool_use_delta"
    MODEL_RESPONSE_TOOL_USE_DONE = "model_response_tool_use_done"
    MODEL_INPUT_TRANSCRIPTION_DELTA = "model_input_transcription_delta"
    MODEL_INPUT_TRANSCRIPTION_DONE = "model_input_transcription_done"
    MODEL_INPUT_STARTED = "model_input_started"
    MODEL_INPUT_DONE = "model_input_done"
    MODEL_ERROR = "model_error"
    MODEL_WEBSOCKET_CONNECT = "model_websocket_connect"
    MODEL_WEBSOCKET_DISCONNECT = "model_websocket_disconnect"


T = ModelEventType


class ModelEvents:
    """Namespace of model event classes (pydantic models).

    Example:
        >>> ModelEvents.ModelResponseCreatedEvent(response_id="r1").type
        <ModelEventType.MODEL_RESPONSE_CREATED: 'model_response_created'>
    """

    class EventBase(BaseModel):
        """Base of every model event."""

    class ModelSessionCreatedEvent(EventBase):
        session_id: str
        type: Literal[T.MODEL_SESSION_CREATED] = T.MODEL_SESSION_CREATED

    class ModelSessionEndedEvent(EventBase):
        session_id: str
        reason: str
        type: Literal[T.MODEL_SESSION_ENDED] = T.MODEL_SESSION_ENDED

    class ModelResponseCreatedEvent(EventBase):
        response_id: str
        type: Literal[T.MODEL_RESPONSE_CREATED] = T.MODEL_RESPONSE_CREATED

    class ModelResponseDoneEvent(EventBase):
        response_id: str
        input_tokens: int
        output_tokens: int
        metadata: dict[str, str] = {}
        type: Literal[T.MODEL_RESPONSE_DONE] = T.MODEL_RESPONSE_DONE

    class ModelResponseAudioDeltaEvent(EventBase):
        response_id: str
        item_id: str
        delta: str
        """Base64 audio."""
        format: AudioFormat
        type: Literal[T.MODEL_RESPONSE_AUDIO_DELTA] = T.MODEL_RESPONSE_AUDIO_DELTA

    class ModelResponseAudioDoneEvent(EventBase):
        response_id: str
        item_id: str
        type: Literal[T.MODEL_RESPONSE_AUDIO_DONE] = T.MODEL_RESPONSE_AUDIO_DONE

    class ModelResponseAudioTranscriptDeltaEvent(EventBase):
        response_id: str
        item_id: str
        delta: str
        type: Literal[T.MODEL_RESPONSE_AUDIO_TRANSCRIPT_DELTA] = (
            T.MODEL_RESPONSE_AUDIO_TRANSCRIPT_DELTA
        )

    class ModelResponseAudioTranscriptDoneEvent(EventBase):
        response_id: str
        item_id: str
        type: Literal[T.MODEL_RESPONSE_AUDIO_TRANSCRIPT_DONE] = (
            T.MODEL_RESPONSE_AUDIO_TRANSCRIPT_DONE
        )

    class ModelResponseToolUseDeltaEvent(EventBase):
        response_id: str
        item_id: str
        tool_use: ToolUseBlock
        type: Literal[T.MODEL_RESPONSE_TOOL_USE_DELTA] = T.MODEL_RESPONSE_TOOL_USE_DELTA

    class ModelResponseToolUseDoneEvent(EventBase):
        response_id: str
        item_id: str
        tool_use: ToolUseBlock
        type: Literal[T.MODEL_RESPONSE_TOOL_USE_DONE] = T.MODEL_RESPONSE_TOOL_USE_DONE

    class ModelInputTranscriptionDeltaEvent(EventBase):
        item_id: str
        delta: str
        type: Literal[T.MODEL_INPUT_TRANSCRIPTION_DELTA] = T.MODEL_INPUT_TRANSCRIPTION_DELTA

    class ModelInputTranscriptionDoneEvent(EventBase):
        transcript: str
        item_id: str
        input_tokens: int | None = None
        output_tokens: int | None = None
        type: Literal[T.MODEL_INPUT_TRANSCRIPTION_DONE] = T.MODEL_INPUT_TRANSCRIPTION_DONE

    class ModelInputStartedEvent(EventBase):
        item_id: str
        audio_start_ms: int
        type: Literal[T.MODEL_INPUT_STARTED] = T.MODEL_INPUT_STARTED

    class ModelInputDoneEvent(EventBase):
        item_id: str
        audio_end_ms: int
        type: Literal[T.MODEL_INPUT_DONE] = T.MODEL_INPUT_DONE

    class ModelErrorEvent(EventBase):
        error_type: str
        code: str
        message: str
        type: Literal[T.MODEL_ERROR] = T.MODEL_ERROR

    class WebsocketConnectEvent(EventBase):
        type: Literal[T.MODEL_WEBSOCKET_CONNECT] = T.MODEL_WEBSOCKET_CONNECT

    class WebsocketDisconnectEvent(EventBase):
        type: Literal[T.MODEL_WEBSOCKET_DISCONNECT] = T.MODEL_WEBSOCKET_DISCONNECT
