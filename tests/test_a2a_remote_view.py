"""A remote A2A agent in the caller's run, as the live view sees it: its replies carry the
remote mark (host and port, never credentials: not in events, the saved HTML, the view's
payload or spans), its tool-call approval is asked of the caller's controls (approve, edit,
deny, stop) and the decision reaches the remote; the server streams a step's text as it comes.

Real loopback servers (``ascope_nb.a2a.serve``) on 127.0.0.1; scripted models.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

import httpx
from a2a.client import ClientConfig
from support.a2a_agents import adder

from ascope_nb.a2a import WellKnownAgentCardResolver, serve
from ascope_nb.agent import A2AAgent, ReActAgent
from ascope_nb.agent._control import ApprovalDecision
from ascope_nb.fold import RunFold
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.run import Run, start
from ascope_nb.testing import ScriptedModel
from ascope_nb.views import RunView


@pytest.fixture(autouse=True)
def scratch_store(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from ascope_nb import store

    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    store.set_default_store(None)
    yield
    store.set_default_store(None)


async def _remote(url: str, **kwargs: Any) -> A2AAgent:
    card = await WellKnownAgentCardResolver(url).get_agent_card()
    remote = A2AAgent(card, timeout=20, **kwargs)
    remote.set_console_output_enabled(False)
    return remote


def _wires(run: Run) -> list[dict[str, Any]]:
    return [e.to_dict() for e in run.events]


def _tool_results(agent: ReActAgent) -> list[dict[str, Any]]:
    memory = asyncio.run(agent.memory.get_memory())
    return [b for m in memory for b in m.get_content_blocks("tool_result")]


# ---------------------------------------------------------------- the remote mark
def test_remote_steps_carry_the_host_and_the_view_shows_the_badge() -> None:
    with serve(adder()) as server:

        async def talk() -> Run:
            run = start(await _remote(server.url), Msg("user", "1+2?", "user"))
            await run
            return run

        run = asyncio.run(asyncio.wait_for(talk(), 60))
    origin = server.url.removeprefix("http://")
    wires = _wires(run)
    started = [e for e in wires if e["kind"] == "reply_started"]
    assert [e["remote"] for e in started] == [origin]
    steps = RunFold().extend(wires).steps()
    assert len(steps) == 2 and {s.get("remote") for s in steps} == {origin}  # both replayed
    html = RunView.from_events(wires)._repr_mimebundle_()[0]["text/html"]
    assert f"remote · {origin}" in html


def test_a_local_agent_has_no_remote_mark() -> None:
    async def talk() -> Run:
        run = start(adder(), Msg("user", "1+2?", "user"))
        await run
        return run

    wires = _wires(asyncio.run(talk()))
    assert all(not s.get("remote") for s in RunFold().extend(wires).steps())
    assert [e["remote"] for e in wires if e["kind"] == "reply_started"] == [""]
    assert "remote ·" not in RunView.from_events(wires)._repr_mimebundle_()[0]["text/html"]


def test_a_plain_answer_from_a_remote_is_marked_too() -> None:
    """A remote that is no ascope_nb agent streams no steps: its answer row is marked."""
    from support.a2a_servers import EchoExecutor, card_for, echo_app, running

    with running(echo_app(EchoExecutor())) as url:

        async def talk() -> Run:
            remote = A2AAgent(card_for(url), timeout=20)
            remote.set_console_output_enabled(False)
            run = start(remote, Msg("user", "hello", "user"))
            await run
            return run

        wires = _wires(asyncio.run(asyncio.wait_for(talk(), 60)))
    origin = url.removeprefix("http://").rstrip("/")
    marked = [i for i in RunFold().extend(wires).items if i.get("remote")]
    assert marked and all(i["remote"] == origin for i in marked)
    assert "echo: hello" in json.dumps([i.get("msg") for i in marked])


def test_credentials_of_a_remote_never_reach_events_views_or_spans() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from ascope_nb.tracing import instrument, shutdown_tracing

    header_secret = "hdr-9f8e7d6c5b4a3f2e1d0c"
    url_password = "pw-1a2b3c4d5e6f7a8b"
    url_token = "qt-0f1e2d3c4b5a69788796"
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.headers.get("x-api-key", ""))

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider, capture_content=True)
    try:
        with serve(adder()) as server:
            port = server.url.rsplit(":", 1)[1]

            async def talk() -> Run:
                card = await WellKnownAgentCardResolver(server.url).get_agent_card()
                card.supported_interfaces[
                    0
                ].url = f"http://bob:{url_password}@127.0.0.1:{port}/?token={url_token}"
                http = httpx.AsyncClient(
                    headers={"X-Api-Key": header_secret},
                    event_hooks={"request": [record]},
                    timeout=20,
                )
                remote = A2AAgent(card, client_config=ClientConfig(httpx_client=http))
                remote.set_console_output_enabled(False)
                run = start(remote, Msg("user", "1+2?", "user"))
                await run
                await http.aclose()
                return run

            run = asyncio.run(asyncio.wait_for(talk(), 60))
    finally:
        shutdown_tracing()
    assert run.status == "completed" and run.result.get_text_content() == "It is 3."
    assert sent and all(h == header_secret for h in sent)  # the header was used
    wires = _wires(run)
    view = RunView.from_events(wires)
    bundle = view._repr_mimebundle_()[0]
    spans = [
        json.dumps({"name": s.name, "attributes": dict(s.attributes or {})}, default=str)
        for s in exporter.get_finished_spans()
    ]
    assert spans
    shown = {
        "events": json.dumps(wires, default=str),
        "saved outputs": json.dumps(bundle, default=str),
        "spans": "\n".join(spans),
    }
    for where, text in shown.items():
        for secret in (header_secret, url_password, url_token):
            assert secret not in text, f"{secret} reached the {where}"
    assert f"remote · 127.0.0.1:{port}" in bundle["text/html"]
    started = next(e for e in wires if e["kind"] == "run_started")
    assert started["metadata"]["remote"] == f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------- remote approvals
def _approval_round(
    decide: Callable[[Run, str], None], **agent_kwargs: Any
) -> tuple[Run, ReActAgent, dict[str, Any]]:
    """A remote adder whose ``add`` needs approval, called in a run of ours; ``decide`` acts
    once the run waits; returns the run, the served agent and the run's state while waiting."""
    served = adder(require_approval="add", **agent_kwargs)
    with serve(served) as server:

        async def talk() -> tuple[Run, dict[str, Any]]:
            run = start(await _remote(server.url), Msg("user", "1+2?", "user"))
            asked = asyncio.Event()
            run.subscribe(
                lambda e: asked.set() if e.kind == "approval_requested" else None, replay=True
            )
            await asyncio.wait_for(asked.wait(), 20)
            await asyncio.sleep(0.05)  # the waiting status follows the request
            waiting = RunFold().extend(_wires(run)).summary()
            decide(run, waiting["pending_approvals"][0]["tool_call_id"])
            try:
                await asyncio.wait_for(run.wait(), 30)
            except asyncio.CancelledError:
                pass
            return run, waiting

        run, waiting = asyncio.run(asyncio.wait_for(talk(), 90))
    return run, served, waiting


