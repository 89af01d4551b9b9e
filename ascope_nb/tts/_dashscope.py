"""``DashScopeTTSModel``: Qwen TTS through DashScope's ``MultiModalConversation`` API."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from typing import Any

from ..message import Msg
from ._base import TTSModelBase
from ._keys import require_key
from ._response import TTSResponse, audio_block

_MEDIA = "audio/pcm;rate=24000"


def _piece(chunk: Any) -> str:
    output = getattr(chunk, "output", None)
    if output is None or getattr(output, "audio", None) is None:
        return ""
    return output.audio.data or ""


class DashScopeTTSModel(TTSModelBase):
    """Speech from Qwen TTS (``qwen3-tts-flash``; ``dashscope`` extra).

    Streamed chunks are cumulative; the last repeats the whole audio with ``is_last=True``.

    Example:
        >>> tts = DashScopeTTSModel(api_key="sk-...", voice="Cherry", stream=False)  # doctest: +SKIP
    """

    supports_streaming_input = False

    def __init__(
        self,
        api_key: str,
        model_name: str = "qwen3-tts-flash",
        voice: str = "Cherry",
        language_type: str = "Auto",
        stream: bool = True,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_name=model_name, stream=stream)
        self.api_key = require_key(api_key, env="DASHSCOPE_API_KEY", who=type(self).__name__)
        self._set_voice_options(voice, generate_kwargs)
        self.language_type = language_type

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        if msg is None:
            return TTSResponse(content=None)
        import dashscope

        chunks: Any = dashscope.MultiModalConversation.call(
            model=self.model_name,
            api_key=self.api_key,
            text=msg.get_text_content() or "",
            voice=self.voice,
            language_type=self.language_type,
            stream=True,
            **self.generate_kwargs,
            **kwargs,
        )
        if self.stream:
            return self._chunks(chunks)
        return TTSResponse(content=audio_block("".join(_piece(c) for c in chunks), _MEDIA))

    @staticmethod
    async def _chunks(chunks: Iterable[Any]) -> AsyncGenerator[TTSResponse, None]:
        audio = ""
        for chunk in chunks:
            piece = _piece(chunk)
            if piece:
                audio += piece
                yield TTSResponse(content=audio_block(audio, _MEDIA), is_last=False)
        yield TTSResponse(content=audio_block(audio, _MEDIA), is_last=True)
