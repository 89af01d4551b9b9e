"""Reading the OpenAI-style realtime protocol (OpenAI, and DashScope's Qwen Omni, which
follows it with its own event names)."""

from __future__ import annotations

import json
from typing import Any

from ..message import ToolUseBlock
from ..model._partial_json import parse_partial_object
from ._model_events import AudioFormat, ModelEvents

# our name for an event -> the server's ``type`` (the two vendors differ in a few)
OPENAI_NAMES = {
    "audio.delta": "response.output_audio.delta",
    "audio.done": "response.output_audio.done",
    "transcript.delta": "response.output_audio_transcript.delta",
    "transcript.done": "response.output_audio_transcript.done",
}
DASHSCOPE_NAMES = {
    "audio.delta": "response.audio.delta",
    "audio.done": "response.audio.done",
    "transcript.delta": "response.audio_transcript.delta",
    "transcript.done": "response.audio_transcript.done",
}


class OpenAIStyleParser:
    """Turns one server message into model events; keeps the current response id and the
    tool-call arguments streamed so far (mixed into the model classes)."""

    _names: dict[str, str]
    output_sample_rate: int
    _session_id: str

    def _init_parser(self) -> None:
        self._response_id = ""
        self._tool_args_accumulator: dict[str, str] = {}
        self._tool_names: dict[str, str] = {}
        kinds = {server: ours for ours, server in self._names.items()}
        self._kinds = kinds

    def _tool_use(self, data: dict[str, Any], arguments: dict[str, Any], raw: str) -> ToolUseBlock:
        call_id = data.get("call_id", "")
        name = data.get("name") or self._tool_names.get(call_id, "")
        return ToolUseBlock(type="tool_use", id=call_id, name=name, input=arguments, raw_input=raw)

    async def parse_api_message(
        self, message: str
    ) -> ModelEvents.EventBase | list[ModelEvents.EventBase] | None:
        data = json.loads(message)
        kind = data.get("type", "")
        kind = self._kinds.get(kind, kind)
        response_id = self._response_id
        item_id = data.get("item_id", "")
        if kind == "session.created":
            self._session_id = data.get("session", {}).get("id", "")
            return ModelEvents.ModelSessionCreatedEvent(session_id=self._session_id)
        if kind == "response.created":
            self._response_id = data.get("response", {}).get("id", "")
            return ModelEvents.ModelResponseCreatedEvent(response_id=self._response_id)
        if kind == "response.done":
            response = data.get("response", {})
            usage = response.get("usage") or {}
            self._response_id = ""
            return ModelEvents.ModelResponseDoneEvent(
                response_id=response.get("id", response_id),
                input_tokens=usage.get("input_tokens", 0),
                output_tokens=usage.get("output_tokens", 0),
            )
        if kind == "audio.delta":
            return ModelEvents.ModelResponseAudioDeltaEvent(
                response_id=response_id,
                item_id=item_id,
                delta=data.get("delta", ""),
                format=AudioFormat(type="audio/pcm", rate=self.output_sample_rate),
            )
        if kind == "audio.done":
            return ModelEvents.ModelResponseAudioDoneEvent(response_id=response_id, item_id=item_id)
        if kind == "transcript.delta":
            return ModelEvents.ModelResponseAudioTranscriptDeltaEvent(
                response_id=response_id, item_id=item_id, delta=data.get("delta", "")
            )
        if kind == "transcript.done":
            return ModelEvents.ModelResponseAudioTranscriptDoneEvent(
                response_id=response_id, item_id=item_id
            )
        return self._parse_other(kind, data, response_id, item_id)

    def _parse_other(
        self, kind: str, data: dict[str, Any], response_id: str, item_id: str
    ) -> ModelEvents.EventBase | None:
        if kind == "response.output_item.added":
            item = data.get("item") or {}
            if item.get("type") == "function_call":
                self._tool_names[item.get("call_id", "")] = item.get("name", "")
            return None
        if kind == "response.function_call_arguments.delta":
            call_id = data.get("call_id", "")
            raw = self._tool_args_accumulator.get(call_id, "") + data.get("delta", "")
            self._tool_args_accumulator[call_id] = raw
            return ModelEvents.ModelResponseToolUseDeltaEvent(
                response_id=response_id,
                item_id=item_id,
                tool_use=self._tool_use(data, parse_partial_object(raw), raw),
            )
        if kind == "response.function_call_arguments.done":
            call_id = data.get("call_id", "")
            raw = data.get("arguments") or self._tool_args_accumulator.get(call_id, "") or "{}"
            self._tool_args_accumulator.pop(call_id, None)
            tool_use = self._tool_use(data, json.loads(raw), raw)
            self._tool_names.pop(call_id, None)
            return ModelEvents.ModelResponseToolUseDoneEvent(
                response_id=response_id, item_id=item_id, tool_use=tool_use
            )
        if kind == "conversation.item.input_audio_transcription.delta":
            return ModelEvents.ModelInputTranscriptionDeltaEvent(
                item_id=item_id, delta=data.get("delta", "")
            )
        if kind == "conversation.item.input_audio_transcription.completed":
            return ModelEvents.ModelInputTranscriptionDoneEvent(
                item_id=item_id, transcript=data.get("transcript", "")
            )
        if kind == "input_audio_buffer.speech_started":
            return ModelEvents.ModelInputStartedEvent(
                item_id=item_id, audio_start_ms=data.get("audio_start_ms", 0)
            )
        if kind == "input_audio_buffer.speech_stopped":
            return ModelEvents.ModelInputDoneEvent(
                item_id=item_id, audio_end_ms=data.get("audio_end_ms", 0)
            )
        if kind == "error":
            error = data.get("error") or {}
            return ModelEvents.ModelErrorEvent(
                error_type=str(error.get("type", "error")),
                code=str(error.get("code", "")),
                message=str(error.get("message", "")),
            )
        return None
