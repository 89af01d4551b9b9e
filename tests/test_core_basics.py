"""Msg, memory, sessions, pipelines, MsgHub events, the user agent and the console printer."""

from __future__ import annotations

import asyncio
import io
import json
import time

import pytest

from ascope_nb.agent import AgentBase, ConsolePrinter, ReActAgent, ScriptedUserInput, UserAgent
from ascope_nb.events import MessageObserved, RunEnded, RunStarted, subscribe
from ascope_nb.formatter import OpenAIMultiAgentFormatter
from ascope_nb.memory import InMemoryMemory
from ascope_nb.message import Msg
from ascope_nb.pipeline import MsgHub, fanout_pipeline, sequential_pipeline
from ascope_nb.session import JSONSession
from ascope_nb.testing import FunctionModel, ScriptedModel


def test_msg_round_trip_is_exact() -> None:
    msg = Msg(
        "Friday",
        [
            {"type": "text", "text": "hi"},
            {"type": "tool_use", "id": "c", "name": "f", "input": {"x": [1, 2]}},
        ],
        "assistant",
        metadata={"k": {"nested": True}},
    )
    data = json.loads(json.dumps(msg.to_dict()))
    again = Msg.from_dict(data)
    assert again.to_dict() == msg.to_dict()
    assert again.id == msg.id and again.timestamp == msg.timestamp
    assert msg.get_text_content() == "hi"
    assert [b["name"] for b in msg.get_content_blocks("tool_use")] == ["f"]
    assert Msg("u", "plain", "user").get_content_blocks() == [{"type": "text", "text": "plain"}]
    with pytest.raises(ValueError, match="role"):
        Msg("u", "x", "robot")  # type: ignore[arg-type]


async def test_memory_marks_delete_state_and_dataframe() -> None:
    memory = InMemoryMemory()
    a, b, c = Msg("u", "a", "user"), Msg("x", "b", "assistant"), Msg("u", "c", "user")
    await memory.add([a, b], marks="keep")
    await memory.add(c, marks=["hint", "keep"])
    await memory.add(a)  # duplicate id ignored
    assert await memory.size() == 3
    assert [m.content for m in await memory.get_memory(mark="hint")] == ["c"]
    assert [m.content for m in await memory.get_memory(exclude_mark="hint")] == ["a", "b"]
    assert await memory.delete([b.id]) == 1
    clone = InMemoryMemory()
    clone.load_state_dict(json.loads(json.dumps(memory.state_dict())))
    assert [(m.to_dict(), marks) for m, marks in clone.content] == [
        (m.to_dict(), marks) for m, marks in memory.content
    ]
    frame = memory.to_dataframe()
    assert list(frame["text"]) == ["a", "c"] and list(frame["marks"]) == [
        ["keep"],
        ["hint", "keep"],
    ]
    await memory.clear()
    assert await memory.size() == 0
    with pytest.raises(TypeError):
        await memory.add("not a msg")  # type: ignore[arg-type]


def quiet(agent: AgentBase) -> AgentBase:
    agent.set_console_output_enabled(False)
    return agent


def echo_agent(name: str, **kw) -> ReActAgent:
    model = FunctionModel(lambda messages, tools: f"{name} heard {len(messages)} messages", **kw)
    return quiet(
        ReActAgent(
            name=name,
            sys_prompt=f"You are {name}.",
            model=model,
            formatter=OpenAIMultiAgentFormatter(),
        )
    )  # type: ignore[return-value]


async def test_msghub_is_one_run_with_observed_events() -> None:
    agents = [echo_agent(n) for n in ("A", "B", "C")]
    seen = []
    with subscribe(seen.append):
        async with MsgHub(agents, announcement=Msg("Host", "Topic: tea", "assistant")) as hub:
            await sequential_pipeline(agents)
            hub.delete(agents[2])
            await agents[0](None)
    run_ids = {e.run_id for e in seen}
    assert len(run_ids) == 1 and "" not in run_ids
    assert isinstance(seen[0], RunStarted) and isinstance(seen[-1], RunEnded)
    observed = [(e.observer, e.msg["name"]) for e in seen if isinstance(e, MessageObserved)]
    assert ("B", "A") in observed and ("C", "B") in observed and ("A", "Host") in observed
    # after C left, A's second reply reached B only
    assert observed[-1] == ("B", "A")
    assert [m.name for m in await agents[2].memory.get_memory()] == ["Host", "A", "B", "C"]