def _kinds(run: Run, kind: str) -> list[dict[str, Any]]:
    return [e for e in _wires(run) if e["kind"] == kind]


def test_remote_approval_waits_in_the_callers_run_and_approve_reaches_the_remote() -> None:
    run, served, waiting = _approval_round(lambda run, call_id: run.approve(call_id))
    assert waiting["status"] == "waiting_approval"
    (pending,) = waiting["pending_approvals"]
    assert pending["name"] == "add" and pending["input"] == {"a": 1, "b": 2}
    calls = _kinds(run, "tool_call")
    assert [c["tool_call_id"] for c in calls] == [pending["tool_call_id"]]  # the same call
    assert len(_kinds(run, "approval_requested")) == 1  # asked once, not echoed twice
    (resolved,) = _kinds(run, "approval_resolved")
    assert resolved["decision"] == "approved" and resolved["agent"] == calls[0]["agent"]
    assert run.status == "completed" and run.result.get_text_content() == "It is 3."
    assert _tool_results(served)[0]["output"][0]["text"] == "3"  # the remote ran the call
    step = RunFold().extend(_wires(run)).steps()[0]
    assert step["tool_calls"][0]["approval"]["decision"] == "approved"
    assert step["tool_calls"][0]["output"][0]["text"] == "3"


def test_edited_arguments_reach_the_remote() -> None:
    run, served, _ = _approval_round(lambda run, call_id: run.approve(call_id, {"a": 40, "b": 2}))
    (resolved,) = _kinds(run, "approval_resolved")
    assert resolved["decision"] == "edited" and resolved["input"] == {"a": 40, "b": 2}
    assert _tool_results(served)[0]["output"][0]["text"] == "42"  # the remote used the edit
    assert run.status == "completed"


