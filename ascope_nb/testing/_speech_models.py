"""Deterministic speech doubles: a scripted recogniser and a tone "voice", no weights needed.

``ScriptedSTTModel`` hears what it is told to; ``ToneTTSModel`` answers every sentence with a
440 Hz tone whose length follows the text, in the same chunk shape as ``LocalTTSModel``
(one WAV per sentence, then ``TTSResponse(content=None, is_last=True)``).

Example:
    >>> import asyncio
    >>> stt = ScriptedSTTModel(["what time is it", "thanks"])
    >>> asyncio.run(stt.transcribe(b"RIFF...")).text
    'what time is it'
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any

from ..message import Msg
from ..stt import STTModelBase, STTResponse
from ..tts import TTSModelBase, TTSResponse, TTSUsage
from ..tts._response import audio_block
from ..tts._sentences import split_sentences
from ..tts._wav import wav_bytes
from .speech_server import tone_pcm

__all__ = ["ScriptedSTTModel", "ToneTTSModel", "STTCall"]


@dataclass(frozen=True)
class STTCall:
    """One ``transcribe`` call a ``ScriptedSTTModel`` received."""

    nbytes: int
    media_type: str
    language: str | None


class ScriptedSTTModel(STTModelBase):
    """A recogniser that returns ``replies`` in order (a ``str``, an ``STTResponse``, or an
    exception to raise); running out is a ``RuntimeError`` naming the model. Empty audio is a
    ``ValueError``, as in the real recognisers. ``calls`` records what it was given.

    Example:
        >>> stt = ScriptedSTTModel([ValueError("the audio is not a readable WAV file")])
        >>> asyncio.run(stt.transcribe(b"x"))
        Traceback (most recent call last):
        ...
        ValueError: the audio is not a readable WAV file
    """

    def __init__(
        self,
        replies: Sequence[str | STTResponse | BaseException],
        *,
        model_name: str = "scripted-stt",
        delay_s: float = 0.0,
    ) -> None:
        self.model_name = model_name
        self.replies = list(replies)
        self.delay_s = delay_s
        self.calls: list[STTCall] = []

    async def transcribe(
        self,
        audio: bytes,
        *,
        media_type: str = "audio/wav",
        language: str | None = None,
    ) -> STTResponse:
        if not audio:
            raise ValueError("the audio is empty (0 bytes)")
        self.calls.append(STTCall(len(audio), media_type, language))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if len(self.calls) > len(self.replies):
            raise RuntimeError(
                f"ScriptedSTTModel {self.model_name!r} ran out of replies after "
                f"{len(self.replies)} calls"
            )
        reply = self.replies[len(self.calls) - 1]
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, STTResponse):
            return reply
        return STTResponse(text=reply, language=language or "en")


class ToneTTSModel(TTSModelBase):
    """A deterministic offline "voice": each sentence is a tone, ``ms_per_char`` long.

    Same chunk contract as ``LocalTTSModel``: ``stream=True`` yields one 24 kHz WAV per
    sentence (``metadata`` has ``text``, ``start_s``, ``duration_s``), then a last
    ``TTSResponse(content=None, is_last=True)``; ``stream=False`` returns one WAV.
    ``delay_s`` waits before each sentence (to test playback that starts early, or Stop).

    Example:
        >>> tts = ToneTTSModel(stream=False)
        >>> speech = asyncio.run(tts.synthesize(Msg("a", "Hi.", "assistant")))
        >>> speech.content["source"]["media_type"], speech.metadata["duration_s"]
        ('audio/wav', 0.1)
    """

    stream_chunks_cumulative = False

    def __init__(
        self,
        model_name: str = "tone-tts",
        stream: bool = True,
        *,
        ms_per_char: int = 20,
        delay_s: float = 0.0,
        rate: int = 24000,
    ) -> None:
        super().__init__(model_name=model_name, stream=stream)
        self.ms_per_char = ms_per_char
        self.delay_s = delay_s
        self.rate = rate
        self.spoken: list[str] = []

    def _pcm(self, sentence: str) -> bytes:
        return tone_pcm(sentence, rate=self.rate, ms_per_char=self.ms_per_char)

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        text = (msg.get_text_content() or "") if msg is not None else ""
        sentences = split_sentences(text)
        if not sentences:
            raise ValueError("ToneTTSModel: there is no text to speak")
        if self.stream:
            return self._chunks(sentences)
        pcm = b""
        for sentence in sentences:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            self.spoken.append(sentence)
            pcm += self._pcm(sentence)
        return TTSResponse(
            content=audio_block(wav_bytes(pcm, rate=self.rate), "audio/wav"),
            usage=TTSUsage(input_tokens=0, output_tokens=0, time=0.0),
            metadata={"duration_s": len(pcm) / 2 / self.rate, "sample_rate": self.rate},
        )

    async def _chunks(self, sentences: list[str]) -> AsyncGenerator[TTSResponse, None]:
        offset = 0
        for index, sentence in enumerate(sentences):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            self.spoken.append(sentence)
            pcm = self._pcm(sentence)
            frames = len(pcm) // 2
            yield TTSResponse(
                content=audio_block(wav_bytes(pcm, rate=self.rate), "audio/wav"),
                is_last=False,
                metadata={
                    "sentence": index,
                    "text": sentence,
                    "sample_rate": self.rate,
                    "start_s": offset / self.rate,
                    "duration_s": frames / self.rate,
                },
            )
            offset += frames
        yield TTSResponse(
            content=None,
            is_last=True,
            usage=TTSUsage(input_tokens=0, output_tokens=0, time=0.0),
            metadata={"duration_s": offset / self.rate, "sample_rate": self.rate},
        )
