"""``OpenAIRealtimeModel``: OpenAI's Realtime API over a WebSocket (``websockets`` extra)."""

from __future__ import annotations

from typing import Any

from ..formatter._media import image_url
from ..message import AudioBlock, ImageBlock, TextBlock, ToolResultBlock
from ..tts._keys import require_key
from ._base import RealtimeModelBase, fetch_url_as_base64, tool_output_text
from ._openai_protocol import OPENAI_NAMES, OpenAIStyleParser

_get_bytes_from_web_url = fetch_url_as_base64


class OpenAIRealtimeModel(OpenAIStyleParser, RealtimeModelBase):
    """Speech to speech with ``gpt-4o-realtime-preview`` and successors (24 kHz PCM both
    ways, server-side voice activity detection).

    Example:
        >>> model = OpenAIRealtimeModel(model_name="gpt-4o-realtime-preview", api_key="sk-...")
        >>> model.output_sample_rate
        24000
    """

    support_input_modalities = ["audio", "text", "image", "tool_result"]
    input_sample_rate = 24000
    output_sample_rate = 24000
    _names = OPENAI_NAMES

    def __init__(
        self,
        model_name: str,
        api_key: str,
        voice: str = "alloy",
        enable_input_audio_transcription: bool = True,
        *,
        base_url: str = "wss://api.openai.com/v1/realtime",
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_name)
        self.voice = voice
        self.enable_input_audio_transcription = enable_input_audio_transcription
        self.generate_kwargs = dict(generate_kwargs or {})
        self.websocket_url = f"{base_url}?model={model_name}"
        api_key = require_key(api_key, env="OPENAI_API_KEY", who=type(self).__name__)
        self.websocket_headers = {"Authorization": f"Bearer {api_key}"}
        self._init_parser()

    def _build_session_config(
        self, instructions: str, tools: list[dict] | None, **kwargs: Any
    ) -> dict:
        audio_in: dict[str, Any] = {
            "format": {"type": "audio/pcm", "rate": self.input_sample_rate},
            "turn_detection": {"type": "server_vad"},
        }
        if self.enable_input_audio_transcription:
            audio_in["transcription"] = {"model": "whisper-1"}
        session: dict[str, Any] = {
            "type": "realtime",
            "instructions": instructions,
            "output_modalities": ["audio"],
            "audio": {
                "input": audio_in,
                "output": {
                    "format": {"type": "audio/pcm", "rate": self.output_sample_rate},
                    "voice": self.voice,
                },
            },
            **self.generate_kwargs,
            **kwargs,
        }
        if tools:
            session["tools"] = [{"type": "function", **t.get("function", t)} for t in tools]
        return {"type": "session.update", "session": session}

    async def send(self, data: AudioBlock | TextBlock | ImageBlock | ToolResultBlock) -> None:
        kind = data["type"]
        if kind == "audio":
            source: dict[str, Any] = dict(data["source"])  # type: ignore[typeddict-item]
            audio = (
                source["data"]
                if source["type"] == "base64"
                else _get_bytes_from_web_url(source["url"])
            )
            await self._send_json({"type": "input_audio_buffer.append", "audio": audio})
        elif kind == "text":
            await self._send_user_item({"type": "input_text", "text": data["text"]})  # type: ignore[typeddict-item]
        elif kind == "image":
            url = image_url(data["source"])  # type: ignore[typeddict-item, arg-type]
            await self._send_user_item({"type": "input_image", "image_url": url})
        elif kind == "tool_result":
            item = {
                "type": "function_call_output",
                "call_id": data["id"],  # type: ignore[typeddict-item]
                "output": tool_output_text(data),  # type: ignore[arg-type]
            }
            await self._send_json({"type": "conversation.item.create", "item": item})
        else:
            raise ValueError(f"{self.model_name}: cannot send a {kind!r} block")

    async def _send_user_item(self, content: dict[str, Any]) -> None:
        item = {"type": "message", "role": "user", "content": [content]}
        await self._send_json({"type": "conversation.item.create", "item": item})