def test_a_denial_and_its_reason_reach_the_remote() -> None:
    run, served, _ = _approval_round(lambda run, call_id: run.deny(call_id, "not with my money"))
    (resolved,) = _kinds(run, "approval_resolved")
    assert resolved["decision"] == "denied" and resolved["reason"] == "not with my money"
    result = _tool_results(served)[0]
    assert "not with my money" in json.dumps(result["output"])  # the remote model is told why
    assert run.status == "completed"


def test_stop_while_the_remote_waits_cancels_the_remote_task() -> None:
    from ascope_nb.run import runs as process_runs

    run, served, _ = _approval_round(lambda run, call_id: run.stop())
    assert run.status == "interrupted"
    remote_runs = [r for r in process_runs() if r.agents == [served]]
    assert remote_runs and remote_runs[-1].status == "interrupted"
    assert served.memory is not None and asyncio.run(served.memory.size()) > 0  # still valid


def test_an_approval_handler_decides_without_a_run() -> None:
    """Outside a run nobody can click: an ``approval_handler`` on the caller answers."""
    served = adder(require_approval="add")
    seen: list[dict[str, Any]] = []

    def handler(call: dict[str, Any]) -> ApprovalDecision:
        seen.append(call)
        return ApprovalDecision("edited", {"a": 2, "b": 2})

    with serve(served) as server:

        async def talk() -> Msg:
            remote = await _remote(server.url)
            remote.control.approval_handler = handler
            return await remote(Msg("user", "1+2?", "user"))

        reply = asyncio.run(asyncio.wait_for(talk(), 60))
    assert [c["name"] for c in seen] == ["add"]
    assert reply.get_text_content() == "It is 3."
    assert _tool_results(served)[0]["output"][0]["text"] == "4"


# ---------------------------------------------------------------- streaming
def test_the_server_streams_a_steps_text_before_the_step_ends() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    talker = ReActAgent(
        name="Talker",
        sys_prompt="s",
        model=ScriptedModel([words], token_delay=0.02),
        formatter=OpenAIChatFormatter(),
    )
    talker.set_console_output_enabled(False)
    with serve(talker) as server:

        async def talk() -> tuple[Run, list[tuple[float, str]]]:
            loop = asyncio.get_running_loop()
            seen: list[tuple[float, str]] = []
            run = start(await _remote(server.url), Msg("user", "talk", "user"))
            run.subscribe(lambda e: seen.append((loop.time(), e.kind)), replay=False)
            await run
            return run, seen

        run, seen = asyncio.run(asyncio.wait_for(talk(), 60))
    deltas = [t for t, kind in seen if kind == "text_delta"]
    end = next(t for t, kind in seen if kind == "step_ended")
    batches = sorted({round(t, 2) for t in deltas if t < end})
    assert len(batches) >= 3, f"text arrived in {len(batches)} batch(es) before the step ended"
    assert run.result.get_text_content() == words
    text = "".join(e["delta"] for e in _kinds(run, "text_delta"))
    assert text == words  # nothing lost or doubled by the partial sends


def test_a_remote_gone_while_we_decide_is_one_line_naming_it() -> None:
    """The decision cannot be delivered (the server stopped meanwhile): the run ends in an
    error of one line naming the remote, not a hang."""
    served = adder(require_approval="add")
    server = serve(served)

    async def talk() -> tuple[Run, str]:
        remote = await _remote(server.url)
        remote.timeout = 5
        run = start(remote, Msg("user", "1+2?", "user"))
        asked = asyncio.Event()
        run.subscribe(lambda e: asked.set() if e.kind == "approval_requested" else None)
        await asyncio.wait_for(asked.wait(), 20)
        await server.aclose()
        call_id = RunFold().extend(_wires(run)).summary()["pending_approvals"][0]["tool_call_id"]
        run.approve(call_id)
        with pytest.raises(Exception) as info:
            await asyncio.wait_for(run.wait(), 30)
        return run, str(info.value)

    run, error = asyncio.run(asyncio.wait_for(talk(), 60))
    assert run.status == "error"
    assert len(error.splitlines()) == 1
    assert "A2A agent 'Friday'" in error and server.url in error
