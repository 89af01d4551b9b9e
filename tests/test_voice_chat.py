"""voice_chat: recordings become turns (STT + ReAct + streamed TTS, or a RealtimeAgent);
speech streams as events; Stop and barge-in cut the speech at once; bad recordings are one
clear line and the conversation goes on."""

from __future__ import annotations

import asyncio
import io
import math
import struct
import wave

import pytest

import ascope_nb
from ascope_nb.agent import ReActAgent, RealtimeAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.realtime import OpenAIRealtimeModel
from ascope_nb.testing import FakeSTTModel, FakeTTSModel, ScriptedModel
from ascope_nb.testing.realtime_server import FakeRealtimeServer


def wav_tone(seconds: float = 0.5, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        frames = int(seconds * rate)
        wav.writeframes(
            b"".join(struct.pack("<h", int(6000 * math.sin(i / 5))) for i in range(frames))
        )
    return buffer.getvalue()


def kinds(chat, kind):
    return [e for e in chat.run.events if e.kind == kind]


def _agent(replies, **tts):
    return ReActAgent("Friday", "Be brief.", ScriptedModel(replies))


async def test_a_recording_is_heard_answered_and_spoken_as_it_is_synthesized() -> None:
    agent = _agent(["It is noon. Anything else?"])
    tts = FakeTTSModel(chunk_ms=200)
    chat = ascope_nb.voice_chat(agent, stt=FakeSTTModel(["what time is it"]), tts=tts)
    reply = await chat.say(wav_tone())
    assert reply.get_text_content() == "It is noon. Anything else?"
    user = kinds(chat, "reply_started")[0].input[0]
    assert user["content"] == "what time is it" and user["metadata"]["voice"]["duration"] == 0.5
    assert tts.calls == ["It is noon.", "Anything else?"]  # sentence by sentence
    started, ended = kinds(chat, "speech_started")[0], kinds(chat, "speech_ended")[0]
    chunks = kinds(chat, "speech_chunk")
    assert started.msg_id == reply.id and ended.status == "completed"
    assert [c.index for c in chunks] == list(range(len(chunks)))
    # chunks name the sentence they speak, in order
    spans = sorted({(c.text_start, c.text_end) for c in chunks})
    assert [started.text[a:b] for a, b in spans] == ["It is noon.", "Anything else?"]
    seqs = [e.seq for e in chat.run.events]
    assert seqs == sorted(seqs)
    first_chunk = chunks[0].seq
    assert first_chunk < kinds(chat, "speech_chunk")[-1].seq < ended.seq
    shown = [e.msg for e in kinds(chat, "message_completed") if not e.added_to_memory]
    heard, audio_msg = shown  # what was heard (shown at once), then the whole speech
    assert heard["content"] == "what time is it" and heard["id"] == user["id"]
    assert audio_msg["metadata"]["speech"]["status"] == "completed"
    assert audio_msg["metadata"]["speech_of"] == reply.id
    chat.close()
    await chat
    assert chat.run.status == "completed" and kinds(chat, "run_ended")[0].status == "completed"


async def test_stop_during_synthesis_cuts_the_speech_and_ends_the_chat() -> None:
    agent = _agent(["One. Two. Three. Four. Five.", "never asked"])
    tts = FakeTTSModel(chunk_ms=100, delay=0.05)
    chat = ascope_nb.voice_chat(agent, stt=FakeSTTModel(["count", "again"]), tts=tts)
    turn = chat.hear(wav_tone())
    while not kinds(chat, "speech_chunk"):
        await asyncio.sleep(0.01)
    queued = chat.hear(wav_tone())  # said before Stop, not answered after it
    chat.stop()
    reply = await asyncio.wait_for(turn, 5)
    ended = kinds(chat, "speech_ended")
    assert [e.status for e in ended] == ["interrupted"]
    sent = tts.chunks_sent
    assert not any(e.seq > ended[0].seq for e in kinds(chat, "speech_chunk"))
    await asyncio.sleep(0.3)
    assert tts.chunks_sent == sent  # synthesis stopped too, not only the events
    assert reply.metadata.get("_is_interrupted")
    assert await asyncio.wait_for(queued, 5) is None
    await asyncio.wait_for(chat.run.wait(), 5)
    assert chat.run.status == "interrupted"
    assert [e.status for e in kinds(chat, "reply_ended")] == ["interrupted"]
    assert len(agent.model.calls) == 1  # the dropped recording never reached the model
    with pytest.raises(ConfigError, match="has ended"):
        chat.hear(wav_tone())


async def test_stop_while_nobody_speaks_ends_the_chat() -> None:
    chat = ascope_nb.voice_chat(_agent(["Hi."]), stt=FakeSTTModel(["hi"]), tts=FakeTTSModel())
    assert (await chat.say(wav_tone())).get_text_content() == "Hi."
    chat.stop()
    await asyncio.wait_for(chat.run.wait(), 5)
    assert chat.run.status == "interrupted"
    assert kinds(chat, "run_ended")[0].status == "interrupted"


async def test_barge_in_interrupts_then_answers_the_new_utterance_in_order() -> None:
    agent = _agent(["A long story. " * 6, "Short answer."])
    tts = FakeTTSModel(chunk_ms=100, delay=0.05)
    chat = ascope_nb.voice_chat(agent, stt=FakeSTTModel(["tell me", "stop, be brief"]), tts=tts)
    first = chat.hear(wav_tone())
    while not kinds(chat, "speech_chunk"):
        await asyncio.sleep(0.01)
    second = chat.hear(wav_tone())  # speaking while the agent talks
    assert (await asyncio.wait_for(first, 5)).metadata.get("_is_interrupted")
    assert (await asyncio.wait_for(second, 5)).get_text_content() == "Short answer."
    order = [
        (e.kind, getattr(e, "status", None))
        for e in chat.run.events
        if e.kind in ("reply_started", "speech_ended", "reply_ended")
    ]
    assert order == [
        ("reply_started", None),
        ("speech_ended", "interrupted"),
        ("reply_ended", "interrupted"),
        ("reply_started", None),
        ("speech_ended", "completed"),
        ("reply_ended", "completed"),
    ]
    assert kinds(chat, "reply_started")[1].input[0]["content"] == "stop, be brief"
    chat.close()
    await chat


@pytest.mark.parametrize(
    ("audio", "media_type", "said"),
    [
        (b"garbage" * 10, "audio/wav", "not a WAV recording (70 bytes)"),
        (wav_tone(0.01), "audio/wav", "recording too short"),
        (wav_tone(), "audio/mpeg", "FakeSTTModel reads audio/wav, got 'audio/mpeg'"),
    ],
)
async def test_a_bad_recording_is_one_line_and_the_chat_goes_on(
    audio: bytes, media_type: str, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    chat = ascope_nb.voice_chat(_agent(["Hello."]), stt=FakeSTTModel(["hi"]), tts=FakeTTSModel())
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        await chat.say(audio, media_type=media_type)
    warnings = [r.getMessage() for r in caplog.records if "ascope voice" in r.getMessage()]
    assert len(warnings) == 1 and said in warnings[0] and "\n" not in warnings[0]
    assert (await chat.say(wav_tone())).get_text_content() == "Hello."
    chat.close()
    await chat
    assert chat.run.status == "completed"


async def test_a_failing_tts_mid_speech_ends_it_as_error_and_keeps_the_reply() -> None:
    tts = FakeTTSModel(chunk_ms=100, fail_after=2)
    chat = ascope_nb.voice_chat(_agent(["Hello there, friend."]), stt=FakeSTTModel(["hi"]), tts=tts)
    reply = await chat.say(wav_tone())
    assert reply.get_text_content() == "Hello there, friend."
    ended = kinds(chat, "speech_ended")[0]
    assert ended.status == "error" and "dropped the connection" in ended.error
    assert len(kinds(chat, "speech_chunk")) == 2
    chat.close()
    await chat


async def test_a_model_naming_its_sentences_gets_them_highlighted() -> None:
    """LocalTTSModel's chunk shape (one WAV per sentence, ``metadata["text"]``), here through
    its deterministic double, streamed through a streaming-input session."""
    from ascope_nb.testing import ToneTTSModel

    tts = ToneTTSModel(delay_s=0.01)
    chat = ascope_nb.voice_chat(
        _agent(["First one. Second one!"]), stt=FakeSTTModel(["go"]), tts=tts
    )
    await chat.say(wav_tone())
    started = kinds(chat, "speech_started")[0]
    said = [started.text[c.text_start : c.text_end] for c in kinds(chat, "speech_chunk")]
    assert said[0] == "First one." and said[-1] == "Second one!"
    assert kinds(chat, "speech_ended")[0].status == "completed"
    chat.close()
    await chat


def test_voice_chat_refuses_what_cannot_talk() -> None:
    with pytest.raises(ConfigError, match="needs stt="):
        ascope_nb.voice_chat(_agent(["x"]))
    with pytest.raises(ConfigError, match="tts= must be a TTSModelBase"):
        ascope_nb.voice_chat(_agent(["x"]), stt=FakeSTTModel(["x"]), tts=object())  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="ReActAgent or a RealtimeAgent"):
        ascope_nb.voice_chat(object())  # type: ignore[arg-type]


async def test_a_realtime_agent_hears_the_recording_and_its_answer_is_played() -> None:
    with FakeRealtimeServer(
        replies=["Hi from the cloud.", "Second."], respond_to_audio=True
    ) as server:
        model = OpenAIRealtimeModel(
            model_name="gpt-realtime", api_key="sk-fake", base_url=server.url
        )
        chat = ascope_nb.voice_chat(RealtimeAgent("Friday", "Be brief.", model))
        reply = await asyncio.wait_for(chat.say(wav_tone(0.5, rate=16000)), 10)
        assert reply.get_text_content() == "Hi from the cloud."
        appended = [m for m in server.received if m["type"] == "input_audio_buffer.append"]
        # resampled to the model's 24 kHz input: 0.5 s = 12,000 samples = 24,000 bytes
        import base64

        assert len(base64.b64decode(appended[0]["audio"])) == 24000
        assert kinds(chat, "speech_ended")[0].status == "completed"
        assert sum(len(c.data) for c in kinds(chat, "speech_chunk")) > 0
        assert [e.status for e in kinds(chat, "reply_ended")] == ["completed"]
        chat.close()
        await asyncio.wait_for(chat.run.wait(), 10)
    assert chat.run.status == "completed"


async def test_a_voice_conversation_exports_as_a_multi_turn_chat(tmp_path) -> None:
    """Speech events, the heard-words rows and the audio messages stay out of datasets."""
    import json

    from ascope_nb.export import export

    agent = _agent(["Paris.", "Rome."])
    chat = ascope_nb.voice_chat(agent, stt=FakeSTTModel(["France?", "Italy?"]), tts=FakeTTSModel())
    await chat.say(wav_tone())
    await chat.say(wav_tone())
    chat.close()
    await chat
    result = export(chat.run, "openai", tmp_path / "sft.jsonl")
    last = json.loads((tmp_path / "sft.jsonl").read_text().splitlines()[-1])
    assert result.records == 2
    assert [(m["role"], m["content"]) for m in last["messages"]] == [
        ("system", "Be brief."),
        ("user", "France?"),
        ("assistant", "Paris."),
        ("user", "Italy?"),
        ("assistant", "Rome."),
    ]
