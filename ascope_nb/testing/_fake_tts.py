"""``FakeTTSModel``: a deterministic, offline text-to-speech model for tests and tutorials.

Each character becomes ``ms_per_char`` of a soft tone whose pitch follows the letter (an
audible, "speech-like" melody, not words), 16-bit mono at ``sample_rate``. With ``stream``
the audio comes in ``chunk_ms`` pieces (each its own bytes: ``stream_chunks_cumulative =
False``), ``delay`` seconds apart, as a synthesizer working in real time would send them.

Example:
    >>> import asyncio
    >>> from ascope_nb.message import Msg
    >>> tts = FakeTTSModel(stream=False)
    >>> speech = asyncio.run(tts.synthesize(Msg("Friday", "Hi.", "assistant")))
    >>> speech.content["source"]["media_type"], tts.calls
    ('audio/wav', ['Hi.'])
"""

from __future__ import annotations

import asyncio
import io
import math
import struct
import wave
from collections.abc import AsyncGenerator
from typing import Any

from ..message import Msg
from ..tts import TTSModelBase, TTSResponse
from ..tts._response import audio_block

__all__ = ["FakeTTSModel", "melody_pcm"]


def melody_pcm(text: str, *, rate: int = 24000, ms_per_char: int = 60) -> bytes:
    """The fake voice of ``text``: one short tone per character (pitch from the letter, a
    quiet gap for spaces and punctuation), at least 100 ms.

    Example:
        >>> len(melody_pcm("ab", ms_per_char=50)) == 2 * int(24000 * 0.1)
        True
    """
    per_char = int(rate * ms_per_char / 1000)
    out = bytearray()
    for char in text:
        frequency = 180 + (ord(char.lower()) % 26) * 18 if char.isalnum() else 0
        for i in range(per_char):
            envelope = math.sin(math.pi * i / per_char)  # no clicks between letters
            value = 9000 * envelope * math.sin(2 * math.pi * frequency * i / rate)
            out += struct.pack("<h", int(value))
    minimum = int(rate * 0.1) * 2
    return bytes(out) + b"\x00" * max(0, minimum - len(out))


def _wav(pcm: bytes, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return buffer.getvalue()


class FakeTTSModel(TTSModelBase):
    """Speaks any text offline, deterministically; ``calls`` lists the texts it was given.

    Args:
        stream: yield chunks as they are "synthesized" (default) or return one WAV.
        sample_rate: Hz of the 16-bit mono audio.
        ms_per_char: audio length per character of text.
        chunk_ms: audio per streamed chunk.
        delay: seconds between streamed chunks (and before the one answer when not streaming).
        fail_after: raise ``ConnectionError`` after this many chunks (a service that drops).
    """

    stream_chunks_cumulative = False

    def __init__(
        self,
        *,
        stream: bool = True,
        sample_rate: int = 24000,
        ms_per_char: int = 60,
        chunk_ms: int = 250,
        delay: float = 0.0,
        fail_after: int | None = None,
    ) -> None:
        super().__init__("fake-tts", stream)
        self.sample_rate = sample_rate
        self.ms_per_char = ms_per_char
        self.chunk_ms = chunk_ms
        self.delay = delay
        self.fail_after = fail_after
        self.calls: list[str] = []
        self.chunks_sent = 0

    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        text = msg.get_text_content() or "" if msg is not None else ""
        self.calls.append(text)
        pcm = melody_pcm(text, rate=self.sample_rate, ms_per_char=self.ms_per_char)
        if self.stream:
            return self._chunks(pcm)
        if self.delay:
            await asyncio.sleep(self.delay)
        return TTSResponse(content=audio_block(_wav(pcm, self.sample_rate), "audio/wav"))

    async def _chunks(self, pcm: bytes) -> AsyncGenerator[TTSResponse, None]:
        step = max(2, int(self.sample_rate * self.chunk_ms / 1000) * 2)
        for index, start in enumerate(range(0, len(pcm), step)):
            if self.fail_after is not None and index >= self.fail_after:
                raise ConnectionError("fake TTS service dropped the connection")
            if self.delay:
                await asyncio.sleep(self.delay)
            media = f"audio/pcm;rate={self.sample_rate}"
            self.chunks_sent += 1
            yield TTSResponse(content=audio_block(pcm[start : start + step], media), is_last=False)
        yield TTSResponse(content=None, is_last=True)
