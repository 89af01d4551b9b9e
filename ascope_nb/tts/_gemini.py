"""``GeminiTTSModel``: Gemini's speech generation (``google-genai`` extra)."""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from ..message import Msg
from ._base import TTSModelBase
from ._keys import require_key
from ._response import TTSResponse, audio_block


def _inline_audio(response: Any) -> tuple[bytes, str] | None:
    """The (bytes, mime type) of a Gemini response's first inline part, if any."""
    try:
        data = response.candidates[0].content.parts[0].inline_data
    except (AttributeError, IndexError, TypeError):
        return None
    if data is None or not data.data:
        return None
    return data.data, data.mime_type


class GeminiTTSModel(TTSModelBase):
    """Speech from Gemini's ``generate_content`` with the AUDIO modality.

    Streamed chunks are cumulative (each holds all audio so far); the stream ends with an
    empty ``TTSResponse(content=None)``.

    Example:
        >>> tts = GeminiTTSModel(api_key="...", voice="Kore", stream=False)  # doctest: +SKIP
    """

    supports_streaming_input = False

    def __init__(
        self,
        api_key: str,
        model_name: str = "gemini-2.5-flash-preview-tts",
        voice: str = "Kore",
        stream: bool = True,
        client_kwargs: dict[str, Any] | None = None,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_name=model_name, stream=stream)
        from google import genai

        self._set_voice_options(voice, generate_kwargs)
        api_key = require_key(api_key, env="GEMINI_API_KEY", who=type(self).__name__)
        self._client = genai.Client(api_key=api_key, **(client_kwargs or {}))

    def _config(self, kwargs: dict[str, Any]) -> Any:
        from google.genai import types

        voice = types.VoiceConfig(
            prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=self.voice)
        )
        return types.GenerateContentConfig(
            response_modalities=["AUDIO"],
            speech_config=types.SpeechConfig(voice_config=voice),
            **self.generate_kwargs,
            **kwargs,
        )

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        if msg is None:
            return TTSResponse(content=None)
        request = {
            "model": self.model_name,
            "contents": msg.get_text_content() or "",
            "config": self._config(kwargs),
        }
        if self.stream:
            return self._chunks(self._client.models.generate_content_stream(**request))
        found = _inline_audio(self._client.models.generate_content(**request))
        if found is None:
            return TTSResponse(content=None)
        return TTSResponse(content=audio_block(found[0], found[1]))

    @staticmethod
    async def _chunks(responses: Iterable[Any]) -> AsyncGenerator[TTSResponse, None]:
        audio = ""
        for response in responses:
            found = _inline_audio(response)
            if found is None:
                continue
            audio += base64.b64encode(found[0]).decode("ascii")
            yield TTSResponse(content=audio_block(audio, found[1]), is_last=False)
        yield TTSResponse(content=None, is_last=True)
