"""RealtimeAgent over a real WebSocket (fake OpenAI Realtime server): text in, agent events
out; a tool call runs and its result goes back; a crash ends the agent visibly."""

from __future__ import annotations

import asyncio
import base64
from array import array

import pytest

from ascope_nb.agent import RealtimeAgent
from ascope_nb.agent._realtime import resample_pcm16
from ascope_nb.realtime import ClientEvents, ModelEvents, OpenAIRealtimeModel, ServerEvents
from ascope_nb.testing.realtime_server import FakeRealtimeServer
from ascope_nb.tool import Toolkit


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


async def _until(queue: asyncio.Queue, kind: type, timeout: float = 10.0) -> list:
    events = []
    while True:
        events.append(await asyncio.wait_for(queue.get(), timeout))
        if isinstance(events[-1], kind):
            return events


def _model(server: FakeRealtimeServer) -> OpenAIRealtimeModel:
    return OpenAIRealtimeModel(
        model_name="gpt-realtime", api_key="sk-agent-rt-5566778899", base_url=server.url
    )


@pytest.mark.timeout(60)
async def test_text_in_agent_events_out_then_a_crash_ends_the_agent() -> None:
    with FakeRealtimeServer(replies=["Hello!", "a long answer " * 10], drop_after=3) as server:
        agent = RealtimeAgent("Friday", "Be brief.", _model(server))
        queue: asyncio.Queue = asyncio.Queue()
        await agent.start(queue)
        assert isinstance(
            (await _until(queue, ServerEvents.AgentReadyEvent))[-1], ServerEvents.AgentReadyEvent
        )
        text = {"type": "client_text_append", "session_id": "s1", "text": "hi"}
        await agent.handle_input(ClientEvents.from_json(text))
        events = await _until(queue, ServerEvents.AgentResponseDoneEvent)
        assert all(e.agent_name == "Friday" and e.agent_id == agent.id for e in events)
        transcript = [
            e.delta
            for e in events
            if isinstance(e, ServerEvents.AgentResponseAudioTranscriptDeltaEvent)
        ]
        assert transcript == ["Hello!"]
        await agent.handle_input(ClientEvents.from_json({**text, "text": "more"}))
        events = await _until(queue, ServerEvents.AgentEndedEvent)
        assert any(
            isinstance(e, ServerEvents.AgentErrorEvent) and e.error_type == "connection"
            for e in events
        )
        await agent.handle_input(ClientEvents.from_json({**text, "text": "still there?"}))
        error = await asyncio.wait_for(queue.get(), 10)
        assert isinstance(error, ServerEvents.AgentErrorEvent) and "not connected" in error.message
        await agent.stop()
    sent = [m for m in server.received if m["type"] == "conversation.item.create"]
    assert [m["item"]["content"][0]["text"] for m in sent] == ["hi", "more"]
    assert server.received[0]["session"]["instructions"] == "Be brief."


class RecordingModel(OpenAIRealtimeModel):
    """A realtime model whose connection is a list (the model side is faked here)."""

    def __init__(self) -> None:
        super().__init__(model_name="fake", api_key="k-000000000")
        self.sent: list = []

    async def connect(self, outgoing_queue, instructions, tools=None) -> None:
        self.tools = tools

    async def send(self, data) -> None:
        self.sent.append(data)

    async def disconnect(self) -> None:
        pass


async def test_tool_call_runs_and_its_result_goes_back_to_the_model() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    model = RecordingModel()
    agent = RealtimeAgent("Friday", "x", model, toolkit=toolkit)
    queue: asyncio.Queue = asyncio.Queue()
    await agent.start(queue)
    assert model.tools[0]["function"]["name"] == "add"
    call = {"type": "tool_use", "id": "call_1", "name": "add", "input": {"a": 2, "b": 3}}
    await agent._model_response_queue.put(
        ModelEvents.ModelResponseToolUseDoneEvent(response_id="r1", item_id="i1", tool_use=call)
    )
    events = await _until(queue, ServerEvents.AgentResponseToolResultEvent)
    await agent.stop()
    assert isinstance(events[0], ServerEvents.AgentResponseToolUseDoneEvent)
    result = events[-1].tool_result
    assert result["id"] == "call_1" and result["output"][0]["text"] == "5"
    assert model.sent == [result]


def test_resampling_keeps_duration_and_shape() -> None:
    ramp = array("h", range(0, 3200, 2))  # 1600 samples at 16 kHz = 0.1 s
    pcm = base64.b64encode(ramp.tobytes()).decode()
    up = array("h", base64.b64decode(resample_pcm16(pcm, 16000, 24000)))
    assert len(up) == 2400 and up[0] == 0 and up == array("h", sorted(up))
    assert resample_pcm16(pcm, 16000, 16000) == pcm
