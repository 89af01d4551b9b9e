"""``FakeSTTModel``: a deterministic, offline speech recogniser for tests and tutorials.

It really reads the recording (a WAV file: anything else is one ``ValueError`` line, as a
real recogniser would refuse it) and then "hears" the next of its scripted transcripts, in
order; ``calls`` records each recording's duration and sample rate.

Example:
    >>> import asyncio, io, wave
    >>> buffer = io.BytesIO()
    >>> with wave.open(buffer, "wb") as w:
    ...     w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
    ...     w.writeframes(b"\\x00\\x00" * 16000)
    >>> stt = FakeSTTModel(["what time is it"])
    >>> asyncio.run(stt.transcribe(buffer.getvalue())).text
    'what time is it'
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable

from ..stt import STTModelBase, STTResponse

__all__ = ["FakeSTTModel"]


class FakeSTTModel(STTModelBase):
    """Hears ``transcripts`` one per recording (the last one again once they run out).

    Args:
        transcripts: what each successive recording "says".
        min_seconds: a shorter recording is refused (``ValueError``), as silence would be.
    """

    model_name = "fake-stt"

    def __init__(self, transcripts: Iterable[str], *, min_seconds: float = 0.05) -> None:
        self.transcripts = list(transcripts)
        if not self.transcripts:
            raise ValueError("FakeSTTModel needs at least one transcript")
        self.min_seconds = min_seconds
        self.calls: list[tuple[float, int]] = []

    async def transcribe(
        self,
        audio: bytes,
        *,
        media_type: str = "audio/wav",
        language: str | None = None,
    ) -> STTResponse:
        if media_type.split(";")[0] not in ("audio/wav", "audio/x-wav", "audio/wave"):
            raise ValueError(f"FakeSTTModel reads audio/wav, got {media_type!r}")
        try:
            with wave.open(io.BytesIO(audio)) as wav:
                rate, frames = wav.getframerate(), wav.getnframes()
        except (wave.Error, EOFError) as exc:
            raise ValueError(f"not a WAV recording ({len(audio)} bytes): {exc}") from None
        duration = frames / rate if rate else 0.0
        if duration < self.min_seconds:
            raise ValueError(
                f"recording too short to hear ({duration:.2f} s < {self.min_seconds} s)"
            )
        self.calls.append((round(duration, 3), rate))
        index = min(len(self.calls) - 1, len(self.transcripts) - 1)
        return STTResponse(
            text=self.transcripts[index], language=language or "en", duration_s=round(duration, 3)
        )
