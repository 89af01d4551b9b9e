"""The per-step savings keep their promises: redaction is skipped only for events nobody
receives (every consumer still gets redacted payloads), and the cheap timestamp is the same
text ``datetime`` gives."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

import ascope_nb.events as events
from ascope_nb import redact
from ascope_nb._ids import timestamp
from ascope_nb.agent import ReActAgent
from ascope_nb.events import Event, RunContext, ToolResult, subscribe
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model._response import ChatResponse
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit

SECRET = "stepcost-7c1e9a2b4d6f"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEP_COST_API_KEY", SECRET)
    redact.refresh()
    yield
    monkeypatch.delenv("STEP_COST_API_KEY")
    redact.refresh()


def leak() -> str:
    """Return the key, as a careless tool would."""
    return f"the key is {SECRET}"


def _agent() -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(leak)
    agent = ReActAgent(
        name="Leaky",
        sys_prompt="s",
        model=ScriptedModel([[tool_call("leak")], "done"]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    return agent


def _payloads(seen: list[Event]) -> str:
    return repr([e.__dict__ for e in seen])


@pytest.mark.usefixtures("secret")
async def test_every_consumer_gets_redacted_events() -> None:
    seen_global: list[Event] = []
    seen_agent: list[Event] = []
    agent = _agent()
    agent.subscribe(seen_agent.append)
    with subscribe(seen_global.append):
        await agent(Msg("user", "go", "user"))
    for seen in (seen_global, seen_agent):
        assert any(e.kind == "tool_result" for e in seen)
        assert SECRET not in _payloads(seen) and "[REDACTED]" in _payloads(seen)
    run = RunContext("r1", keep_events=True)  # run.events without any subscriber
    run.emit(ToolResult(tool_call_id="c", name="leak", output=[{"type": "text", "text": leak()}]))
    assert SECRET not in _payloads(run.events)


@pytest.mark.usefixtures("secret")
async def test_an_event_nobody_receives_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    walked: list[Any] = []
    real = events.redact_event
    monkeypatch.setattr(events, "redact_event", lambda e: walked.append(e) or real(e))
    # nobody: a store or tracer attached by an earlier test in this process is a receiver
    monkeypatch.setattr(events, "_global_subscribers", [])
    reply = await _agent()(Msg("user", "go", "user"))
    assert reply.get_text_content() == "done" and walked == []
    seen: list[Event] = []
    with subscribe(seen.append):
        await _agent()(Msg("user", "go", "user"))
    assert len(walked) == len(seen) > 0


def test_timestamp_is_the_text_datetime_gives() -> None:
    for _ in range(20_000):
        before = datetime.now().isoformat(sep=" ", timespec="milliseconds")
        stamp = timestamp()
        after = datetime.now().isoformat(sep=" ", timespec="milliseconds")
        assert before <= stamp <= after
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", stamp)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", ChatResponse(content=[]).created_at
    )
