"""``DashScopeCosyVoiceTTSModel``: CosyVoice speech, whole text in (``dashscope`` extra)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from ..message import Msg
from ._base import TTSModelBase
from ._keys import set_dashscope_key
from ._response import TTSResponse, audio_block
from ._sdk_callbacks import cosyvoice_callback_class

_MEDIA = "audio/pcm;rate=24000"


class DashScopeCosyVoiceTTSModel(TTSModelBase):
    """Speech from CosyVoice (``cosyvoice-v3-plus``), one request per message.

    Example:
        >>> tts = DashScopeCosyVoiceTTSModel(api_key="sk-...", stream=False)  # doctest: +SKIP
    """

    supports_streaming_input = False

    def __init__(
        self,
        api_key: str,
        model_name: str = "cosyvoice-v3-plus",
        voice: str = "longanyang",
        stream: bool = False,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_name=model_name, stream=stream)
        set_dashscope_key(api_key, who=type(self).__name__)
        self._set_voice_options(voice, generate_kwargs)
        self.client_kwargs = dict(client_kwargs or {})

    def _create_synthesizer(self) -> tuple[Any, Any]:
        """A fresh ``SpeechSynthesizer`` (and its audio callback when streaming)."""
        from dashscope.audio.tts_v2 import AudioFormat, SpeechSynthesizer

        callback = cosyvoice_callback_class()() if self.stream else None
        synthesizer = SpeechSynthesizer(
            model=self.model_name,
            voice=self.voice,
            format=AudioFormat.PCM_24000HZ_MONO_16BIT,
            callback=callback,  # type: ignore[arg-type]
            **self.client_kwargs,
            **self.generate_kwargs,
        )
        return synthesizer, callback

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        if msg is None:
            return TTSResponse(content=None)
        text = msg.get_text_content() or ""
        synthesizer, callback = self._create_synthesizer()
        if self.stream:
            return self._chunks(synthesizer, callback, text)
        audio = await asyncio.to_thread(synthesizer.call, text=text)
        if not audio:
            return TTSResponse(content=None)
        return TTSResponse(content=audio_block(bytes(audio), _MEDIA))

    @staticmethod
    async def _chunks(
        synthesizer: Any, callback: Any, text: str
    ) -> AsyncGenerator[TTSResponse, None]:
        synthesizer.call(text=text)  # with a callback the SDK returns at once and streams
        async for chunk in callback.get_audio_chunk():
            yield chunk
