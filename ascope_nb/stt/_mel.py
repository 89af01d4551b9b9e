"""Whisper's input: an 80-band log-mel spectrogram of 30 s of 16 kHz audio (numpy only).

Example:
    >>> import numpy as np
    >>> log_mel(np.zeros(16000, np.float32)).shape
    (80, 3000)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

RATE, N_FFT, HOP, N_MELS, FRAMES = 16000, 400, 160, 80, 3000


def _hz_to_mel(hz: Any) -> Any:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    import numpy as np

    hz = np.asanyarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, mel)


def _mel_to_hz(mel: Any) -> Any:
    import numpy as np

    mel = np.asanyarray(mel, dtype=np.float64)
    hz = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, hz)


@lru_cache(maxsize=1)
def mel_filters() -> Any:
    """``(80, 201)`` triangular filters, area-normalised (Slaney), 0 to 8 kHz."""
    import numpy as np

    fft_freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    mel_points = np.linspace(_hz_to_mel(0.0), _hz_to_mel(RATE / 2), N_MELS + 2)
    hz_points = _mel_to_hz(mel_points)
    widths = np.diff(hz_points)
    ramps = hz_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (hz_points[2:] - hz_points[:-2]))[:, None]
    return weights.astype(np.float32)


def log_mel(samples: Any) -> Any:
    """The ``(80, 3000)`` log-mel features of up to 30 s of audio (zero-padded)."""
    import numpy as np

    audio = np.zeros(RATE * 30, np.float32)
    audio[: min(len(samples), len(audio))] = samples[: len(audio)]
    padded = np.pad(audio, N_FFT // 2, mode="reflect")
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    spectrum = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = mel_filters() @ spectrum[:FRAMES].T
    logs = np.log10(np.maximum(mel, 1e-10))
    logs = np.maximum(logs, logs.max() - 8.0)
    return ((logs + 4.0) / 4.0).astype(np.float32)
