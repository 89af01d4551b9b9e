"""Property test of the one run fold: for random scripted sessions of real agents (stops,
tool errors, denials, edits, parallel calls, steering, model failures, max-iters, follow-ups,
MsgHub rounds), every consumer's answer agrees with the fold's, and the fold agrees with
what really happened: the model calls' inputs are what the models were sent, the returned
``Msg`` is what ``await agent(...)`` returned, the record's messages are what the memory
gained."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascope_nb.events import (
    ApprovalResolved,
    Event,
    ModelCallStarted,
    ReplyEnded,
    StepStarted,
    ToolResult,
    event_from_dict,
)
from ascope_nb.export import RunRecord
from ascope_nb.fold import RunFold, block_text
from ascope_nb.message import Msg
from ascope_nb.views import RunView
from ascope_nb.views._html import run_html
from tests.support.fold_runs import CallSpec, ReplySpec, Session, run_hub, run_session

WORDS = st.sampled_from(["hello", "世界", "42", "a<b>", "ok", "Paris", "—", "x y"])
TEXT = st.lists(WORDS, max_size=4).map(" ".join)
SMALL = st.integers(min_value=-3, max_value=9)
DECISION = st.sampled_from([None, "approved", "denied", "edited"])


@st.composite
def calls(draw: Any, *, stops: bool = True) -> CallSpec:
    names = ["add", "divide", "nudge", "halt"] if stops else ["add", "divide"]
    name = draw(st.sampled_from(names))
    if name in ("add", "divide"):
        args = {
            "a": draw(SMALL),
            "b": draw(st.sampled_from([0, 1, 2]) if name == "divide" else SMALL),
        }
        edit = {"a": 1, "b": 1}
    elif name == "nudge":
        args, edit = {"text": draw(TEXT) or "think again"}, {"text": "edited guidance"}
    else:
        args, edit = {}, {}
    return CallSpec(name, args, draw(DECISION), edit)


@st.composite
def replies(draw: Any, *, stops: bool = True) -> ReplySpec:
    return ReplySpec(
        text=draw(TEXT),
        thinking=draw(st.one_of(st.just(""), TEXT)),
        calls=draw(st.lists(calls(stops=stops), max_size=3)),
        error=draw(st.integers(0, 19)) == 0,
    )


SESSIONS = st.fixed_dictionaries(
    {
        "turns": st.lists(st.tuples(TEXT, st.lists(replies(), max_size=4)), min_size=1, max_size=3),
        "parallel": st.booleans(),
        "stream": st.booleans(),
        "max_iters": st.integers(2, 5),
        "approval": st.booleans(),
    }
)
HUBS = st.fixed_dictionaries(
    {
        "scripts": st.lists(st.lists(replies(stops=False), max_size=3), min_size=2, max_size=3),
        "rounds": st.integers(1, 2),
        "stream": st.booleans(),
    }
)


def _runs(events: list[Event]) -> list[list[Event]]:
    by_run: dict[str, list[Event]] = {}
    for ev in events:  # through the wire form, as the store keeps them
        by_run.setdefault(ev.run_id, []).append(event_from_dict(ev.to_dict()))
    return list(by_run.values())


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _content(msg: dict[str, Any]) -> tuple[Any, ...]:
    return (msg["id"], msg["role"], msg["name"], _as_json(msg["content"]))


def _check_run(run: list[Event], session: Session, sent: dict[str, list[Any]]) -> RunFold:
    fold = RunFold().extend(run)
    wires = [ev.to_dict() for ev in run]
    from_wire = RunFold().extend(wires)
    steps = _as_json(fold.steps())
    # the views fold the wire dicts: the same steps and summary
    assert _as_json(from_wire.steps()) == steps
    assert from_wire.summary() == fold.summary()
    view = RunView.from_events(wires)
    summary = fold.summary()
    assert (view.status, view.n_steps, view.step, view.tokens) == (
        summary["status"],
        summary["n_steps"],
        summary["step"],
        {"input": summary["tokens"]["input"], "output": summary["tokens"]["output"]},
    )
    assert f"{summary['n_steps']} steps" in run_html(wires)
    assert len(steps) == sum(isinstance(e, StepStarted) for e in run)
    by_step = {(s["reply_id"], s["step"]): s for s in steps}
    calls = fold.model_calls()
    n_extra = {e.msg_id: len(e.extra) for e in run if isinstance(e, ModelCallStarted)}
    for call in calls:  # each call: what the model was sent, and its step shows its answer
        formatter = session.agents[call.agent].formatter
        formatted = asyncio.run(formatter.format([Msg.from_dict(m) for m in call.input]))
        assert call.exact
        assert _as_json(formatted) == _as_json(sent[call.agent].pop(0).messages)
        # the memory a fork from this step starts from: the prompt without system and extra
        memory = fold.memory_at(call.reply_id, call.step)
        assert memory == call.input[1 : len(call.input) - n_extra[call.msg_id]]
        step = by_step[(call.reply_id, call.step)]
        if call.output is not None:
            uses = [b for b in call.output["content"] if b.get("type") == "tool_use"]
            mine = [c for c in step["tool_calls"] if c["id"] in {u["id"] for u in uses}]
            assert [c["id"] for c in mine] == [u["id"] for u in uses]
            if block_text(call.output["content"]):
                assert step["text"] == block_text(call.output["content"])
    # decisions and results: the steps and the exported record say what the events said
    record = RunRecord.from_events(run)
    assert [_as_json(c.__dict__) for c in record.model_calls] == [
        _as_json(c.__dict__) for c in calls
    ]
    step_calls = {c["id"]: c for s in steps for c in s["tool_calls"]}
    for ev in run:
        if isinstance(ev, ApprovalResolved):
            assert step_calls[ev.tool_call_id]["approval"]["decision"] == ev.decision
            assert record.tool_calls[ev.tool_call_id].decision == ev.decision
        elif isinstance(ev, ToolResult):
            assert step_calls[ev.tool_call_id]["state"] == ev.state
            assert record.tool_calls[ev.tool_call_id].state == ev.state
    return fold


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SESSIONS)
def test_one_agent_sessions_fold_to_what_happened(spec: dict[str, Any]) -> None:
    session = run_session(**spec)
    sent = {name: list(model.calls) for name, model in session.models.items()}
    runs = _runs(session.events)
    assert len(runs) == len(session.returned) == len(spec["turns"])
    for run, returned, added in zip(runs, session.returned, session.memory_added, strict=True):
        fold = _check_run(run, session, sent)
        if isinstance(returned, Msg):
            assert fold.reply() == returned
        else:
            assert not any(isinstance(e, ReplyEnded) and e.msg_id for e in run)
        record = RunRecord.from_events(run)
        assert [_content(m) for m in record.messages] == [_content(m.to_dict()) for m in added]
    assert all(not calls for calls in sent.values())  # every model call was folded


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HUBS)
def test_hub_rounds_fold_to_what_happened(spec: dict[str, Any]) -> None:
    names = ["Alice", "Bob", "Carol"][: len(spec["scripts"])]
    session = run_hub(
        dict(zip(names, spec["scripts"], strict=False)),
        rounds=spec["rounds"],
        stream=spec["stream"],
    )
    sent = {name: list(model.calls) for name, model in session.models.items()}
    (run,) = _runs(session.events)
    fold = _check_run(run, session, sent)
    ends = [e for e in run if isinstance(e, ReplyEnded)]
    assert len(ends) == len(session.returned)
    for end, returned in zip(ends, session.returned, strict=True):
        if isinstance(returned, Msg):
            assert fold.reply(end.reply_id) == returned
    assert all(not calls for calls in sent.values())
