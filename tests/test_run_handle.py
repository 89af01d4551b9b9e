"""The Run handle: background runs, steering from other threads, hubs, and automatic storage."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.fold import fold_reply
from ascope_nb.formatter import OpenAIMultiAgentFormatter
from ascope_nb.run import start, start_hub
from ascope_nb.testing import FunctionModel, tool_call
from tests.support.agents import scripted_agent


async def nap(seconds: float) -> str:
    """Sleep a while.

    Args:
        seconds: How long.
    """
    await asyncio.sleep(seconds)
    return "rested"


def agent_with(replies, **kwargs) -> ReActAgent:
    return scripted_agent(replies, nap, **kwargs)


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    from ascope_nb import store

    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    store.set_default_store(None)
    yield
    store.set_default_store(None)


async def test_start_returns_at_once_and_run_is_stored() -> None:
    from ascope_nb.store import default_store

    agent = agent_with([[tool_call("nap", seconds=0.2)], "rested well"])
    run = start(agent, "take a nap")
    assert run.status == "running" and not run.done
    reply = await run
    assert reply.get_text_content() == "rested well" and run.status == "completed"
    assert fold_reply(run.events) == reply
    store = default_store()
    await store.aflush()
    stored = store.events(run.run_id)
    assert [e.to_dict() for e in stored] == [e.to_dict() for e in run.events]
    frame = store.runs()
    assert frame.loc[frame.run_id == run.run_id, "status"].item() == "completed"


async def test_controls_from_another_thread_reach_the_loop() -> None:
    agent = agent_with(
        [[tool_call("nap", id="n1", seconds=0.3)], [tool_call("nap", id="n2", seconds=0.05)], "ok"],
        require_approval="nap",
    )
    run = start(agent, "nap twice", store=False)
    await asyncio.sleep(0.1)
    # a kernel subshell thread sends the button clicks
    worker = threading.Thread(target=lambda: (run.steer("be quick"), run.approve("n1")))
    worker.start()
    worker.join()
    await asyncio.sleep(0.5)
    threading.Thread(target=lambda: run.deny("n2", "enough")).start()
    await asyncio.wait_for(run.wait(), 5)
    assert "be quick" in agent.model.calls[1].text()
    states = [e.state for e in run.events if e.kind == "tool_result"]
    assert states == ["success", "denied"]


async def test_stop_mid_tool_gives_interrupted_status_and_valid_memory() -> None:
    agent = agent_with([[tool_call("nap", seconds=30)]])
    run = start(agent, "sleep long", store=False)
    await asyncio.sleep(0.2)
    run.stop()
    reply = await asyncio.wait_for(run.wait(), 5)
    assert run.status == "interrupted" and reply.metadata["_is_interrupted"]
    results = [e for e in run.events if e.kind == "tool_result"]
    assert [r.state for r in results] == ["interrupted"]


async def test_hub_run_and_feedback() -> None:
    agents = []
    for name in ("A", "B"):
        agent = ReActAgent(
            name=name,
            sys_prompt="s",
            model=FunctionModel(lambda m, t, n=name: f"{n} speaks"),
            formatter=OpenAIMultiAgentFormatter(),
        )
        agent.set_console_output_enabled(False)
        agents.append(agent)
    run = start_hub(agents, "tea or coffee?", announcement="Debate.", rounds=2, store=False)
    replies = await run
    assert [r.get_text_content() for r in replies] == [
        "A speaks",
        "B speaks",
        "A speaks",
        "B speaks",
    ]
    assert run.status == "completed"
    assert {e.run_id for e in run.events} == {run.run_id}
    run.feedback(label="up", comment="nice")
    assert run.events[-1].kind == "feedback" and run.events[-1].label == "up"
    with pytest.raises(ConfigError):
        run.feedback(label="sideways")  # type: ignore[arg-type]


def test_start_outside_a_loop_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="running event loop"):
        start(agent_with(["x"]), "hi")
