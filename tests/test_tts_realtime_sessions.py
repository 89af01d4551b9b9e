"""The streaming-input TTS models' session logic with the real DashScope callback classes and a
fake Qwen TTS realtime client that answers from its own thread (as the SDK does): two
utterances in a row, text sent once, one message at a time, a connection dropped mid-way."""

from __future__ import annotations

import base64
import threading

import pytest

from ascope_nb.message import Msg
from ascope_nb.tts import DashScopeRealtimeTTSModel

PIECE = b"\x10\x00" * 240


class FakeQwenTtsRealtime:
    """Stands in for ``dashscope.audio.qwen_tts_realtime.QwenTtsRealtime``."""

    made: list[FakeQwenTtsRealtime] = []
    drop_on_finish = False

    def __init__(self, model: str, callback, **kwargs) -> None:
        self.callback = callback
        self.texts: list[str] = []
        self.closed = False
        FakeQwenTtsRealtime.made.append(self)

    def connect(self) -> None:
        self.callback.on_event({"type": "session.created"})

    def update_session(self, **kwargs) -> None:
        self.session = kwargs

    def append_text(self, text: str) -> None:
        self.texts.append(text)
        delta = base64.b64encode(PIECE).decode()
        threading.Thread(
            target=self.callback.on_event, args=({"type": "response.audio.delta", "delta": delta},)
        ).start()

    def finish(self) -> None:
        def end() -> None:
            threading.Event().wait(0.05)
            if FakeQwenTtsRealtime.drop_on_finish:
                self.callback.on_close(1006, "abnormal closure")
            else:
                self.callback.on_event({"type": "session.finished"})

        threading.Thread(target=end).start()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_sdk(monkeypatch: pytest.MonkeyPatch):
    import dashscope.audio.qwen_tts_realtime as sdk

    FakeQwenTtsRealtime.made = []
    FakeQwenTtsRealtime.drop_on_finish = False
    monkeypatch.setattr(sdk, "QwenTtsRealtime", FakeQwenTtsRealtime)
    return FakeQwenTtsRealtime


def _pcm(response) -> bytes:
    return base64.b64decode(response.content["source"]["data"])


async def test_two_utterances_each_get_their_own_session_and_text_is_sent_once(fake_sdk) -> None:
    async with DashScopeRealtimeTTSModel(api_key="sk-qwen-tts-11223344", stream=False) as tts:
        first = Msg("Friday", "Hello", "assistant")
        await tts.push(first)
        first.content = "Hello there."
        await tts.push(first)
        spoken = await tts.synthesize(first)
        assert fake_sdk.made[0].texts == ["Hello", " there."]
        assert _pcm(spoken) == PIECE * 2

        second = Msg("Friday", "Bye.", "assistant")
        spoken = await tts.synthesize(second)
        assert len(fake_sdk.made) == 2 and fake_sdk.made[0].closed
        assert fake_sdk.made[1].texts == ["Bye."]
        assert _pcm(spoken) == PIECE


async def test_a_second_message_before_the_first_is_finished_is_refused(fake_sdk) -> None:
    async with DashScopeRealtimeTTSModel(api_key="sk-qwen-tts-11223344", stream=False) as tts:
        await tts.push(Msg("Friday", "One", "assistant"))
        with pytest.raises(RuntimeError, match="one message at a time"):
            await tts.push(Msg("Friday", "Two", "assistant"))


async def test_streamed_speech_ends_with_the_whole_audio(fake_sdk) -> None:
    async with DashScopeRealtimeTTSModel(api_key="sk-qwen-tts-11223344", stream=True) as tts:
        stream = await tts.synthesize(Msg("Friday", "Streaming words.", "assistant"))
        chunks = [chunk async for chunk in stream]
    assert chunks[-1].is_last and _pcm(chunks[-1]) == PIECE


async def test_connection_dropped_mid_utterance_keeps_what_arrived(fake_sdk) -> None:
    fake_sdk.drop_on_finish = True
    async with DashScopeRealtimeTTSModel(api_key="sk-qwen-tts-11223344", stream=False) as tts:
        callback = tts._dashscope_callback
        spoken = await tts.synthesize(Msg("Friday", "Cut short.", "assistant"))
    assert _pcm(spoken) == PIECE
    assert callback.error == "closed 1006: abnormal closure"


async def test_push_before_connect_is_refused(fake_sdk) -> None:
    tts = DashScopeRealtimeTTSModel(api_key="sk-qwen-tts-11223344")
    with pytest.raises(RuntimeError, match="not connected"):
        await tts.push(Msg("Friday", "hi", "assistant"))
