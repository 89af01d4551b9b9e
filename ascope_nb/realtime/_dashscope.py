"""``DashScopeRealtimeModel``: Qwen Omni realtime over DashScope's WebSocket API."""

from __future__ import annotations

from typing import Any

from ..message import AudioBlock, ImageBlock, TextBlock, ToolResultBlock
from ._base import fetch_url_as_base64
from ._openai_protocol import DASHSCOPE_NAMES
from ._openai_style import OpenAIStyleRealtimeModel

_get_bytes_from_web_url = fetch_url_as_base64


class DashScopeRealtimeModel(OpenAIStyleRealtimeModel):
    """Speech to speech with ``qwen3-omni-flash-realtime`` (16 kHz PCM in, 24 kHz out;
    images as video frames).

    Example:
        >>> DashScopeRealtimeModel(model_name="qwen3-omni-flash-realtime", api_key="sk-...").input_sample_rate
        16000
    """

    support_input_modalities = ["audio", "image", "text", "tool_result"]
    input_sample_rate = 16000
    output_sample_rate = 24000
    _names = DASHSCOPE_NAMES
    default_voice = "Cherry"
    default_base_url = "wss://dashscope.aliyuncs.com/api-ws/v1/realtime"
    _key_env = "DASHSCOPE_API_KEY"

    def _build_session_config(
        self, instructions: str, tools: list[dict] | None, **kwargs: Any
    ) -> dict:
        session: dict[str, Any] = {
            "modalities": ["text", "audio"],
            "voice": self.voice,
            "instructions": instructions,
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm24",
            "turn_detection": {"type": "server_vad"},
            **self.generate_kwargs,
            **kwargs,
        }
        if self.enable_input_audio_transcription:
            session["input_audio_transcription"] = {"model": "gummy-realtime-v1"}
        if tools:
            session["tools"] = self._function_tools(tools)
        return {"type": "session.update", "session": session}

    async def send(self, data: AudioBlock | TextBlock | ImageBlock | ToolResultBlock) -> None:
        kind = data["type"]
        if kind in ("audio", "image"):
            source: dict[str, Any] = dict(data["source"])  # type: ignore[typeddict-item]
            if source["type"] == "base64":
                key = "audio" if kind == "audio" else "image"
                await self._send_json({"type": f"input_{key}_buffer.append", key: source["data"]})
            elif source["type"] == "url":
                fetched = _get_bytes_from_web_url(source["url"])
                if kind == "audio":
                    await self._send_json({"type": "input_audio_buffer.append", "audio": fetched})
                else:
                    await self._send_json({"type": "input_image_url.append", "image_url": fetched})
            else:
                raise ValueError(f"{self.model_name}: unknown {kind} source {source['type']!r}")
        elif kind == "text":
            await self._send_user_item({"type": "input_text", "text": data["text"]})  # type: ignore[typeddict-item]
        elif kind == "tool_result":
            await self._send_tool_result(data)  # type: ignore[arg-type]
        else:
            raise ValueError(f"{self.model_name}: cannot send a {kind!r} block")
