"""``GeminiRealtimeModel``: Gemini Live (BidiGenerateContent) over a WebSocket."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..message import AudioBlock, ImageBlock, TextBlock, ToolResultBlock, ToolUseBlock
from ..tts._keys import require_key
from ._base import RealtimeModelBase, fetch_url_as_base64, tool_output_text
from ._model_events import AudioFormat, ModelEvents

_get_bytes_from_web_url = fetch_url_as_base64

_LIVE_URL = (
    "wss://generativelanguage.googleapis.com/ws/"
    "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
)


def _audio_format(mime_type: str) -> AudioFormat:
    """``audio/pcm;rate=24000`` -> AudioFormat(type="audio/pcm", rate=24000)."""
    kind, _, params = mime_type.partition(";")
    rate = 24000
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key == "rate" and value.isdigit():
            rate = int(value)
    return AudioFormat(type=kind.strip() or "audio/pcm", rate=rate)


class GeminiRealtimeModel(RealtimeModelBase):
    """Speech to speech with Gemini Live native-audio models (16 kHz PCM in, 24 kHz out).
    The key travels in the ``x-goog-api-key`` header, never in the URL.

    Example:
        >>> GeminiRealtimeModel(model_name="gemini-2.5-flash-native-audio-preview", api_key="k").voice
        'Puck'
    """

    support_input_modalities = ["audio", "image", "text", "tool_result"]
    input_sample_rate = 16000
    output_sample_rate = 24000

    def __init__(
        self,
        model_name: str,
        api_key: str,
        voice: str = "Puck",
        enable_input_audio_transcription: bool = True,
        *,
        base_url: str = _LIVE_URL,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_name)
        self._set_voice_options(voice, enable_input_audio_transcription, generate_kwargs)
        self.websocket_url = base_url
        api_key = require_key(api_key, env="GEMINI_API_KEY", who=type(self).__name__)
        self.websocket_headers = {"x-goog-api-key": api_key}
        self._response_id: str | None = None

    def _build_session_config(
        self, instructions: str, tools: list[dict] | None, **kwargs: Any
    ) -> dict:
        speech = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": self.voice}}}
        setup: dict[str, Any] = {
            "model": f"models/{self.model_name}",
            "generationConfig": {
                "responseModalities": ["AUDIO"],
                "speechConfig": speech,
                **self.generate_kwargs,
            },
            "systemInstruction": {"parts": [{"text": instructions}]},
            "outputAudioTranscription": {},
            **kwargs,
        }
        if self.enable_input_audio_transcription:
            setup["inputAudioTranscription"] = {}
        if tools:
            declarations = [t.get("function", t) for t in tools]
            setup["tools"] = [{"functionDeclarations": declarations}]
        return {"setup": setup}

    def _current_response(self) -> str:
        if self._response_id is None:
            self._response_id = f"resp_{uuid.uuid4().hex[:12]}"
        return self._response_id

    async def parse_api_message(
        self, message: str
    ) -> ModelEvents.EventBase | list[ModelEvents.EventBase] | None:
        data = json.loads(message)
        events: list[ModelEvents.EventBase] = []
        if "setupComplete" in data:
            self._session_id = "gemini_session"
            events.append(ModelEvents.ModelSessionCreatedEvent(session_id=self._session_id))
        if "serverContent" in data:
            events += self._server_content(data["serverContent"])
        if "toolCall" in data:
            calls = data["toolCall"].get("functionCalls", [])
            response_id = self._current_response()
            tool_events: list[ModelEvents.EventBase] = [
                ModelEvents.ModelResponseToolUseDoneEvent(
                    response_id=response_id,
                    item_id=call.get("id", ""),
                    tool_use=ToolUseBlock(
                        type="tool_use",
                        id=call.get("id", ""),
                        name=call.get("name", ""),
                        input=call.get("args") or {},
                        raw_input=json.dumps(call.get("args") or {}),
                    ),
                )
                for call in calls
            ]
            return tool_events
        if "error" in data:
            error = data["error"]
            events.append(
                ModelEvents.ModelErrorEvent(
                    error_type=str(error.get("status", "error")),
                    code=str(error.get("code", "")),
                    message=str(error.get("message", "")),
                )
            )
        if not events:
            return None
        return events[0] if len(events) == 1 else events

    def _server_content(self, content: dict[str, Any]) -> list[ModelEvents.EventBase]:
        events: list[ModelEvents.EventBase] = []
        for part in (content.get("modelTurn") or {}).get("parts", []):
            inline = part.get("inlineData")
            if inline and inline.get("data"):
                response_id = self._current_response()
                events.append(
                    ModelEvents.ModelResponseAudioDeltaEvent(
                        response_id=response_id,
                        item_id=response_id,
                        delta=inline["data"],
                        format=_audio_format(inline.get("mimeType", "audio/pcm")),
                    )
                )
        if "outputTranscription" in content:
            response_id = self._current_response()
            events.append(
                ModelEvents.ModelResponseAudioTranscriptDeltaEvent(
                    response_id=response_id,
                    item_id=response_id,
                    delta=content["outputTranscription"].get("text", ""),
                )
            )
        if "inputTranscription" in content:
            events.append(
                ModelEvents.ModelInputTranscriptionDoneEvent(
                    item_id=f"input_{uuid.uuid4().hex[:12]}",
                    transcript=content["inputTranscription"].get("text", ""),
                )
            )
        if (content.get("generationComplete") or content.get("turnComplete")) and (
            self._response_id is not None
        ):
            events.append(
                ModelEvents.ModelResponseDoneEvent(
                    response_id=self._response_id, input_tokens=0, output_tokens=0
                )
            )
            self._response_id = None
        return events

    async def send(self, data: AudioBlock | TextBlock | ImageBlock | ToolResultBlock) -> None:
        kind = data["type"]
        if kind in ("audio", "image"):
            source: dict[str, Any] = dict(data["source"])  # type: ignore[typeddict-item]
            if source["type"] == "base64":
                payload, mime = source["data"], source.get("media_type", "")
            else:
                payload, mime = _get_bytes_from_web_url(source["url"]), ""
            if kind == "audio":
                mime = f"audio/pcm;rate={self.input_sample_rate}"
                await self._send_json(
                    {"realtimeInput": {"audio": {"mimeType": mime, "data": payload}}}
                )
            else:
                media = {"mimeType": mime or "image/jpeg", "data": payload}
                await self._send_json({"realtimeInput": {"video": media}})
        elif kind == "text":
            turn = {"role": "user", "parts": [{"text": data["text"]}]}  # type: ignore[typeddict-item]
            await self._send_json({"clientContent": {"turns": [turn], "turnComplete": True}})
        elif kind == "tool_result":
            answer = {
                "id": data["id"],  # type: ignore[typeddict-item]
                "name": data["name"],  # type: ignore[typeddict-item]
                "response": {"output": tool_output_text(data)},  # type: ignore[arg-type]
            }
            await self._send_json({"toolResponse": {"functionResponses": [answer]}})
        else:
            raise ValueError(f"{self.model_name}: cannot send a {kind!r} block")
