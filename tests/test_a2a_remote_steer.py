"""Steering a remote A2A agent from the caller's run: guidance, Pause, Step and Resume reach
a served ``ascope_nb`` agent (its next model call sees the guidance, it holds and goes on);
a plain A2A server cannot take them, and says so in one line naming it; a remote step cannot
be forked.

Real loopback servers (``ascope_nb.a2a.serve`` and a plain a2a-sdk server) on 127.0.0.1;
scripted models.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

from support.a2a_agents import adder
from support.a2a_servers import EchoExecutor, card_for, echo_app, running

from ascope_nb.a2a import WellKnownAgentCardResolver, serve
from ascope_nb.agent import A2AAgent, ReActAgent
from ascope_nb.agent._a2a_control import (
    ACK_KEY,
    STEERING_EXTENSION,
    control_message,
    control_of,
    takes_control,
)
from ascope_nb.exceptions import ConfigError
from ascope_nb.fold import RunFold
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg, TextBlock
from ascope_nb.run import Run, start
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, ToolResponse

GUIDANCE = "Answer in French, please."


@pytest.fixture(autouse=True)
def scratch_store(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from ascope_nb import store

    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    store.set_default_store(None)
    yield
    store.set_default_store(None)


def gated(gate: threading.Event, *, replies: list[Any] | None = None) -> ReActAgent:
    """A served agent whose first step calls ``wait_gate`` (held until ``gate`` is set, from
    the test's thread), then answers "Fini." (and "Encore." on a second reply)."""

    async def wait_gate() -> ToolResponse:
        """Wait for the gate."""
        for _ in range(2000):
            if gate.is_set():
                break
            await asyncio.sleep(0.01)
        return ToolResponse(content=[TextBlock(type="text", text="open")])

    toolkit = Toolkit()
    toolkit.register_tool_function(wait_gate)
    agent = ReActAgent(
        name="Gated",
        sys_prompt="You wait.",
        model=ScriptedModel(replies or [[tool_call("wait_gate")], "Fini.", "Encore."]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    return agent


async def _remote(url: str) -> A2AAgent:
    card = await WellKnownAgentCardResolver(url).get_agent_card()
    remote = A2AAgent(card, timeout=20)
    remote.set_console_output_enabled(False)
    return remote


async def _until(run: Run, kind: str, *, status: str | None = None) -> None:
    """Wait (20 s at most) for an event of ``kind`` (and ``status``) in ``run``."""
    seen = asyncio.Event()

    def check(event: Any) -> None:
        if event.kind == kind and (status is None or getattr(event, "status", "") == status):
            seen.set()

    subscription = run.subscribe(check, replay=True)
    try:
        await asyncio.wait_for(seen.wait(), 20)
    finally:
        subscription.close()


def _said(call: Any) -> str:
    return "\n".join(str(m.get("content")) for m in call.messages)


def _kinds(run: Run, kind: str) -> list[dict[str, Any]]:
    return [e.to_dict() for e in run.events if e.kind == kind]


# ---------------------------------------------------------------- guidance
def test_the_served_card_declares_the_steering_extension() -> None:
    with serve(adder()) as server:
        card = asyncio.run(WellKnownAgentCardResolver(server.url).get_agent_card())
    assert takes_control(card)
    assert STEERING_EXTENSION in [e.uri for e in card.capabilities.extensions]
    assert not takes_control(card_for("http://127.0.0.1:1/"))  # a plain server's card


def test_guidance_reaches_the_remote_agents_next_model_call() -> None:
    gate = threading.Event()
    served = gated(gate)
    with serve(served) as server:

        async def talk() -> Run:
            remote = await _remote(server.url)
            run = start(remote, Msg("user", "wait, then answer", "user"))
            await _until(run, "tool_call")  # the remote is in its tool: step 0 is done
            run.steer(GUIDANCE)
            await remote.control.flush()
            gate.set()
            await asyncio.wait_for(run.wait(), 30)
            return run

        run = asyncio.run(asyncio.wait_for(talk(), 60))
    calls = served.model.calls
    assert len(calls) == 2
    assert GUIDANCE not in _said(calls[0]) and GUIDANCE in _said(calls[1])  # the next call
    (hint,) = _kinds(run, "hint_injected")  # the remote's hint, replayed into our view
    assert hint["text"] == GUIDANCE and hint["agent"] == "Gated"
    assert run.status == "completed" and run.result.get_text_content() == "Fini."


def test_guidance_while_the_remote_waits_for_approval_arrives_before_the_decision() -> None:
    served = adder(require_approval="add")
    with serve(served) as server:

        async def talk() -> Run:
            run = start(await _remote(server.url), Msg("user", "1+2?", "user"))
            await _until(run, "status_changed", status="waiting_approval")
            run.steer(GUIDANCE)
            call_id = (
                RunFold()
                .extend([e.to_dict() for e in run.events])
                .summary()["pending_approvals"][0]["tool_call_id"]
            )
            run.approve(call_id)  # at once: the guidance still goes first
            await asyncio.wait_for(run.wait(), 30)
            return run

        run = asyncio.run(asyncio.wait_for(talk(), 60))
    calls = served.model.calls
    assert len(calls) == 2 and GUIDANCE in _said(calls[1])
    assert run.status == "completed" and run.result.get_text_content() == "It is 3."


def test_guidance_given_between_replies_goes_with_the_next_request() -> None:
    gate = threading.Event()
    gate.set()
    served = gated(gate, replies=["Fini.", "Encore."])
    with serve(served) as server:

        async def talk() -> Run:
            remote = await _remote(server.url)
            await start(remote, Msg("user", "one", "user"))
            remote.control.steer(GUIDANCE)  # no remote task runs now
            run = start(remote, Msg("user", "two", "user"))
            await asyncio.wait_for(run.wait(), 30)
            return run

        run = asyncio.run(asyncio.wait_for(talk(), 60))
    calls = served.model.calls
    assert len(calls) == 2
    assert GUIDANCE not in _said(calls[0]) and GUIDANCE in _said(calls[1])
    assert [h["text"] for h in _kinds(run, "hint_injected")] == [GUIDANCE]


def test_guidance_the_remote_cannot_deliver_is_kept_for_the_next_request() -> None:
    """A request for a task the server no longer runs is answered "not running"; the
    caller keeps it (never dropped) and sends it with the next request."""
    gate = threading.Event()
    gate.set()
    served = gated(gate, replies=["Fini.", "Encore."])
    with serve(served) as server:

        async def talk() -> tuple[list[bool], Run]:
            remote = await _remote(server.url)
            first = start(remote, Msg("user", "one", "user"))
            await first
            task_id = "gone-task"  # ended and released, or never there: the same answer
            acks = [
                await remote._send_control(
                    [{"action": "steer", "text": GUIDANCE}], task_id, remote._context_id
                )
            ]
            remote.control.attach(task_id, remote._context_id, remote._send_control)
            remote.control.steer(GUIDANCE)
            await remote.control.flush()
            remote.control.detach()
            run = start(remote, Msg("user", "two", "user"))
            await asyncio.wait_for(run.wait(), 30)
            return acks, run

        acks, run = asyncio.run(asyncio.wait_for(talk(), 60))
    assert acks == [False]  # the ended task takes nothing
    calls = served.model.calls
    assert GUIDANCE in _said(calls[1])
    assert [h["text"] for h in _kinds(run, "hint_injected")] == [GUIDANCE]  # once


def test_a_control_request_for_another_context_is_not_applied() -> None:
    gate = threading.Event()
    served = gated(gate)
    with serve(served) as server:

        async def talk() -> tuple[str, Run]:
            from a2a.types import SendMessageRequest

            remote = await _remote(server.url)
            run = start(remote, Msg("user", "wait", "user"))
            await _until(run, "tool_call")
            task_id = remote.control._task[0] if remote.control._task else ""
            client = remote._factory().create(card=remote.agent_card)
            message = control_message(
                [{"action": "steer", "text": "evil"}], task_id=task_id, context_id="other"
            )
            acks = [
                item.message.metadata.fields[ACK_KEY].string_value
                async for item in client.send_message(SendMessageRequest(message=message))
                if item.WhichOneof("payload") == "message"
            ]
            gate.set()
            await asyncio.wait_for(run.wait(), 30)
            return acks[0], run

        ack, run = asyncio.run(asyncio.wait_for(talk(), 60))
    assert ack == "not_running"
    assert "evil" not in _said(served.model.calls[1])
    assert not _kinds(run, "hint_injected")


# ---------------------------------------------------------------- pause / step
def test_pause_holds_the_remote_and_step_and_resume_release_it() -> None:
    gate = threading.Event()
    served = gated(gate, replies=[[tool_call("wait_gate")], [tool_call("wait_gate")], "Fini."])
    with serve(served) as server:

        async def talk() -> tuple[Run, list[int]]:
            remote = await _remote(server.url)
            run = start(remote, Msg("user", "wait", "user"))
            await _until(run, "tool_call")
            run.pause()
            await remote.control.flush()
            gate.set()
            await _until(run, "status_changed", status="paused")  # the remote holds
            await asyncio.sleep(0.3)
            counts = [len(served.model.calls)]  # held: no model call
            run.step()
            while sum(1 for e in run.events if e.kind == "status_changed") < 3:
                await asyncio.sleep(0.02)  # one more step, then held again
            await asyncio.sleep(0.3)
            counts.append(len(served.model.calls))
            run.resume()
            await asyncio.wait_for(run.wait(), 30)
            return run, counts

        run, counts = asyncio.run(asyncio.wait_for(talk(), 60))
    assert counts == [1, 2]
    statuses = [e["status"] for e in _kinds(run, "status_changed")]
    assert statuses == ["paused", "running", "paused", "running"]
    assert run.status == "completed" and run.result.get_text_content() == "Fini."


# ---------------------------------------------------------------- a plain A2A server
def test_a_plain_server_refuses_guidance_and_pause_in_one_line_naming_it() -> None:
    echo = EchoExecutor(mode="hang")
    with running(echo_app(echo)) as url:
        origin = url.removeprefix("http://").rstrip("/")

        async def talk() -> tuple[Run, list[str]]:
            remote = A2AAgent(card_for(url), timeout=20)
            remote.set_console_output_enabled(False)
            run = start(remote, Msg("user", "hello", "user"))
            for _ in range(2000):  # the remote has the request (and never answers)
                if echo.received:
                    break
                await asyncio.sleep(0.01)
            errors = []
            for act in (
                lambda: run.steer(GUIDANCE),
                run.pause,
                run.step,
                lambda: remote.control.steer(GUIDANCE),
            ):
                with pytest.raises(ConfigError) as info:
                    act()
                errors.append(str(info.value))
            run.stop()  # Stop still works: it cancels the remote task
            try:
                await asyncio.wait_for(run.wait(), 20)
            except asyncio.CancelledError:
                pass
            return run, errors

        run, errors = asyncio.run(asyncio.wait_for(talk(), 60))
    for error in errors:
        assert len(error.splitlines()) == 1
        assert f"'Echo' at {origin}" in error and "takes no guidance" in error
    (started,) = _kinds(run, "reply_started")
    assert started["unsteerable"] == errors[0]  # the view disables the buttons with it
    assert run.status == "interrupted"
    assert [p.text for p in echo.received[0].parts] == ["hello"]  # nothing else was sent
    assert len(echo.received) == 1


def test_a_served_agents_reply_is_steerable_in_the_view() -> None:
    with serve(adder()) as server:

        async def talk() -> Run:
            run = start(await _remote(server.url), Msg("user", "1+2?", "user"))
            await run
            return run

        run = asyncio.run(asyncio.wait_for(talk(), 60))
    (started,) = _kinds(run, "reply_started")
    assert started["remote"] and started["unsteerable"] == ""


# ---------------------------------------------------------------- fork
def test_fork_at_a_remote_step_is_one_line_naming_the_remote() -> None:
    from ascope_nb.views import RunView
    from ascope_nb.whatif import fork

    with serve(adder()) as server:
        origin = server.url.removeprefix("http://")

        async def talk() -> Run:
            run = start(await _remote(server.url), Msg("user", "1+2?", "user"))
            await run
            return run

        run = asyncio.run(asyncio.wait_for(talk(), 60))

    async def try_fork() -> str:
        with pytest.raises(ConfigError) as info:
            run.fork(0, edit={"a": 5, "b": 5})
        with pytest.raises(ConfigError):
            fork(run.run_id, 1)  # by its id
        return str(info.value)

    error = asyncio.run(try_fork())
    assert len(error.splitlines()) == 1
    assert f"remote A2A agent 'Friday' at {origin}" in error and "step 0" in error
    html = RunView.from_events(run.events)._repr_mimebundle_()[0]["text/html"]
    assert "remote · " in html and "Fork from here" not in html


# ---------------------------------------------------------------- the wire, alone
def test_requests_a_down_remote_did_not_take_are_kept_in_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from ascope_nb.agent._a2a_control import RemoteControl

    control = RemoteControl(where="'Friday' at 127.0.0.1:9", takes_control=True)
    tries: list[list[dict[str, Any]]] = []

    async def down(actions: list[dict[str, Any]], task_id: str, context_id: str) -> bool:
        tries.append(actions)
        raise ConnectionError("All connection attempts failed")

    async def go() -> list[dict[str, Any]]:
        control.steer("first")
        control.attach("t1", "c1", down)
        await control.flush()
        control.pause()
        await control.flush()
        control.detach()
        control.steer("third")  # no task: waits
        await control.flush()
        return control.take_pending()

    with caplog.at_level("WARNING", logger="ascope_nb.a2a"):
        pending = asyncio.run(go())
    assert [(a["action"], a.get("text")) for a in pending] == [
        ("steer", "first"),
        ("pause", None),
        ("steer", "third"),
    ]
    assert tries and tries[0] == [{"action": "steer", "text": "first", "source": "human"}]
    assert "'Friday' at 127.0.0.1:9" in caplog.text  # the warning names the remote
    assert control.take_pending() == []


def test_control_of_reads_only_well_formed_requests() -> None:
    from a2a.types import Message

    def with_meta(value: str) -> Message:
        message = Message(message_id="m")
        message.metadata.update({"ascope_control_json": value})
        return message

    assert control_of(Message(message_id="m")) is None
    assert control_of(with_meta("{not json")) is None
    assert control_of(with_meta('{"actions": "steer"}')) is None
    read = control_of(
        with_meta(
            '{"task_id": "t", "actions": [{"action": "steer", "text": "  "}, '
            '{"action": "rm -rf"}, {"action": "pause"}, {"action": "steer", "text": "go"}]}'
        )
    )
    assert read == {
        "task_id": "t",
        "actions": [{"action": "pause"}, {"action": "steer", "text": "go"}],
    }