async def test_fanout_runs_concurrently() -> None:
    async def slow(messages, tools):
        await asyncio.sleep(0.3)
        return "done"

    agents = [
        quiet(
            ReActAgent(
                name=f"a{i}",
                sys_prompt="s",
                model=FunctionModel(slow),
                formatter=OpenAIMultiAgentFormatter(),
            )
        )
        for i in range(8)
    ]
    start = time.perf_counter()
    replies = await fanout_pipeline(agents, Msg("user", "go", "user"))
    assert time.perf_counter() - start < 1.5  # 8 x 0.3 s one after another is 2.4 s
    assert [r.name for r in replies] == [f"a{i}" for i in range(8)]


async def test_user_agent_input_is_awaited_not_blocking() -> None:
    class SlowInput(ScriptedUserInput):
        async def __call__(self, *args, **kwargs):
            await asyncio.sleep(0.2)
            return await super().__call__(*args, **kwargs)

    user = quiet(UserAgent("user"))
    user.override_instance_input_method(SlowInput(["hello"]))
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    tick_task = asyncio.create_task(ticker())
    reply = await user(Msg("Friday", "Your turn", "assistant"))
    tick_task.cancel()
    assert reply.content == "hello" and reply.role == "user" and reply.name == "user"
    assert ticks > 5  # the loop kept running while the input was awaited


async def test_session_save_and_load(tmp_path) -> None:
    agent = quiet(
        ReActAgent(
            name="Friday",
            sys_prompt="s",
            model=ScriptedModel(["one"]),
            formatter=OpenAIMultiAgentFormatter(),
        )
    )
    await agent(Msg("user", "hi", "user"))
    session = JSONSession(save_dir=str(tmp_path))
    await session.save_session_state("s1", friday=agent)
    other = quiet(
        ReActAgent(
            name="Friday",
            sys_prompt="s",
            model=ScriptedModel([]),
            formatter=OpenAIMultiAgentFormatter(),
        )
    )
    await session.load_session_state("s1", friday=other)
    assert [m.to_dict() for m in await other.memory.get_memory()] == [
        m.to_dict() for m in await agent.memory.get_memory()
    ]
    with pytest.raises(FileNotFoundError):
        await session.load_session_state("missing", allow_not_exist=False, friday=other)


def test_console_printer_streams_text_and_tools() -> None:
    out = io.StringIO()
    agent = ReActAgent(
        name="Friday",
        sys_prompt="s",
        model=ScriptedModel(["Hello there"]),
        formatter=OpenAIMultiAgentFormatter(),
    )
    agent.set_console_output_enabled(False)
    agent.subscribe(ConsolePrinter(file=out))
    asyncio.run(agent(Msg("user", "hi", "user")))
    assert out.getvalue() == "Friday: Hello there\n"


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, ascope_nb.agent, ascope_nb.pipeline; print(sorted(m for m in ('pandas','anywidget','IPython','openai','sqlalchemy') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_ids_are_alphanumeric_and_unique() -> None:
    import re

    from ascope_nb._ids import new_id

    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9]{22}", i) for i in ids)  # never a leading "-"


async def test_memory_stays_consistent_when_content_is_edited_directly() -> None:
    memory = InMemoryMemory()
    a, b = Msg("u", "a", "user"), Msg("u", "b", "user")
    await memory.add([a, b])
    memory.content.pop()  # code written against AgentScope may touch ``content`` itself
    assert await memory.get_memory() == [a]
    memory.content.append((b, []))
    assert await memory.get_memory() == [a, b]
