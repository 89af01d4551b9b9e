"""16-bit mono WAV in and out of bytes (the standard library's ``wave``).

Example:
    >>> data = wav_bytes(b"\\x01\\x00" * 4, rate=16000)
    >>> read_wav(data)[1:]
    (16000, 4)
"""

from __future__ import annotations

import io
import wave


def wav_bytes(pcm: bytes, *, rate: int) -> bytes:
    """``pcm`` (16-bit little-endian mono) as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm[: len(pcm) // 2 * 2])
    return out.getvalue()


def read_wav(data: bytes) -> tuple[bytes, int, int]:
    """``(pcm, rate, frames)`` of a 16-bit mono WAV file; ``ValueError`` (one line) if not."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise ValueError(
                    f"expected 16-bit mono WAV, got {8 * wav.getsampwidth()}-bit "
                    f"{wav.getnchannels()}-channel"
                )
            frames = wav.getnframes()
            return wav.readframes(frames), wav.getframerate(), frames
    except (wave.Error, EOFError) as err:
        raise ValueError(f"not a WAV file: {err}") from None
