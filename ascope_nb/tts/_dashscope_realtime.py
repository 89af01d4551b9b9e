"""``DashScopeRealtimeTTSModel``: Qwen TTS realtime over DashScope's WebSocket SDK, text
pushed while the LLM is still writing it."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from .._logging import logger
from ..message import Msg
from ._dashscope_streaming import DashScopeStreamingTTSBase
from ._response import TTSResponse
from ._sdk_callbacks import qwen_realtime_callback_class


class DashScopeRealtimeTTSModel(DashScopeStreamingTTSBase):
    """Streaming-input speech from ``qwen3-tts-flash-realtime`` (``dashscope`` extra).

    One utterance at a time: push the growing message (same ``msg.id``), then
    ``synthesize()`` to finish it; the next utterance opens a fresh session.

    Example:
        >>> async with DashScopeRealtimeTTSModel(api_key="sk-...") as tts:  # doctest: +SKIP
        ...     await tts.push(msg); speech = await tts.synthesize(msg)
    """

    default_model = "qwen3-tts-flash-realtime"
    default_voice = "Cherry"

    def _setup(self) -> None:
        self.mode = "server_commit"
        self._connected = False
        self._spent = False  # the session ended with an utterance: open a new one first
        self._new_client()

    def _new_client(self) -> None:
        from dashscope.audio.qwen_tts_realtime import QwenTtsRealtime

        self._dashscope_callback = qwen_realtime_callback_class()()
        self._tts_client = QwenTtsRealtime(
            model=self.model_name, callback=self._dashscope_callback, **self.client_kwargs
        )

    async def connect(self) -> None:
        if self._connected:
            return
        self._tts_client.connect()
        self._tts_client.update_session(voice=self.voice, mode=self.mode, **self.generate_kwargs)
        self._connected = True
        self._spent = False

    async def close(self) -> None:
        if not self._connected:
            return
        self._connected = False
        self._tts_client.close()

    async def _ready(self) -> None:
        if not self._connected:
            raise RuntimeError(f"{type(self).__name__} is not connected: call connect() first")
        if self._spent:
            await self.close()
            self._new_client()
            await self.connect()

    def _send(self, text: str) -> bool:
        try:
            self._tts_client.append_text(text)
        except Exception as exc:  # the SDK raises its websocket's own closed error
            logger.warning("%s: text not sent (%s)", self.model_name, exc)
            return False
        return True

    async def push(self, msg: Msg, **kwargs: Any) -> TTSResponse:
        await self._ready()
        delta = self._new_text(msg)
        if delta and not self._send(delta):
            return TTSResponse(content=None)
        return await self._audio_so_far()

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        await self._ready()
        delta = self._new_text(msg, final=True)
        if delta:
            self._send(delta)
        self._tts_client.finish()
        self._text.reset()
        self._spent = True
        if self.stream:
            return self._dashscope_callback.get_audio_chunk()
        return await self._dashscope_callback.get_audio_data(block=True)
