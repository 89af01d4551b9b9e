"""ascope_nb.realtime over a real WebSocket (the fake OpenAI Realtime server): a session, a
spoken answer, and the faults: no key, nothing listening, a server that crashes mid-answer,
sending before connecting, malformed messages."""

from __future__ import annotations

import asyncio
import base64
import socket

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.message import TextBlock
from ascope_nb.realtime import (
    ClientEvents,
    DashScopeRealtimeModel,
    GeminiRealtimeModel,
    ModelEvents,
    OpenAIRealtimeModel,
    ServerEvents,
)
from ascope_nb.testing.realtime_server import FakeRealtimeServer
from ascope_nb.testing.speech_server import tone_pcm


def _model(server: FakeRealtimeServer) -> OpenAIRealtimeModel:
    return OpenAIRealtimeModel(
        model_name="gpt-realtime", api_key="sk-rt-secret-0987654321", base_url=server.url
    )


async def _drain(queue: asyncio.Queue, until: type, timeout: float = 10.0) -> list:
    events = []
    while True:
        event = await asyncio.wait_for(queue.get(), timeout)
        events.append(event)
        if isinstance(event, until):
            return events


@pytest.mark.timeout(60)
async def test_openai_session_answers_text_with_audio_and_transcript() -> None:
    with FakeRealtimeServer(replies=["Hi there"]) as server:
        model = _model(server)
        queue: asyncio.Queue = asyncio.Queue()
        tool = {"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}
        await model.connect(queue, instructions="Be brief.", tools=[tool])
        events = await _drain(queue, ModelEvents.ModelSessionCreatedEvent)
        await model.send(TextBlock(type="text", text="hello"))
        events = await _drain(queue, ModelEvents.ModelResponseDoneEvent)
        await model.disconnect()
    setup = server.received[0]
    assert setup["type"] == "session.update"
    assert setup["session"]["instructions"] == "Be brief."
    assert setup["session"]["tools"][0]["name"] == "add"
    assert server.headers[0]["authorization"] == "Bearer sk-rt-secret-0987654321"
    assert isinstance(events[0], ModelEvents.ModelResponseCreatedEvent)
    audio = b"".join(
        base64.b64decode(e.delta)
        for e in events
        if isinstance(e, ModelEvents.ModelResponseAudioDeltaEvent)
    )
    assert audio == tone_pcm("Hi there")
    transcript = [
        e for e in events if isinstance(e, ModelEvents.ModelResponseAudioTranscriptDeltaEvent)
    ]
    assert [t.delta for t in transcript] == ["Hi there"]
    done = events[-1]
    assert (done.response_id, done.input_tokens, done.output_tokens) == ("resp_2", 3, 5)
    front = ServerEvents.from_model_event(done, agent_id="a1", agent_name="Friday")
    assert front.type == "agent_response_done" and front.agent_name == "Friday"


@pytest.mark.timeout(60)
async def test_server_crash_mid_answer_reports_an_error_and_ends_the_session() -> None:
    with FakeRealtimeServer(replies=["a long answer " * 10], drop_after=2) as server:
        model = _model(server)
        queue: asyncio.Queue = asyncio.Queue()
        await model.connect(queue, instructions="")
        await _drain(queue, ModelEvents.ModelSessionCreatedEvent)
        await model.send(TextBlock(type="text", text="talk"))
        events = await _drain(queue, ModelEvents.ModelSessionEndedEvent)
    deltas = [e for e in events if isinstance(e, ModelEvents.ModelResponseAudioDeltaEvent)]
    assert len(deltas) == 2
    errors = [e for e in events if isinstance(e, ModelEvents.ModelErrorEvent)]
    assert len(errors) == 1 and errors[0].error_type == "connection"
    assert "dropped" in events[-1].reason
    with pytest.raises(RuntimeError, match="not connected"):
        await model.send(TextBlock(type="text", text="anyone?"))


@pytest.mark.timeout(60)
async def test_nothing_listening_is_one_line_naming_the_url_without_the_key() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = OpenAIRealtimeModel(
        model_name="gpt-realtime",
        api_key="sk-never-shown-1234567",
        base_url=f"ws://127.0.0.1:{port}/rt",
    )
    with pytest.raises(ConnectionError) as info:
        await model.connect(asyncio.Queue(), instructions="")
    message = str(info.value)
    assert f"ws://127.0.0.1:{port}/rt" in message and "\n" not in message
    assert "sk-never-shown" not in message


async def test_send_before_connect_is_refused() -> None:
    model = OpenAIRealtimeModel(model_name="gpt-realtime", api_key="k-123456789")
    with pytest.raises(RuntimeError, match="not connected"):
        await model.send(TextBlock(type="text", text="hi"))


@pytest.mark.parametrize(
    ("cls", "env"),
    [
        (OpenAIRealtimeModel, "OPENAI_API_KEY"),
        (DashScopeRealtimeModel, "DASHSCOPE_API_KEY"),
        (GeminiRealtimeModel, "GEMINI_API_KEY"),
    ],
)
def test_missing_key_is_one_clear_line(
    cls: type, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(env, raising=False)
    with pytest.raises(ConfigError) as info:
        cls(model_name="m", api_key="")
    assert str(info.value) == f"{cls.__name__}: no API key (pass api_key= or set {env})"


def test_gemini_key_travels_in_a_header_not_the_url() -> None:
    model = GeminiRealtimeModel(model_name="gemini-live", api_key="AIza-secret-key-123")
    assert "AIza" not in model.websocket_url
    assert model.websocket_headers == {"x-goog-api-key": "AIza-secret-key-123"}


async def test_gemini_turn_complete_after_generation_complete_is_not_a_second_done() -> None:
    model = GeminiRealtimeModel(model_name="gemini-live", api_key="k-123456789")
    first = await model.parse_api_message(
        '{"serverContent": {"modelTurn": {"parts": [{"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": "AAA="}}]}}}'
    )
    done = await model.parse_api_message('{"serverContent": {"generationComplete": true}}')
    again = await model.parse_api_message('{"serverContent": {"turnComplete": true}}')
    assert isinstance(done, ModelEvents.ModelResponseDoneEvent)
    assert done.response_id == first.response_id
    assert again is None


def test_client_events_reject_bad_input_with_one_line() -> None:
    with pytest.raises(ValueError, match="Unknown ClientEvent type: 'client_dance'"):
        ClientEvents.from_json({"type": "client_dance"})
    with pytest.raises(ValueError, match="Invalid JSON data"):
        ClientEvents.from_json(["not", "a", "dict"])


@pytest.mark.timeout(60)
async def test_dashscope_session_over_its_own_event_names() -> None:
    with FakeRealtimeServer(replies=["Ni hao"], dialect="dashscope") as server:
        model = DashScopeRealtimeModel(
            model_name="qwen3-omni-flash-realtime",
            api_key="sk-ds-rt-1122334455",
            base_url=server.url,
        )
        queue: asyncio.Queue = asyncio.Queue()
        await model.connect(queue, instructions="Short answers.")
        await _drain(queue, ModelEvents.ModelSessionCreatedEvent)
        await model.send(TextBlock(type="text", text="hello"))
        events = await _drain(queue, ModelEvents.ModelResponseDoneEvent)
        await model.disconnect()
    session = server.received[0]["session"]
    assert (session["voice"], session["instructions"]) == ("Cherry", "Short answers.")
    audio = b"".join(
        base64.b64decode(e.delta)
        for e in events
        if isinstance(e, ModelEvents.ModelResponseAudioDeltaEvent)
    )
    assert audio == tone_pcm("Ni hao")
    assert any(isinstance(e, ModelEvents.ModelResponseAudioTranscriptDeltaEvent) for e in events)


def test_fake_server_refuses_an_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="unknown dialect 'klingon'"):
        FakeRealtimeServer(dialect="klingon")
