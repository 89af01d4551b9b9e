"""ReActAgent(tts_model=...): the reply is spoken as one playable audio message (WAV in a
MessageCompleted event, never in memory); a failing TTS service costs the voice, not the
reply."""

from __future__ import annotations

import base64
import io
import logging
import wave

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.agent._speech import collect_speech, playable_block
from ascope_nb.events import MessageCompleted
from ascope_nb.exceptions import ConfigError
from ascope_nb.fold import RunFold
from ascope_nb.message import Msg
from ascope_nb.testing import Reply, ScriptedModel
from ascope_nb.testing.speech_server import FakeSpeechServer, tone_pcm
from ascope_nb.tts import OpenAITTSModel, TTSModelBase, TTSResponse
from ascope_nb.tts._response import audio_block


def _agent(server: FakeSpeechServer, *, stream: bool) -> ReActAgent:
    tts = OpenAITTSModel(
        api_key="sk-agent-tts-44556677",
        stream=stream,
        client_kwargs={"base_url": server.base_url, "max_retries": 0},
    )
    return ReActAgent(
        "Friday", "You are Friday.", ScriptedModel([Reply("Sure, here you go.")]), tts_model=tts
    )


@pytest.mark.parametrize("stream", [False, True])
async def test_reply_is_spoken_as_a_wav_message_outside_memory(stream: bool) -> None:
    with FakeSpeechServer(chunk_bytes=4000) as server:
        agent = _agent(server, stream=stream)
        events = [e async for e in agent.stream(Msg("user", "hi", "user"))]
    spoken = [e for e in events if isinstance(e, MessageCompleted) and not e.added_to_memory]
    assert len(spoken) == 1
    block = spoken[0].msg["content"][0]
    assert block["source"]["media_type"] == "audio/wav"
    with wave.open(io.BytesIO(base64.b64decode(block["source"]["data"]))) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
        assert wav.readframes(wav.getnframes()) == tone_pcm("Sure, here you go.")
    assert server.requests[0]["input"] == "Sure, here you go."
    reply_id = spoken[0].msg["metadata"]["speech_of"]
    memory = await agent.memory.get_memory()
    assert [m.id for m in memory][-1] == reply_id  # the text reply, not the audio
    assert not any(b.get("type") == "audio" for m in memory for b in m.get_content_blocks())
    shown = [i for i in RunFold().extend(events).items if i.get("type") == "message"]
    assert [i["msg"]["content"][0]["type"] for i in shown] == ["audio"]  # the live view's row


async def test_failing_tts_keeps_the_reply_and_warns_once_without_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeSpeechServer(status=500, error_message="boom sk-agent-tts-44556677") as server:
        agent = _agent(server, stream=False)
        with caplog.at_level(logging.WARNING):
            reply = await agent(Msg("user", "hi", "user"))
    assert reply.get_text_content() == "Sure, here you go."
    warnings = [r.getMessage() for r in caplog.records if "no speech" in r.getMessage()]
    assert len(warnings) == 1 and "sk-agent-tts-44556677" not in warnings[0]


def test_a_tts_model_that_is_not_one_is_refused() -> None:
    with pytest.raises(ConfigError, match="tts_model must be a TTSModelBase"):
        ReActAgent("Friday", "x", ScriptedModel([Reply("hi")]), tts_model="openai")


class _Chunks(TTSModelBase):
    """A TTS model that streams scripted chunks (silence repeats on purpose)."""

    def __init__(self, chunks: list[bytes], *, cumulative: bool) -> None:
        super().__init__(model_name="scripted-tts", stream=True)
        self.chunks = chunks
        self.stream_chunks_cumulative = cumulative

    async def synthesize(self, msg=None, **kwargs):
        async def gen():
            for i, data in enumerate(self.chunks):
                last = i == len(self.chunks) - 1
                yield TTSResponse(content=audio_block(data, "audio/pcm;rate=16000"), is_last=last)

        return gen()


SILENCE = b"\x00\x00" * 50


@pytest.mark.parametrize(
    ("chunks", "cumulative"),
    [
        ([SILENCE, SILENCE * 2, SILENCE * 2], True),  # cumulative, last repeats all
        ([SILENCE, SILENCE, SILENCE], False),  # own bytes each, last repeats the last piece
    ],
)
async def test_repeated_silent_chunks_are_neither_lost_nor_doubled(
    chunks: list[bytes], cumulative: bool
) -> None:
    audio, media_type = await collect_speech(
        _Chunks(chunks, cumulative=cumulative), Msg("Friday", "...", "assistant")
    )
    assert audio == SILENCE * 2 and media_type == "audio/pcm;rate=16000"
    block = playable_block(audio, media_type)
    with wave.open(io.BytesIO(base64.b64decode(block["source"]["data"]))) as wav:
        assert wav.getframerate() == 16000 and wav.getnframes() == 100
