"""``OpenAITTSModel``: OpenAI's speech endpoint (``openai`` extra), raw 24 kHz PCM out."""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator
from typing import Any

from ..message import Msg
from ._base import TTSModelBase
from ._keys import require_key
from ._response import TTSResponse, audio_block

_MEDIA = "audio/pcm"


class OpenAITTSModel(TTSModelBase):
    """Speech from OpenAI's ``audio.speech`` API (whole text in; audio streamed or not).

    Example:
        >>> tts = OpenAITTSModel(api_key="sk-...", voice="alloy", stream=False)  # doctest: +SKIP
    """

    supports_streaming_input = False
    stream_chunks_cumulative = False
    """Each streamed chunk holds only its own bytes; the last repeats the final piece."""

    def __init__(
        self,
        api_key: str,
        model_name: str = "gpt-4o-mini-tts",
        voice: str = "alloy",
        stream: bool = True,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_name=model_name, stream=stream)
        import openai

        self._set_voice_options(voice, generate_kwargs)
        api_key = require_key(api_key, env="OPENAI_API_KEY", who=type(self).__name__)
        self._client = openai.AsyncOpenAI(api_key=api_key, **(client_kwargs or {}))

    def _request(self, msg: Msg, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "voice": self.voice,
            "input": msg.get_text_content() or "",
            "response_format": "pcm",
            **self.generate_kwargs,
            **kwargs,
        }

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        if msg is None:
            return TTSResponse(content=None)
        request = self._request(msg, kwargs)
        if self.stream:
            return self._chunks(request)
        response = await self._client.audio.speech.create(**request)
        return TTSResponse(content=audio_block(response.content, _MEDIA))

    async def _chunks(self, request: dict[str, Any]) -> AsyncGenerator[TTSResponse, None]:
        """Each chunk carries only its own bytes (as OpenAI sends them); the last repeats
        the final piece with ``is_last=True``."""
        last = ""
        async with self._client.audio.speech.with_streaming_response.create(**request) as resp:
            async for piece in resp.iter_bytes():
                if piece:
                    last = base64.b64encode(piece).decode("ascii")
                    yield TTSResponse(content=audio_block(last, _MEDIA), is_last=False)
        yield TTSResponse(content=audio_block(last, _MEDIA), is_last=True)
