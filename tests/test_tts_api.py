"""ascope_nb.tts against a real HTTP speech endpoint (the fake OpenAI speech server), the
streaming-input bookkeeping, the audio buffer fed from an SDK thread, and the faults: no key,
an error status, a stream cut mid-way, a server that never finishes."""

from __future__ import annotations

import asyncio
import base64
import io
import threading
import wave

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.message import Msg
from ascope_nb.redact import redact_text
from ascope_nb.testing.speech_server import FakeSpeechServer, tone_pcm
from ascope_nb.tts import OpenAITTSModel, TTSResponse, _audio_buffer
from ascope_nb.tts._audio_buffer import AudioBuffer
from ascope_nb.tts._incremental import IncrementalText

TEXT = "Hello from the notebook."


def _openai(server: FakeSpeechServer, **kwargs) -> OpenAITTSModel:
    return OpenAITTSModel(
        api_key="sk-tts-secret-123456",
        client_kwargs={"base_url": server.base_url, "max_retries": 0},
        **kwargs,
    )


async def test_openai_whole_audio_over_http_matches_the_server() -> None:
    with FakeSpeechServer() as server:
        response = await _openai(server, stream=False, voice="coral").synthesize(
            Msg("Friday", TEXT, "assistant")
        )
    assert isinstance(response, TTSResponse) and response.is_last
    assert base64.b64decode(response.content["source"]["data"]) == tone_pcm(TEXT)
    assert response.content["source"]["media_type"] == "audio/pcm"
    sent = server.requests[0]
    assert (sent["input"], sent["voice"], sent["response_format"]) == (TEXT, "coral", "pcm")
    assert server.headers[0]["authorization"] == "Bearer sk-tts-secret-123456"


async def test_openai_streamed_chunks_add_up_to_the_audio() -> None:
    with FakeSpeechServer(chunk_bytes=4800) as server:
        stream = await _openai(server, stream=True).synthesize(Msg("Friday", TEXT, "assistant"))
        chunks = [chunk async for chunk in stream]
    assert chunks[-1].is_last and not any(c.is_last for c in chunks[:-1])
    pieces = [base64.b64decode(c.content["source"]["data"]) for c in chunks[:-1]]
    assert b"".join(pieces) == tone_pcm(TEXT)
    assert len(pieces) > 2  # it did stream


async def test_openai_error_status_names_the_cause() -> None:
    with FakeSpeechServer(status=401, error_message="Incorrect API key provided") as server:
        with pytest.raises(Exception, match="Incorrect API key"):
            await _openai(server, stream=False).synthesize(Msg("Friday", TEXT, "assistant"))


@pytest.mark.timeout(60)
async def test_openai_stream_cut_mid_way_raises_instead_of_ending_quietly() -> None:
    with FakeSpeechServer(chunk_bytes=4800, die_after=2) as server:
        stream = await _openai(server, stream=True).synthesize(Msg("Friday", TEXT, "assistant"))
        got: list[TTSResponse] = []
        with pytest.raises(Exception):  # noqa: B017 - httpx's own "incomplete chunked read"
            async for chunk in stream:
                got.append(chunk)
    assert got and not any(c.is_last for c in got)  # never claimed to be complete


def test_missing_key_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError) as info:
        OpenAITTSModel(api_key="")
    assert str(info.value) == "OpenAITTSModel: no API key (pass api_key= or set OPENAI_API_KEY)"


def test_key_from_the_environment_is_used_and_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-abcdef987654")
    model = OpenAITTSModel(api_key="", stream=False)
    assert model._client.api_key == "sk-from-env-abcdef987654"
    assert "sk-from-env-abcdef987654" not in redact_text("failed with sk-from-env-abcdef987654")


def test_incremental_text_sends_only_what_is_new_and_holds_a_cold_start() -> None:
    text = IncrementalText(cold_start_words=3)
    msg = Msg("Friday", "Hello", "assistant")
    assert text.delta(msg) == ""  # one word: held back
    msg.content = "Hello there my friend"
    assert text.delta(msg) == "Hello there my friend"
    msg.content = "Hello there my friend, how are you?"
    assert text.delta(msg) == ", how are you?"
    assert text.delta(msg) == ""  # nothing new, nothing sent twice
    with pytest.raises(RuntimeError, match="one message at a time"):
        text.check(Msg("Friday", "other", "assistant"), "Model")


async def test_audio_buffer_fed_from_another_thread_streams_cumulative_chunks() -> None:
    buffer = AudioBuffer()
    pieces = [b"\x01\x00" * 100, b"\x02\x00" * 100, b"\x03\x00" * 100]

    def feed() -> None:
        for piece in pieces:
            buffer.add_audio(base64.b64encode(piece).decode())  # servers send base64 text
            threading.Event().wait(0.02)
        buffer.finish()

    threading.Thread(target=feed).start()
    chunks = [chunk async for chunk in buffer.get_audio_chunk()]
    assert chunks[-1].is_last
    assert base64.b64decode(chunks[-1].content["source"]["data"]) == b"".join(pieces)
    sizes = [len(base64.b64decode(c.content["source"]["data"])) for c in chunks if c.content]
    assert sizes == sorted(sizes)  # cumulative
    assert not buffer.has_audio_data()  # reset for the next utterance


async def test_audio_buffer_gives_up_when_the_server_never_finishes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_audio_buffer, "WAIT_S", 0.2)
    buffer = AudioBuffer()
    buffer.add_audio(b"\x00\x01")
    with pytest.raises(TimeoutError, match="sent nothing for"):
        await asyncio.wait_for(buffer.get_audio_data(block=True), 5)


async def test_audio_buffer_keeps_the_audio_of_a_dropped_connection() -> None:
    buffer = AudioBuffer()
    buffer.add_audio(b"\x05\x00" * 10)
    buffer.finish(error="closed 1006: abnormal")
    response = await buffer.get_audio_data(block=True)
    assert base64.b64decode(response.content["source"]["data"]) == b"\x05\x00" * 10
    assert buffer.error == "closed 1006: abnormal"


def test_tone_is_valid_pcm() -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24000)
        wav.writeframes(tone_pcm("abc"))
    assert len(tone_pcm("a" * 50)) == 2 * 24000  # 20 ms per char -> 1 s
