"""Recordings to 16 kHz mono float samples, the input speech recognisers take.

WAV (any rate, 8/16/24/32-bit PCM, mono or stereo) is read with the standard library. Browser
recordings (``audio/webm``, ``audio/ogg``; Opus) need PyAV, an opt-in extra
(``ascope-nb[voice-webm]``): its wheel bundles FFmpeg together with GPL codec libraries, so
it is not part of the default install.

Example:
    >>> import numpy as np
    >>> from ascope_nb.tts._wav import wav_bytes
    >>> samples = decode_audio(wav_bytes(b"\\x00\\x10" * 8000, rate=8000))
    >>> samples.shape, float(samples[0]) == 4096 / 32768
    ((16000,), True)
"""

from __future__ import annotations

import io
import wave
from typing import Any

RATE = 16000
WEBM_HINT = "pip install 'ascope-nb[voice-webm]'"


def resample(samples: Any, rate: int, target: int = RATE) -> Any:
    """Linear-interpolation resampling of a float array (speech-grade)."""
    import numpy as np

    if rate == target or len(samples) == 0:
        return samples.astype(np.float32)
    n = int(round(len(samples) * target / rate))
    positions = np.arange(n, dtype=np.float64) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def _wav(audio: bytes) -> Any:
    import numpy as np

    try:
        with wave.open(io.BytesIO(audio), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as err:
        raise ValueError(f"the audio is not a readable WAV file ({err})") from None
    if width == 1:
        samples = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        samples = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    elif width == 3:
        b = np.frombuffer(raw[: len(raw) // 3 * 3], np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8
        samples = ints.astype(np.float32) / 8388608
    elif width == 4:
        samples = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648
    else:
        raise ValueError(f"the WAV file has {8 * width}-bit samples, which are not supported")
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(1)
    return resample(samples, rate)


def _container(audio: bytes, media_type: str) -> Any:
    import numpy as np

    try:
        import av
    except ImportError:
        raise ValueError(
            f"{media_type} needs PyAV to decode ({WEBM_HINT}); or send audio/wav"
        ) from None
    try:
        with av.open(io.BytesIO(audio)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            parts = []
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                parts.append(out.to_ndarray().reshape(-1))
    except av.error.FFmpegError as err:  # type: ignore[attr-defined]
        raise ValueError(f"the {media_type} audio cannot be decoded ({err})") from None
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


def decode_audio(audio: bytes, media_type: str = "audio/wav") -> Any:
    """16 kHz mono ``float32`` samples in [-1, 1]; ``ValueError`` (one line) for bad audio."""
    if not audio:
        raise ValueError("the audio is empty (0 bytes)")
    kind = media_type.split(";")[0].strip().lower()
    if kind in ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"):
        return _wav(audio)
    if kind in ("audio/webm", "audio/ogg", "audio/opus", "audio/mpeg", "audio/mp4", "audio/flac"):
        return _container(audio, kind)
    raise ValueError(f"unsupported audio type {media_type!r} (use audio/wav)")
