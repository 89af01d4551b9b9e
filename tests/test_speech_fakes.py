"""The deterministic speech doubles in ascope_nb.testing: ScriptedSTTModel and ToneTTSModel."""

from __future__ import annotations

import asyncio
import base64
import io
import wave

import pytest

from ascope_nb.agent._speech import collect_speech
from ascope_nb.message import Msg
from ascope_nb.stt import STTResponse
from ascope_nb.testing import ScriptedSTTModel, ToneTTSModel


async def test_scripted_stt_answers_in_order_and_records_calls() -> None:
    stt = ScriptedSTTModel(["first", STTResponse(text="second", language="de"), OSError("down")])
    assert (await stt.transcribe(b"a", language="en")).text == "first"
    second = await stt.transcribe(b"bb", media_type="audio/webm")
    assert (second.text, second.language) == ("second", "de")
    with pytest.raises(OSError, match="down"):
        await stt.transcribe(b"ccc")
    with pytest.raises(RuntimeError, match="ran out of replies after 3 calls"):
        await stt.transcribe(b"dddd")
    assert [(c.nbytes, c.media_type) for c in stt.calls] == [
        (1, "audio/wav"),
        (2, "audio/webm"),
        (3, "audio/wav"),
        (4, "audio/wav"),
    ]
    with pytest.raises(ValueError, match="empty"):
        await stt.transcribe(b"")


async def test_scripted_stt_delay_lets_a_caller_cancel() -> None:
    stt = ScriptedSTTModel(["late"], delay_s=5)
    task = asyncio.ensure_future(stt.transcribe(b"x"))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def _seconds(block: dict) -> float:
    with wave.open(io.BytesIO(base64.b64decode(block["source"]["data"])), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


async def test_tone_tts_streams_one_wav_per_sentence() -> None:
    tts = ToneTTSModel(ms_per_char=10)
    chunks = [
        c async for c in await tts.synthesize(Msg("a", "Hello there. Second one!", "assistant"))
    ]
    texts = [c.metadata["text"] for c in chunks[:-1]]
    assert texts == ["Hello there.", "Second one!"] == tts.spoken
    assert [round(_seconds(c.content), 2) for c in chunks[:-1]] == [0.12, 0.11]
    assert chunks[-1].is_last and chunks[-1].content is None
    assert chunks[1].metadata["start_s"] == pytest.approx(0.12)
    joined = await collect_speech(ToneTTSModel(ms_per_char=10), Msg("a", "Ab. Cd.", "assistant"))
    assert joined is not None and joined[1] == "audio/wav"
    with wave.open(io.BytesIO(joined[0]), "rb") as wav:
        assert wav.getnframes() == 2 * 2400  # two 100 ms sentences at 24 kHz


async def test_tone_tts_refuses_empty_text() -> None:
    with pytest.raises(ValueError, match="no text"):
        await ToneTTSModel(stream=False).synthesize(Msg("a", "", "assistant"))
