"""The short path of a served agent (``a2a/_fast.py``): a new task streamed over JSON-RPC
skips a2a-sdk's request handler yet lands in its task store; cancel and SubscribeToTask of
such a task, a failing request, a caller that leaves mid-stream, and the requests the short
path leaves to the SDK (answered exactly as the SDK's own server answers them). Real
servers on 127.0.0.1, a2a-sdk's own client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.types import (
    CancelTaskRequest,
    GetTaskRequest,
    ListTasksRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    SubscribeToTaskRequest,
    TaskState,
)
from support.a2a_agents import adder, sleeper
from support.a2a_servers import EchoExecutor, echo_app, running

from ascope_nb.a2a import WellKnownAgentCardResolver, serve
from ascope_nb.agent import A2AAgent
from ascope_nb.exceptions import A2AError
from ascope_nb.message import Msg


def _request(text: str, **ids: str) -> SendMessageRequest:
    return SendMessageRequest(
        message=Message(message_id=f"m-{text}", role=Role.ROLE_USER, parts=[Part(text=text)], **ids)
    )


async def _client(url: str, *, bindings: list[str] | None = None) -> Any:
    async with httpx.AsyncClient() as http:
        card = await A2ACardResolver(http, url).get_agent_card()
    return ClientFactory(ClientConfig(supported_protocol_bindings=bindings or [])).create(card)


def _state(event: Any) -> str:
    which = event.WhichOneof("payload")
    if which == "status_update":
        return TaskState.Name(event.status_update.status.state).removeprefix("TASK_STATE_")
    if which == "task":
        return TaskState.Name(event.task.status.state).removeprefix("TASK_STATE_")
    return which or ""


def _task_id(events: list[Any]) -> str:
    first = events[0]
    return str(first.task.id if first.HasField("task") else first.status_update.task_id)


def test_a_new_streamed_task_skips_the_sdk_handler_and_lands_in_its_task_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    through_sdk: list[str] = []
    original = DefaultRequestHandler.on_message_send_stream

    def counting(self: Any, params: Any, context: Any) -> Any:
        through_sdk.append(params.message.message_id)
        return original(self, params, context)

    monkeypatch.setattr(DefaultRequestHandler, "on_message_send_stream", counting)
    with serve(adder()) as server:

        async def talk() -> tuple[list[Any], Any]:
            client = await _client(server.url)
            try:
                events = [e async for e in client.send_message(_request("1+2?"))]
                stored = await client.get_task(GetTaskRequest(id=_task_id(events)))
                listed = await client.list_tasks(ListTasksRequest())
                assert _task_id(events) in [t.id for t in listed.tasks]
                return events, stored
            finally:
                await client.close()

        events, stored = asyncio.run(asyncio.wait_for(talk(), 60))
    assert through_sdk == []  # the short path took it
    states = [_state(e) for e in events]
    assert states[0] == "SUBMITTED" and "WORKING" in states and states[-1] == "COMPLETED"
    assert TaskState.Name(stored.status.state) == "TASK_STATE_COMPLETED"
    assert [p.text for a in stored.artifacts for p in a.parts] == ["It is 3."]


def test_subscribing_to_a_running_task_streams_the_rest_of_it() -> None:
    with serve(sleeper(seconds=1.0)) as server:

        async def talk() -> tuple[list[str], list[str]]:
            client = await _client(server.url)
            watcher = await _client(server.url)
            first: list[str] = []
            later: list[str] = []
            follow: asyncio.Task[None] | None = None

            async def watch(task_id: str) -> None:
                async for event in watcher.subscribe(SubscribeToTaskRequest(id=task_id)):
                    later.append(_state(event))

            try:
                async for event in client.send_message(_request("sleep")):
                    first.append(_state(event))
                    if follow is None and first[-1] == "WORKING":  # the slow call is running
                        follow = asyncio.ensure_future(watch(event.status_update.task_id))
                assert follow is not None
                await asyncio.wait_for(follow, 20)
                return first, later
            finally:
                await client.close()
                await watcher.close()

        first, later = asyncio.run(asyncio.wait_for(talk(), 60))
    assert first[-1] == "COMPLETED"
    assert later[0] == "WORKING"  # the task as it stood, then what came after
    assert later[-1] == "COMPLETED"


def test_cancel_over_rest_of_a_task_waiting_for_approval_stops_it_and_frees_the_agent() -> None:
    agent = adder(require_approval="add")
    with serve(agent) as server:

        async def talk() -> tuple[list[str], str, str, list[str]]:
            client = await _client(server.url)
            rest = await _client(server.url, bindings=["HTTP+JSON"])
            try:
                events = [e async for e in client.send_message(_request("1+2?"))]
                cancelled = await rest.cancel_task(CancelTaskRequest(id=_task_id(events)))
                stored = await client.get_task(GetTaskRequest(id=_task_id(events)))
                again = [_state(e) async for e in client.send_message(_request("again"))]
                return (
                    [_state(e) for e in events],
                    TaskState.Name(cancelled.status.state),
                    TaskState.Name(stored.status.state),
                    again,
                )
            finally:
                await client.close()
                await rest.close()

        states, cancelled, stored, again = asyncio.run(asyncio.wait_for(talk(), 60))
    assert states[-1] == "INPUT_REQUIRED"
    assert cancelled == stored == "TASK_STATE_CANCELED"
    assert again[-1] == "COMPLETED"  # the shared agent was given back (no hang)


def test_a_failing_request_is_one_line_naming_the_url_and_the_next_one_works() -> None:
    made: list[int] = []

    def factory() -> Any:
        made.append(1)
        return object() if len(made) == 1 else adder()

    with serve(factory, name="Flaky") as server:

        async def talk() -> tuple[str, str]:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remote = A2AAgent(card, timeout=20)
            remote.set_console_output_enabled(False)
            with pytest.raises(A2AError) as failed:
                await remote(Msg("user", "1+2?", "user"))
            reply = await remote(Msg("user", "1+2?", "user"))
            return str(failed.value), reply.get_text_content() or ""

        why, answer = asyncio.run(asyncio.wait_for(talk(), 60))
    assert "\n" not in why and server.url in why and "factory" in why
    assert answer == "It is 3."


def test_a_caller_leaving_mid_stream_leaves_the_run_going() -> None:
    from ascope_nb.run import runs as process_runs

    agent = sleeper(seconds=0.5)
    with serve(agent) as server:

        async def talk() -> tuple[str, str]:
            body = {
                "jsonrpc": "2.0",
                "id": 7,
                "method": "SendStreamingMessage",
                "params": {
                    "message": {"messageId": "x", "role": "ROLE_USER", "parts": [{"text": "z"}]}
                },
            }
            task_id = ""
            async with httpx.AsyncClient(timeout=20) as http:
                headers = {"A2A-Version": "1.0"}
                async with http.stream("POST", server.url, json=body, headers=headers) as answer:
                    async for line in answer.aiter_lines():
                        if line.startswith("data:"):
                            task_id = json.loads(line[5:])["result"]["task"]["id"]
                            break  # and hang up
            client = await _client(server.url)
            try:
                for _ in range(200):
                    stored = await client.get_task(GetTaskRequest(id=task_id))
                    if stored.status.state == TaskState.TASK_STATE_COMPLETED:
                        break
                    await asyncio.sleep(0.05)
                again = [_state(e) async for e in client.send_message(_request("again"))]
            finally:
                await client.close()
            return TaskState.Name(stored.status.state), again[-1]

        state, again = asyncio.run(asyncio.wait_for(talk(), 60))
        served = [r for r in process_runs() if r.agents == [agent]]
    assert state == "TASK_STATE_COMPLETED" and again == "COMPLETED"
    assert served and served[0].status == "completed"


BAD_REQUESTS: dict[str, tuple[bytes, dict[str, str]]] = {
    "no version header (A2A 0.3)": (
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "SendStreamingMessage",
                "params": {
                    "message": {"messageId": "a", "role": "ROLE_USER", "parts": [{"text": "x"}]}
                },
            }
        ).encode(),
        {},
    ),
    "not JSON": (b"{not json", {"A2A-Version": "1.0"}),
    "no parts": (
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "SendStreamingMessage",
                "params": {"message": {"messageId": "b", "role": "ROLE_USER", "parts": []}},
            }
        ).encode(),
        {"A2A-Version": "1.0"},
    ),
    "an unknown task": (
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "SendStreamingMessage",
                "params": {
                    "message": {
                        "messageId": "c",
                        "role": "ROLE_USER",
                        "taskId": "no-such-task",
                        "parts": [{"text": "x"}],
                    }
                },
            }
        ).encode(),
        {"A2A-Version": "1.0"},
    ),
    "a wrong jsonrpc version": (
        json.dumps({"jsonrpc": "1.0", "id": 4, "method": "SendStreamingMessage"}).encode(),
        {"A2A-Version": "1.0"},
    ),
}


def _error_codes(text: str) -> list[int]:
    """The JSON-RPC error codes of an answer (a JSON body or SSE frames)."""
    bodies = [line[5:] for line in text.splitlines() if line.startswith("data:")] or [text]
    codes = []
    for body in bodies:
        data = json.loads(body)
        if "error" in data:
            codes.append(int(data["error"]["code"]))
    return codes


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_requests_off_the_short_path_get_what_the_sdk_answers(case: str) -> None:
    payload, headers = BAD_REQUESTS[case]

    async def post(url: str) -> list[int]:
        async with httpx.AsyncClient(timeout=20) as http:
            answer = await http.post(
                url, content=payload, headers={"content-type": "application/json", **headers}
            )
        return _error_codes(answer.text)

    with serve(adder()) as server:
        ours = asyncio.run(post(server.url))
    with running(echo_app(EchoExecutor())) as url:  # a plain a2a-sdk server
        theirs = asyncio.run(post(url))
    assert ours and ours == theirs, (ours, theirs)


def _stored_shape(task: Any) -> dict[str, Any]:
    """A stored task without its ids and times: state, history and artifacts as text/data."""

    def parts(message_parts: Any) -> list[Any]:
        return [p.text if p.text else p.WhichOneof("content") for p in message_parts]

    return {
        "state": TaskState.Name(task.status.state),
        "status_message": parts(task.status.message.parts),
        "history": [(Role.Name(m.role), parts(m.parts)) for m in task.history],
        "artifacts": [(a.name, parts(a.parts)) for a in task.artifacts],
    }


def test_the_stored_task_is_what_the_sdk_handler_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    from ascope_nb.a2a._fast import FastPath

    async def task_after_one_request(url: str) -> dict[str, Any]:
        client = await _client(url)
        try:
            events = [e async for e in client.send_message(_request("1+2?"))]
            return _stored_shape(await client.get_task(GetTaskRequest(id=_task_id(events))))
        finally:
            await client.close()

    with serve(adder()) as server:
        short = asyncio.run(asyncio.wait_for(task_after_one_request(server.url), 60))
    monkeypatch.setattr(FastPath, "_plan", lambda self, request, body: None)  # all by the SDK
    with serve(adder()) as server:
        by_sdk = asyncio.run(asyncio.wait_for(task_after_one_request(server.url), 60))
    assert short["state"] == "TASK_STATE_COMPLETED" and short["artifacts"]
    assert short == by_sdk


@pytest.mark.parametrize("started_by", ["short path", "sdk handler"])
def test_cancel_after_the_approval_was_answered_stops_the_run(
    started_by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if started_by == "sdk handler":
        from ascope_nb.a2a._fast import FastPath

        monkeypatch.setattr(FastPath, "_plan", lambda self, request, body: None)
    from support.a2a_agents import slow

    from ascope_nb.agent import ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.testing import ScriptedModel, tool_call
    from ascope_nb.tool import Toolkit

    toolkit = Toolkit()
    toolkit.register_tool_function(slow)
    agent = ReActAgent(
        name="Careful",
        sys_prompt="",
        model=ScriptedModel([[tool_call("slow", seconds=30)], "stopped", "fine"]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        require_approval="slow",
    )
    agent.set_console_output_enabled(False)
    with serve(agent) as server:

        async def talk() -> tuple[str, list[str], list[str]]:
            client = await _client(server.url)
            try:
                events = [e async for e in client.send_message(_request("sleep"))]
                task_id, context_id = _task_id(events), events[0].task.context_id
                answer = _request("approve", task_id=task_id, context_id=context_id)
                resumed: list[str] = []
                async for event in client.send_message(answer):  # carried on by the SDK
                    resumed.append(_state(event))
                    if resumed[-1] == "WORKING" and "CANCEL" not in resumed:  # slow() runs
                        resumed.append("CANCEL")
                        await client.cancel_task(CancelTaskRequest(id=task_id))
                again = [_state(e) async for e in client.send_message(_request("again"))]
                return _state(events[-1]), resumed, again
            finally:
                await client.close()

        asked, resumed, again = asyncio.run(asyncio.wait_for(talk(), 60))
    assert asked == "INPUT_REQUIRED"
    assert "CANCEL" in resumed and resumed[-1] == "CANCELED"
    assert again[-1] == "COMPLETED"  # the shared agent is free again
