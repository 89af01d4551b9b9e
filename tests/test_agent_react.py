"""ReActAgent behaviour as AgentScope 1.x defines it, plus events, steering and bad input."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from ascope_nb.agent import ReActAgent
from ascope_nb.events import (
    ApprovalResolved,
    HintInjected,
    RunEnded,
    RunStarted,
    ToolCall,
    ToolProgress,
    ToolResult,
    subscribe,
)
from ascope_nb.fold import fold_messages, fold_reply
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.testing import Reply, ScriptedModel, tool_call
from ascope_nb.tool import Toolkit


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def divide(a: float, b: float) -> str:
    """Divide a by b.

    Args:
        a: Dividend.
        b: Divisor.
    """
    return str(a / b)


async def slow(seconds: float) -> str:
    """Sleep, then answer.

    Args:
        seconds: How long to sleep.
    """
    await asyncio.sleep(seconds)
    return "woke up"


def make_agent(replies, *, tools=(add, divide, slow), **kwargs) -> ReActAgent:
    toolkit = Toolkit()
    for fn in tools:
        toolkit.register_tool_function(fn)
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=kwargs.pop("model", None)
        or ScriptedModel(replies, stream=kwargs.pop("stream", True)),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        **kwargs,
    )
    agent.set_console_output_enabled(False)
    return agent


def assert_memory_valid(messages: list[Msg]) -> None:
    """Every tool_use has exactly one tool_result after it, in the memory."""
    pending: list[str] = []
    seen_results: set[str] = set()
    for msg in messages:
        for block in msg.get_content_blocks("tool_result"):
            assert block["id"] in pending, f"result {block['id']} without a call"
            pending.remove(block["id"])
            seen_results.add(block["id"])
        for block in msg.get_content_blocks("tool_use"):
            pending.append(block["id"])
    assert pending == [], f"tool calls without results: {pending}"


async def test_tool_call_then_answer_memory_layout() -> None:
    agent = make_agent([["Let me add.", tool_call("add", id="c1", a=2, b=3)], "2 + 3 = 5"])
    reply = await agent(Msg("user", "What is 2 + 3?", "user"))
    assert reply.get_text_content() == "2 + 3 = 5"
    memory = await agent.memory.get_memory()
    assert [(m.role, [b["type"] for b in m.get_content_blocks()]) for m in memory] == [
        ("user", ["text"]),
        ("assistant", ["text", "tool_use"]),
        ("system", ["tool_result"]),
        ("assistant", ["text"]),
    ]
    assert memory[2].content[0]["output"] == [{"type": "text", "text": "5"}]
    # the tool result reached the model in the second request
    second = agent.model.calls[1].messages
    assert (second[-1]["role"], second[-1]["tool_call_id"], second[-1]["content"]) == (
        "tool",
        "c1",
        "5",
    )
    assert agent.model.calls[0].messages[0]["role"] == "system"
    assert "You are Friday." in agent.model.calls[0].text()
    assert agent.model.calls[0].tool_names == ["add", "divide", "slow"]


async def test_events_fold_back_into_the_reply_and_memory() -> None:
    agent = make_agent([[tool_call("add", a=1, b=1)], "It is 2, thanks for asking."])
    events = [e async for e in agent.stream(Msg("user", "1+1?", "user"))]
    kinds = [e.kind for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_ended"
    assert [e.seq for e in events] == list(range(len(events)))
    assert len({e.run_id for e in events}) == 1
    assert isinstance(events[-1], RunEnded) and events[-1].status == "completed"
    reply = fold_reply(events)
    memory = await agent.memory.get_memory()
    assert reply == memory[-1]
    folded = fold_messages(events)
    for msg in memory[1:]:
        assert folded[msg.id] == msg
    # every event is JSON serialisable and round-trips
    from ascope_nb.events import event_from_dict

    for event in events:
        assert event_from_dict(json.loads(json.dumps(event.to_dict()))) == event
    started = events[0]
    assert isinstance(started, RunStarted)
    assert started.metadata["sys_prompt"] == "You are Friday."
    assert [t["function"]["name"] for t in started.metadata["tools"]] == ["add", "divide", "slow"]


async def test_non_streaming_model_emits_the_same_shapes() -> None:
    agent = make_agent([[tool_call("add", a=4, b=4)], "8"], stream=False)
    events = [e async for e in agent.stream(Msg("user", "4+4", "user"))]
    assert fold_reply(events).get_text_content() == "8"
    assert any(
        isinstance(e, ToolResult) and e.output == [{"type": "text", "text": "8"}] for e in events
    )


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (tool_call("add", raw='{"a": 1, "b":'), "not valid JSON"),
        (tool_call("subtract", a=1, b=2), "subtract"),
        (tool_call("divide", a=1, b=0), "Error: float division by zero"),
        (tool_call("add", a=1), "b"),
    ],
    ids=["malformed-json", "unknown-tool", "tool-raises", "missing-arg"],
)
async def test_bad_tool_calls_become_error_results(call, expected) -> None:
    agent = make_agent([[call], "Sorry, that failed."])
    events = [e async for e in agent.stream(Msg("user", "go", "user"))]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert len(results) == 1 and results[0].state == "error"
    text = results[0].output[0]["text"]
    assert expected in text and "\n" not in text.strip()
    assert fold_reply(events).get_text_content() == "Sorry, that failed."
    assert_memory_valid(await agent.memory.get_memory())
    # the error reached the model
    assert expected in agent.model.calls[1].text()


async def test_model_error_mid_stream_raises_and_memory_stays_valid() -> None:
    from ascope_nb.exceptions import ModelCallError

    agent = make_agent(
        [
            Reply(
                text="partial answer that breaks",
                fail_after_tokens=2,
                error=ModelCallError("connection reset"),
            )
        ]
    )
    seen = []
    with subscribe(seen.append):
        with pytest.raises(ModelCallError, match="connection reset"):
            await agent(Msg("user", "hi", "user"))
    ended = [e for e in seen if isinstance(e, RunEnded)]
    assert ended[-1].status == "error" and "connection reset" in ended[-1].error
    assert_memory_valid(await agent.memory.get_memory())
    # the agent is usable again
    agent.model.replies.append(Reply(text="recovered"))
    assert (await agent(Msg("user", "again", "user"))).get_text_content() == "recovered"


async def test_parallel_tool_calls_run_concurrently_and_results_keep_call_order() -> None:
    calls = [tool_call("slow", id=f"s{i}", seconds=0.3) for i in range(4)]
    agent = make_agent([calls, "done"], parallel_tool_calls=True)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await agent(Msg("user", "sleep", "user"))
    assert loop.time() - started < 1.0  # 4 x 0.3 s sequentially would be 1.2 s
    memory = await agent.memory.get_memory()
    result_ids = [b["id"] for m in memory for b in m.get_content_blocks("tool_result")]
    assert result_ids == ["s0", "s1", "s2", "s3"]


async def test_max_iters_ends_with_a_summarising_call() -> None:
    agent = make_agent(
        [[tool_call("add", a=1, b=1)], [tool_call("add", a=2, b=2)], "Summary: I added numbers."],
        max_iters=2,
    )
    events = [e async for e in agent.stream(Msg("user", "loop", "user"))]
    assert events[-1].status == "max_iters"
    last_request = agent.model.calls[-1]
    assert last_request.tools is None
    assert "failed to generate response within the maximum iterations" in last_request.text()
    assert fold_reply(events).get_text_content() == "Summary: I added numbers."


async def test_interrupt_mid_tool_gives_interrupted_results() -> None:
    agent = make_agent(
        [[tool_call("slow", id="long", seconds=30), tool_call("add", id="quick", a=1, b=2)]]
    )
    task = asyncio.create_task(agent(Msg("user", "sleep", "user")))
    await asyncio.sleep(0.3)
    await agent.interrupt()
    reply = await asyncio.wait_for(task, 5)
    assert reply.metadata["_is_interrupted"] is True
    memory = await agent.memory.get_memory()
    assert_memory_valid(memory)
    results = {b["id"]: b for m in memory for b in m.get_content_blocks("tool_result")}
    assert "interrupted" in results["long"]["output"][-1]["text"]
    assert "interrupted" in results["quick"]["output"][-1]["text"]


async def test_interrupt_while_streaming_keeps_partial_text() -> None:
    agent = make_agent([Reply(text="one two three four five six seven eight nine ten")])
    agent.model.token_delay = 0.05
    seen = []
    agent.subscribe(seen.append)
    task = asyncio.create_task(agent(Msg("user", "count", "user")))
    await asyncio.sleep(0.2)
    await agent.interrupt()
    reply = await task
    assert reply.metadata["_is_interrupted"]
    memory = await agent.memory.get_memory()
    partial = memory[1].get_text_content()
    assert partial and "one" in partial and "ten" not in partial
    assert [e.status for e in seen if isinstance(e, RunEnded)] == ["interrupted"]


async def test_steering_hint_reaches_the_next_model_request() -> None:
    agent = make_agent([[tool_call("slow", seconds=0.3)], "ok, in French: bonjour"])
    task = asyncio.create_task(agent(Msg("user", "greet", "user")))
    await asyncio.sleep(0.1)
    agent.steer("Answer in French.")
    seen = []
    with subscribe(seen.append):
        await task
    assert "Answer in French." in agent.model.calls[1].text()
    assert "Answer in French." not in agent.model.calls[0].text()
    hints = [e for e in seen if isinstance(e, HintInjected)]
    assert [(h.text, h.source, h.step) for h in hints] == [("Answer in French.", "human", 1)]


async def test_approval_deny_then_approve_with_edit() -> None:
    agent = make_agent(
        [[tool_call("add", id="c1", a=1, b=1)], [tool_call("add", id="c2", a=5, b=5)], "Done"],
        require_approval=["add"],
    )
    seen = []
    agent.subscribe(seen.append)
    task = asyncio.create_task(agent(Msg("user", "add", "user")))
    await asyncio.sleep(0.05)
    assert agent.control.pending_approvals == ["c1"]
    agent.control.deny("c1", "not now")
    await asyncio.sleep(0.05)
    assert agent.control.pending_approvals == ["c2"]
    agent.control.approve("c2", {"a": 10, "b": 10})
    await asyncio.wait_for(task, 5)
    results = {e.tool_call_id: e for e in seen if isinstance(e, ToolResult)}
    assert results["c1"].state == "denied" and "not now" in results["c1"].output[0]["text"]
    assert results["c2"].output == [{"type": "text", "text": "20"}]
    decisions = [
        (e.tool_call_id, e.decision, e.input, e.original_input)
        for e in seen
        if isinstance(e, ApprovalResolved)
    ]
    assert decisions == [
        ("c1", "denied", {}, {"a": 1, "b": 1}),
        ("c2", "edited", {"a": 10, "b": 10}, {"a": 5, "b": 5}),
    ]
    assert "denied" in agent.model.calls[1].text()


async def test_pause_and_step() -> None:
    agent = make_agent([[tool_call("add", a=1, b=1)], [tool_call("add", a=2, b=2)], "4"])
    agent.control.pause()
    task = asyncio.create_task(agent(Msg("user", "go", "user")))
    await asyncio.sleep(0.05)
    assert len(agent.model.calls) == 0
    agent.control.step()
    await asyncio.sleep(0.05)
    assert len(agent.model.calls) == 1
    agent.control.step()
    await asyncio.sleep(0.05)
    assert len(agent.model.calls) == 2
    agent.control.resume()
    assert (await asyncio.wait_for(task, 5)).get_text_content() == "4"


class Weather(BaseModel):
    city: str
    temperature_c: float


async def test_structured_output_lands_in_metadata() -> None:
    agent = make_agent(
        [
            [tool_call("generate_response", city="Paris")],  # invalid: missing field
            ["It is mild.", tool_call("generate_response", city="Paris", temperature_c=14.5)],
        ]
    )
    reply = await agent(Msg("user", "weather?", "user"), structured_model=Weather)
    assert reply.metadata == {"city": "Paris", "temperature_c": 14.5}
    assert "temperature_c" in agent.model.calls[1].text()  # validation error went back
    assert agent.model.calls[0].tool_choice == "required"
    assert_memory_valid(await agent.memory.get_memory())


async def test_hooks_instance_and_class_are_separate() -> None:
    class MyAgent(ReActAgent):
        pass

    log: list[str] = []
    MyAgent.register_class_hook(
        "pre_reply", "log", lambda self, kwargs: log.append("class") or None
    )
    try:
        plain = make_agent(["hi"])
        await plain(Msg("user", "x", "user"))
        assert log == []  # a subclass's class hook does not leak to ReActAgent
        mine = MyAgent(
            name="m",
            sys_prompt="s",
            model=ScriptedModel(["changed?"]),
            formatter=OpenAIChatFormatter(),
        )
        mine.set_console_output_enabled(False)

        def post(self, kwargs, output):
            output.content = output.get_text_content().upper()
            return output

        mine.register_instance_hook("post_reply", "upper", post)
        mine.register_instance_hook(
            "pre_reasoning", "r", lambda self, kwargs: log.append("reasoning") or None
        )
        reply = await mine(Msg("user", "x", "user"))
        assert reply.content == "CHANGED?"
        assert log == ["class", "reasoning"]
    finally:
        MyAgent.clear_class_hooks()


async def test_state_dict_round_trip() -> None:
    agent = make_agent([[tool_call("add", a=1, b=2)], "3"])
    await agent(Msg("user", "1+2", "user"))
    clone = make_agent([])
    clone.load_state_dict(agent.state_dict())
    assert [m.to_dict() for m in await clone.memory.get_memory()] == [
        m.to_dict() for m in await agent.memory.get_memory()
    ]
    assert clone.sys_prompt == "You are Friday."


async def test_tool_call_events_carry_names_and_inputs() -> None:
    agent = make_agent([[tool_call("add", id="x", a=7, b=8)], "15"])
    events = [e async for e in agent.stream(Msg("user", "7+8", "user"))]
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.tool_call_id, c.name, c.input, c.step) for c in calls] == [
        ("x", "add", {"a": 7, "b": 8}, 0)
    ]


async def test_a_step_is_on_disk_before_the_next_model_call(tmp_path) -> None:
    """The store has a step's events committed before the step after it calls the model
    (a killed kernel loses nothing shown before a model call)."""
    from ascope_nb.events import StepEnded
    from ascope_nb.run import start
    from ascope_nb.store import RunStore, set_default_store
    from ascope_nb.testing import FunctionModel

    store = RunStore(tmp_path / "runs.sqlite")
    set_default_store(store)
    step_ends: list[StepEnded] = []
    durable_at_call: list[bool] = []

    def model(messages, tools):
        if step_ends:  # the second call: step 0 has ended
            durable_at_call.append(store.is_durable(step_ends[0].run_id, step_ends[0].seq))
            return "5"
        return Reply(tool_calls=[tool_call("add", id="c1", a=2, b=3)])

    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent("Friday", "You add.", FunctionModel(model), toolkit=toolkit)
    agent.set_console_output_enabled(False)
    agent.subscribe(lambda e: step_ends.append(e) if isinstance(e, StepEnded) else None)
    try:
        run = start(agent, "What is 2 + 3?")
        assert (await run).get_text_content() == "5"
    finally:
        set_default_store(None)
        store.close()
    assert durable_at_call == [True]
    assert [e.step for e in step_ends] == [0, 1]


async def test_a_streaming_tool_that_raises_never_crashes_the_agent() -> None:
    """The toolkit lets a streaming tool's exception out (as AgentScope does); the agent
    catches it: the model reads what the tool streamed plus ``Error: {exc}``, and goes on."""

    async def fetch_pages(n: int):
        """Fetch pages one by one.

        Args:
            n: How many pages.
        """
        pages = []
        for i in range(n):
            pages.append(f"page {i}")
            yield "\n".join(pages)  # chunks are cumulative, as in AgentScope
        raise ConnectionError("server went away")

    model = ScriptedModel([[tool_call("fetch_pages", n=2)], "Got two pages, then it failed."])
    agent = make_agent([], tools=(fetch_pages,), model=model)
    events = [e async for e in agent.stream(Msg("user", "fetch 2 pages", "user"))]
    (result,) = [e for e in events if isinstance(e, ToolResult)]
    assert result.state == "error"
    assert [b["text"] for b in result.output] == ["page 0\npage 1", "Error: server went away"]
    progress = [e.output[0]["text"] for e in events if isinstance(e, ToolProgress)]
    assert progress[-1] == "page 0\npage 1"  # the live view saw the streamed pages
    assert fold_reply(events).get_text_content() == "Got two pages, then it failed."
    tool_message = model.calls[1].messages[-1]
    assert tool_message["role"] == "tool" and "Error: server went away" in str(tool_message)
    assert_memory_valid(await agent.memory.get_memory())
