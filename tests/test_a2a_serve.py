"""Serving ascope_nb agents over A2A, checked with a2a-sdk's own client on 127.0.0.1: the
card, streamed steps, cancel (memory stays valid), REST, approval as input-required,
factories per context, a shared agent taking turns, stored runs, and bad input."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.types import CancelTaskRequest, Message, Part, Role, SendMessageRequest, TaskState
from support.a2a_agents import adder, sleeper

from ascope_nb.a2a import WellKnownAgentCardResolver, serve
from ascope_nb.agent import A2AAgent
from ascope_nb.exceptions import A2AError
from ascope_nb.message import Msg


def _request(text: str | None, **ids: str) -> SendMessageRequest:
    parts = [Part(text=text)] if text is not None else [Part(url="https://example.com/a.png")]
    return SendMessageRequest(
        message=Message(message_id="m", role=Role.ROLE_USER, parts=parts, **ids)
    )


async def _client(url: str, *, bindings: list[str] | None = None) -> Any:
    async with httpx.AsyncClient() as http:
        card = await A2ACardResolver(http, url).get_agent_card()
    config = ClientConfig(supported_protocol_bindings=bindings or [])
    return card, ClientFactory(config).create(card)


async def _events(client: Any, request: SendMessageRequest) -> list[Any]:
    return [e async for e in client.send_message(request)]


def _states(events: list[Any]) -> list[str]:
    out = []
    for e in events:
        which = e.WhichOneof("payload")
        if which == "status_update":
            out.append(TaskState.Name(e.status_update.status.state).removeprefix("TASK_STATE_"))
        elif which in ("task", "artifact_update"):
            out.append(which)
    return out


def test_served_agent_answers_the_sdk_client_with_streamed_steps() -> None:
    agent = adder()
    with serve(agent, description="adds numbers") as server:

        async def talk() -> tuple[Any, list[Any]]:
            card, client = await _client(server.url)
            try:
                return card, await _events(client, _request("what is 1+2?"))
            finally:
                await client.close()

        card, events = asyncio.run(talk())
    assert card.name == "Friday" and card.description == "adds numbers"
    assert card.capabilities.streaming
    assert {s.name for s in card.skills} == {"add", "slow"}
    assert card.supported_interfaces[0].url == server.url
    states = _states(events)
    assert states[0] == "task" and states[1] == "WORKING"
    assert states[-2:] == ["artifact_update", "COMPLETED"]
    steps = [e.status_update for e in events if e.WhichOneof("payload") == "status_update"]
    kinds = [p.WhichOneof("content") for s in steps for p in s.status.message.parts]
    assert "data" in kinds  # the tool call and its result streamed as data parts
    artifact = next(e.artifact_update.artifact for e in events if e.HasField("artifact_update"))
    assert [p.text for p in artifact.parts] == ["It is 3."]
    assert not server.running


def test_rest_transport_works_too() -> None:
    with serve(adder()) as server:

        async def talk() -> list[Any]:
            _, client = await _client(server.url, bindings=["HTTP+JSON"])
            try:
                return await _events(client, _request("1+2?"))
            finally:
                await client.close()

        events = asyncio.run(talk())
    assert _states(events)[-1] == "COMPLETED"


def test_cancel_stops_the_run_and_memory_stays_valid() -> None:
    agent = sleeper(seconds=30)
    with serve(agent) as server:

        async def talk() -> tuple[list[str], list[str]]:
            _, client = await _client(server.url)
            seen: list[Any] = []
            cancelled: list[Any] = []
            try:
                async for event in client.send_message(_request("sleep")):
                    seen.append(event)
                    update = event.status_update if event.HasField("status_update") else None
                    calling = update is not None and any(
                        p.HasField("data") for p in update.status.message.parts
                    )
                    if calling and not cancelled:  # the slow tool is running: cancel once
                        cancelled.append(
                            await client.cancel_task(CancelTaskRequest(id=update.task_id))
                        )
                again = await _events(client, _request("wake up"))
                return _states(seen), _states(again)
            finally:
                await client.close()

        first, second = asyncio.run(asyncio.wait_for(talk(), 60))
    assert first[-1] == "CANCELED"
    assert second[-1] == "COMPLETED"  # the agent answers the next request
    memory = asyncio.run(agent.memory.get_memory())
    results = [b for m in memory for b in m.get_content_blocks("tool_result")]
    assert "interrupted" in str(results[0]["output"])  # the cut call has its result


def test_approval_is_input_required_and_resumes() -> None:
    agent = adder(require_approval="add")
    with serve(agent) as server:

        async def talk() -> list[Msg]:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remote = A2AAgent(card, timeout=20)
            remote.set_console_output_enabled(False)
            asked = await remote(Msg("user", "1+2?", "user"))
            done = await remote(Msg("user", "approve", "user"))
            return [asked, done]

        asked, done = asyncio.run(talk())
    assert asked.metadata["_a2a_state"] == "input_required"
    assert "add(" in asked.get_text_content()
    assert done.get_text_content() == "It is 3."
    results = [
        b
        for m in asyncio.run(agent.memory.get_memory())
        for b in m.get_content_blocks("tool_result")
    ]
    assert results[0]["output"][0]["text"] == "3"  # the approved call ran


def test_factory_gives_each_context_its_own_agent() -> None:
    made: list[Any] = []

    def factory() -> Any:
        made.append(adder(name="Fresh"))
        return made[-1]

    with serve(factory, name="Fresh") as server:

        async def talk() -> None:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            one, two = A2AAgent(card, timeout=20), A2AAgent(card, timeout=20)
            for remote in (one, two):
                remote.set_console_output_enabled(False)
            await one(Msg("user", "a", "user"))
            await one(Msg("user", "b", "user"))  # same context: same agent
            await two(Msg("user", "c", "user"))

        asyncio.run(talk())
    assert len(made) == 2
    sizes = [len(asyncio.run(a.memory.get_memory())) for a in made]
    assert sizes[0] > sizes[1]  # the first kept both turns


def test_a_shared_agent_takes_turns() -> None:
    agent = adder(turns=6)
    with serve(agent) as server:

        async def talk() -> list[Msg]:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remotes = [A2AAgent(card, timeout=30) for _ in range(3)]
            for remote in remotes:
                remote.set_console_output_enabled(False)
            return await asyncio.gather(*(r(Msg("user", "1+2?", "user")) for r in remotes))

        replies = asyncio.run(talk())
    assert [r.get_text_content() for r in replies] == ["It is 3."] * 3
    memory = asyncio.run(agent.memory.get_memory())
    roles = [m.role for m in memory]
    assert roles.count("user") == 3  # three whole turns, none interleaved into another
    for i, msg in enumerate(memory):
        if msg.role == "user":
            assert memory[i + 1].get_content_blocks("tool_use"), "a turn was interleaved"


def test_served_requests_are_stored_runs() -> None:
    from ascope_nb import runs

    with serve(adder(name="Stored")) as server:

        async def talk() -> None:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remote = A2AAgent(card, timeout=20)
            remote.set_console_output_enabled(False)
            await remote(Msg("user", "1+2?", "user"))

        asyncio.run(talk())
    frame = runs(agent="Stored")
    assert len(frame) >= 1 and frame.status[0] == "completed"


def test_request_without_text_is_rejected_in_one_line() -> None:
    with serve(adder()) as server:

        async def talk() -> list[Any]:
            _, client = await _client(server.url)
            try:
                return await _events(client, _request(None))
            finally:
                await client.close()

        events = asyncio.run(talk())
    last = events[-1].status_update.status
    assert last.state == TaskState.TASK_STATE_REJECTED
    assert last.message.parts[0].text == "Friday: the request has no text part"


def test_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(
            A2AError, match=rf"cannot serve 'Friday' on 127.0.0.1:{port}: port already in use"
        ):
            serve(adder(), port=port)


def test_serve_refuses_what_is_not_an_agent() -> None:
    from ascope_nb.exceptions import ConfigError

    with pytest.raises(ConfigError, match="needs an agent"):
        serve(42)


def test_secrets_never_leave_over_a2a(monkeypatch: pytest.MonkeyPatch) -> None:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.redact import refresh
    from ascope_nb.testing import ScriptedModel

    secret = "s3cr3t-value-that-is-long-enough"
    monkeypatch.setenv("MY_SERVICE_TOKEN", secret)
    refresh()
    leaky = ReActAgent(
        name="Leaky",
        sys_prompt="x",
        model=ScriptedModel([f"the token is {secret}"]),
        formatter=OpenAIChatFormatter(),
    )
    leaky.set_console_output_enabled(False)
    with serve(leaky) as server:

        async def talk() -> list[Any]:
            _, client = await _client(server.url)
            try:
                return await _events(client, _request("tell me"))
            finally:
                await client.close()

        events = asyncio.run(talk())
    wire = "".join(str(e) for e in events)
    assert secret not in wire
    artifact = next(e.artifact_update.artifact for e in events if e.HasField("artifact_update"))
    assert artifact.parts[0].text == "the token is [REDACTED]"


def test_credentials_in_a_remote_url_are_not_shown() -> None:
    from support.a2a_servers import card_for, free_port

    url = f"http://bob:hunter2pass@127.0.0.1:{free_port()}"
    remote = A2AAgent(card_for(url), timeout=5)
    remote.set_console_output_enabled(False)
    with pytest.raises(A2AError) as info:
        asyncio.run(remote(Msg("user", "hi", "user")))
    assert "hunter2pass" not in str(info.value) and "127.0.0.1" in str(info.value)


def test_to_a2a_app_runs_on_any_asgi_server() -> None:
    from support.a2a_servers import running

    from ascope_nb.a2a import to_a2a_app

    agent = adder(name="Hosted")
    with running(lambda url: to_a2a_app(agent, url=url, skills=["adding"])) as url:

        async def talk() -> tuple[Any, Msg]:
            card = await WellKnownAgentCardResolver(url).get_agent_card()
            remote = A2AAgent(card, timeout=20)
            remote.set_console_output_enabled(False)
            return card, await remote(Msg("user", "1+2?", "user"))

        card, reply = asyncio.run(talk())
    assert [s.name for s in card.skills] == ["adding"]
    assert reply.get_text_content() == "It is 3."


def test_stopping_the_caller_cancels_the_remote_task() -> None:
    from ascope_nb.run import runs as process_runs

    agent = sleeper(seconds=30)
    with serve(agent) as server:

        async def talk() -> tuple[Msg, list[str]]:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remote = A2AAgent(card, timeout=30)
            remote.set_console_output_enabled(False)
            calling = asyncio.Event()
            remote.subscribe(lambda e: calling.set() if e.kind == "tool_call" else None)
            reply = asyncio.ensure_future(remote(Msg("user", "sleep", "user")))
            await asyncio.wait_for(calling.wait(), 20)  # the remote's tool call streamed here
            await remote.interrupt()
            stopped = await reply
            return stopped, [m.get_text_content() or "" for m in remote._observed_msgs]

        stopped, kept = asyncio.run(asyncio.wait_for(talk(), 60))
        served = [r for r in process_runs() if r.agents == [agent]]
        assert served and served[-1].status == "interrupted"  # the Stop reached the server
    assert stopped.metadata["_is_interrupted"] is True
    assert kept[-1].startswith("I noticed that you have interrupted me")
    memory = asyncio.run(agent.memory.get_memory())
    results = [b for m in memory for b in m.get_content_blocks("tool_result")]
    assert "interrupted" in str(results[0]["output"])
