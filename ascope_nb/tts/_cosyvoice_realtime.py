"""``DashScopeCosyVoiceRealtimeTTSModel``: CosyVoice with text streamed in as it is written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from .._logging import logger
from ..message import Msg
from ._dashscope_streaming import DashScopeStreamingTTSBase
from ._response import TTSResponse
from ._sdk_callbacks import cosyvoice_callback_class


def _get_cosyvoice_callback_class() -> type:
    """The callback class fed by the SDK (a seam: tests replace it)."""
    return cosyvoice_callback_class()


class DashScopeCosyVoiceRealtimeTTSModel(DashScopeStreamingTTSBase):
    """Streaming-input CosyVoice speech (``dashscope`` extra): ``push`` the growing message,
    then ``synthesize()`` to finish the utterance.

    Example:
        >>> async with DashScopeCosyVoiceRealtimeTTSModel(api_key="sk-...") as tts:  # doctest: +SKIP
        ...     await tts.push(msg); speech = await tts.synthesize(msg)
    """

    default_model = "cosyvoice-v3-plus"
    default_voice = "longanyang"

    def _setup(self) -> None:
        self._dashscope_callback = _get_cosyvoice_callback_class()()
        self._synthesizer: Any = None

    async def connect(self) -> None:
        if self._synthesizer is not None:
            return
        from dashscope.audio.tts_v2 import AudioFormat, SpeechSynthesizer

        self._synthesizer = SpeechSynthesizer(
            model=self.model_name,
            voice=self.voice,
            format=AudioFormat.PCM_24000HZ_MONO_16BIT,
            callback=self._dashscope_callback,
            **self.client_kwargs,
            **self.generate_kwargs,
        )

    async def close(self) -> None:
        synthesizer, self._synthesizer = self._synthesizer, None
        if synthesizer is not None:
            try:
                synthesizer.close()
            except Exception as exc:  # closing a dropped connection must not raise
                logger.debug("cosyvoice close: %s", exc)

    def _ready(self) -> Any:
        if self._synthesizer is None:
            raise RuntimeError(f"{type(self).__name__} is not connected: call connect() first")
        return self._synthesizer

    async def push(self, msg: Msg, **kwargs: Any) -> TTSResponse:
        synthesizer = self._ready()
        delta = self._new_text(msg)
        if delta:
            synthesizer.streaming_call(delta)
        return await self._audio_so_far()

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        synthesizer = self._ready()
        delta = self._new_text(msg, final=True)
        if delta:
            synthesizer.streaming_call(delta)
        self._text.reset()
        callback = self._dashscope_callback
        # the SDK allows one utterance per synthesizer: the next one gets fresh objects
        self._synthesizer = None
        self._dashscope_callback = _get_cosyvoice_callback_class()()
        await self.connect()
        done = asyncio.ensure_future(asyncio.to_thread(synthesizer.streaming_complete))
        if self.stream:
            return self._chunks(callback, done)
        await done
        return await callback.get_audio_data(block=True)

    @staticmethod
    async def _chunks(
        callback: Any, done: asyncio.Future[Any]
    ) -> AsyncGenerator[TTSResponse, None]:
        async for chunk in callback.get_audio_chunk():
            yield chunk
        await done
