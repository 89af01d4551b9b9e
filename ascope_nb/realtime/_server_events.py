"""``ServerEvents``: what a realtime agent tells its front ends. Each ``Model*Event`` has an
``Agent*Event`` twin with the same fields plus ``agent_id`` / ``agent_name``; the twins are
derived from the model events so the two vocabularies cannot drift apart."""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, create_model

from ..message import ToolResultBlock
from ._model_events import ModelEvents, ModelEventType


class ServerEventType(str, Enum):
    """The ``type`` of each server event."""

    SERVER_SESSION_CREATED = "server_session_created"
    SERVER_SESSION_UPDATED = "server_session_updated"
    SERVER_SESSION_ENDED = "server_session_ended"
    AGENT_READY = "agent_ready"
    AGENT_ENDED = "agent_ended"
    AGENT_RESPONSE_CREATED = "agent_response_created"
    AGENT_RESPONSE_DONE = "agent_response_done"
    AGENT_RESPONSE_AUDIO_DELTA = "agent_response_audio_delta"
    AGENT_RESPONSE_AUDIO_DONE = "agent_response_audio_done"
    AGENT_RESPONSE_AUDIO_TRANSCRIPT_DELTA = "agent_response_audio_transcript_delta"
    AGENT_RESPONSE_AUDIO_TRANSCRIPT_DONE = "agent_response_audio_transcript_done"
    AGENT_RESPONSE_TOOL_USE_DELTA = "agent_response_tool_use_delta"
    AGENT_RESPONSE_TOOL_USE_DONE = "agent_response_tool_use_done"
    AGENT_RESPONSE_TOOL_RESULT = "agent_response_tool_result"
    AGENT_INPUT_TRANSCRIPTION_DELTA = "agent_input_transcription_delta"
    AGENT_INPUT_TRANSCRIPTION_DONE = "agent_input_transcription_done"
    AGENT_INPUT_STARTED = "agent_input_started"
    AGENT_INPUT_DONE = "agent_input_done"
    AGENT_ERROR = "agent_error"


S = ServerEventType

# model events that have an agent twin (session and websocket events stay with the model)
_TWINNED = [
    "ModelResponseCreatedEvent",
    "ModelResponseDoneEvent",
    "ModelResponseAudioDeltaEvent",
    "ModelResponseAudioDoneEvent",
    "ModelResponseAudioTranscriptDeltaEvent",
    "ModelResponseAudioTranscriptDoneEvent",
    "ModelResponseToolUseDeltaEvent",
    "ModelResponseToolUseDoneEvent",
    "ModelInputTranscriptionDeltaEvent",
    "ModelInputTranscriptionDoneEvent",
    "ModelInputStartedEvent",
    "ModelInputDoneEvent",
    "ModelErrorEvent",
]


class ServerEvents:
    """Namespace of server event classes; ``from_model_event`` turns a model event into the
    agent event a front end receives.

    Example:
        >>> e = ModelEvents.ModelResponseCreatedEvent(response_id="r1")
        >>> ServerEvents.from_model_event(e, agent_id="a", agent_name="Friday").type
        <ServerEventType.AGENT_RESPONSE_CREATED: 'agent_response_created'>
    """

    class EventBase(BaseModel):
        """Base of every server event."""

    class ServerSessionCreatedEvent(EventBase):
        session_id: str
        type: Literal[S.SERVER_SESSION_CREATED] = S.SERVER_SESSION_CREATED

    class ServerSessionUpdatedEvent(EventBase):
        session_id: str
        type: Literal[S.SERVER_SESSION_UPDATED] = S.SERVER_SESSION_UPDATED

    class ServerSessionEndedEvent(EventBase):
        session_id: str
        type: Literal[S.SERVER_SESSION_ENDED] = S.SERVER_SESSION_ENDED

    class AgentReadyEvent(EventBase):
        agent_id: str
        agent_name: str
        type: Literal[S.AGENT_READY] = S.AGENT_READY

    class AgentEndedEvent(EventBase):
        agent_id: str
        agent_name: str
        type: Literal[S.AGENT_ENDED] = S.AGENT_ENDED

    class AgentResponseToolResultEvent(EventBase):
        tool_result: ToolResultBlock
        agent_id: str
        agent_name: str
        type: Literal[S.AGENT_RESPONSE_TOOL_RESULT] = S.AGENT_RESPONSE_TOOL_RESULT

    # the Agent* twins of the model events are added below (see _twin)
    AgentResponseCreatedEvent: Any
    AgentResponseDoneEvent: Any
    AgentResponseAudioDeltaEvent: Any
    AgentResponseAudioDoneEvent: Any
    AgentResponseAudioTranscriptDeltaEvent: Any
    AgentResponseAudioTranscriptDoneEvent: Any
    AgentResponseToolUseDeltaEvent: Any
    AgentResponseToolUseDoneEvent: Any
    AgentInputTranscriptionDeltaEvent: Any
    AgentInputTranscriptionDoneEvent: Any
    AgentInputStartedEvent: Any
    AgentInputDoneEvent: Any
    AgentErrorEvent: Any

    @classmethod
    def from_model_event(
        cls, model_event: ModelEvents.EventBase, agent_id: str, agent_name: str
    ) -> EventBase:
        """The agent event for ``model_event``, stamped with the agent's id and name."""
        name = type(model_event).__name__.replace("Model", "Agent", 1)
        target = getattr(cls, name, None)
        if target is None:
            raise ValueError(f"{type(model_event).__name__} has no agent event")
        data = model_event.model_dump()
        data.pop("type", None)
        try:
            return target.model_validate({**data, "agent_id": agent_id, "agent_name": agent_name})
        except Exception as exc:
            raise RuntimeError(
                f"cannot turn {type(model_event).__name__} into {name}: {exc}"
            ) from exc


def _twin(model_name: str) -> type[ServerEvents.EventBase]:
    source: type[BaseModel] = getattr(ModelEvents, model_name)
    kind = S(
        ModelEventType(source.model_fields["type"].default).value.replace("model_", "agent_", 1)
    )
    fields: dict[str, Any] = {
        key: (info.annotation, info) for key, info in source.model_fields.items() if key != "type"
    }
    fields["agent_id"] = (str, ...)
    fields["agent_name"] = (str, ...)
    fields["type"] = (Literal[kind], kind)  # type: ignore[valid-type]
    name = model_name.replace("Model", "Agent", 1)
    twin = create_model(name, __base__=ServerEvents.EventBase, **fields)
    twin.__qualname__ = f"ServerEvents.{name}"
    return twin


for _name in _TWINNED:
    setattr(ServerEvents, _name.replace("Model", "Agent", 1), _twin(_name))
