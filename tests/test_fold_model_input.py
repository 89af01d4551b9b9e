"""Every model call's exact input is rebuilt from the stored events: a follow-up question
carries the earlier turns the model saw, a hub speaker sees the others' messages by name."""

from __future__ import annotations

import asyncio
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.events import Event, ReplyStarted, event_from_dict, subscribe
from ascope_nb.export import RunRecord
from ascope_nb.fold import RunFold
from ascope_nb.formatter import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from ascope_nb.message import Msg
from ascope_nb.pipeline import MsgHub
from ascope_nb.testing import FunctionModel, ScriptedModel, tool_call
from ascope_nb.tool import Toolkit


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def _runs(events: list[Event]) -> dict[str, list[Event]]:
    by_run: dict[str, list[Event]] = {}
    for ev in events:  # through the wire form, as the store keeps them
        by_run.setdefault(ev.run_id, []).append(event_from_dict(ev.to_dict()))
    return by_run


async def _formatted(formatter: Any, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return await formatter.format([Msg.from_dict(m) for m in messages])


def _agent(model: Any, formatter: Any = None, name: str = "Friday") -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name=name,
        sys_prompt=f"You are {name}.",
        model=model,
        formatter=formatter or OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    return agent


def test_a_follow_up_records_the_earlier_turns_the_model_saw() -> None:
    def answer(messages: list[dict[str, Any]], tools: Any) -> Any:
        if messages[-1]["role"] == "user" and "add" in str(messages[-1]["content"]):
            return [tool_call("add", a=2, b=3)]
        return f"seen {len(messages)} messages"

    model = FunctionModel(answer)
    agent = _agent(model)
    seen: list[Event] = []

    async def chat() -> None:
        with subscribe(seen.append):
            await agent(Msg("user", "please add 2 and 3", "user"))
            await agent(Msg("user", "and what did I ask first?", "user"))
            await agent(Msg("user", "thanks", "user"))

    asyncio.run(chat())
    runs = list(_runs(seen).values())
    assert len(runs) == 3
    calls = [c for run in runs for c in RunFold().extend(run).model_calls()]
    assert len(calls) == len(model.calls) == 4
    for call, sent in zip(calls, model.calls, strict=True):
        assert call.exact
        assert asyncio.run(_formatted(agent.formatter, call.input)) == sent.messages
    follow_up = RunRecord.from_events(runs[1])
    # the record of the run keeps its own messages; its model call carries the context
    assert len(follow_up.messages) == 2
    assert len(follow_up.model_calls[0].input) == 6  # system, 4 earlier messages, question
    assert follow_up.model_calls[0].input[1]["content"] == "please add 2 and 3"
    assert follow_up.model_calls[0].output is not None
    # the earlier turns are stored once, in the ReplyStarted of the follow-up
    started = [e for e in runs[1] if isinstance(e, ReplyStarted)]
    assert [m["id"] for m in started[0].memory] == started[0].memory_ids


def test_hub_speakers_appear_as_the_model_saw_them() -> None:
    models = {name: ScriptedModel([f"{name} here.", f"{name} again."]) for name in ("Alice", "Bob")}
    agents = {n: _agent(m, OpenAIMultiAgentFormatter(), name=n) for n, m in models.items()}
    seen: list[Event] = []

    async def chat() -> None:
        with subscribe(seen.append):
            async with MsgHub(
                list(agents.values()), announcement=Msg("Host", "Introduce yourselves.", "user")
            ):
                for _ in range(2):
                    for agent in agents.values():
                        await agent()

    asyncio.run(chat())
    calls = [c for run in _runs(seen).values() for c in RunFold().extend(run).model_calls()]
    assert len(calls) == 4
    for name, agent in agents.items():
        mine = [c for c in calls if c.agent == name]
        assert len(mine) == len(models[name].calls) == 2
        for call, sent in zip(mine, models[name].calls, strict=True):
            assert call.exact and call.formatter == "OpenAIMultiAgentFormatter"
            assert asyncio.run(_formatted(agent.formatter, call.input)) == sent.messages
    bob_second = [c for c in calls if c.agent == "Bob"][1]
    assert [m["name"] for m in bob_second.input] == [
        "system",
        "Host",
        "Alice",
        "Bob",
        "Alice",
    ]


def test_edits_denials_and_the_max_iters_summary_are_in_the_recorded_input() -> None:
    model = ScriptedModel(
        [[tool_call("add", id="c1", a=1, b=1)], [tool_call("add", id="c2", a=5, b=5)], "done"]
    )
    agent = _agent(model)
    agent.max_iters = 2
    agent.control.require_approval = {"add"}
    agent.control.approve("c1", {"a": 7, "b": 7})  # decided before the calls are asked
    agent.control.deny("c2", "no more sums")
    seen: list[Event] = []

    async def run() -> None:
        with subscribe(seen.append):
            await agent(Msg("user", "add", "user"))

    asyncio.run(run())
    calls = RunFold().extend(next(iter(_runs(seen).values()))).model_calls()
    assert len(calls) == len(model.calls) == 3
    for call, sent in zip(calls, model.calls, strict=True):
        assert call.exact
        assert asyncio.run(_formatted(agent.formatter, call.input)) == sent.messages
    assert calls[0].output is not None
    assert calls[0].output["content"][0]["input"] == {"a": 1, "b": 1}  # as the model asked
    assert calls[1].input[2]["content"][0]["input"] == {"a": 7, "b": 7}  # as it ran
    assert calls[-1].input[-1]["content"].startswith("You have failed to generate")


def test_runs_stored_before_the_snapshot_fields_still_fold() -> None:
    """``ascope.event/1`` events written before ``memory_ids``/``n_memory`` existed read
    as before; their model calls are rebuilt from the run alone and say so (not exact)."""
    import json
    from pathlib import Path

    stored = json.loads(
        (Path(__file__).parent / "fixtures" / "runs_events.json").read_text(encoding="utf-8")
    )
    plain = [event_from_dict(e) for e in stored[0]]
    assert all("memory_ids" not in e for e in stored[0])
    started = next(e for e in plain if isinstance(e, ReplyStarted))
    assert started.memory_ids is None and started.memory == []
    calls = RunFold().extend(plain).model_calls()
    assert calls and not any(c.exact for c in calls)
    first = calls[0].input
    assert [m["role"] for m in first] == ["system", "user"]
    assert first[0]["content"] == "You are a helpful assistant."
    assert first[1]["content"] == "What is (1 + 2) + 4?"
    record = RunRecord.from_events(plain)
    assert [c.msg_id for c in record.model_calls] == [c.msg_id for c in calls]
