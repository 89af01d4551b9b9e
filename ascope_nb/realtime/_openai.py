"""``OpenAIRealtimeModel``: OpenAI's Realtime API over a WebSocket (``websockets`` extra)."""

from __future__ import annotations

from typing import Any

from ..formatter._media import image_url
from ..message import AudioBlock, ImageBlock, TextBlock, ToolResultBlock
from ._base import fetch_url_as_base64
from ._openai_protocol import OPENAI_NAMES
from ._openai_style import OpenAIStyleRealtimeModel

_get_bytes_from_web_url = fetch_url_as_base64


class OpenAIRealtimeModel(OpenAIStyleRealtimeModel):
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
    default_voice = "alloy"
    default_base_url = "wss://api.openai.com/v1/realtime"
    _key_env = "OPENAI_API_KEY"

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
            session["tools"] = self._function_tools(tools)
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
            await self._send_tool_result(data)  # type: ignore[arg-type]
        else:
            raise ValueError(f"{self.model_name}: cannot send a {kind!r} block")
