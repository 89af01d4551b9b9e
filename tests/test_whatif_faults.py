"""Fork, replay and run events under bad input (issue 27, item 13): a tool-call block as the
edit, a ``datetime`` in an edit, a stored run whose tool is gone, guidance with a secret,
a structured-output run's tools, feedback stored after the run, the DashScope session."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel

import ascope_nb
from ascope_nb.exceptions import ConfigError
from ascope_nb.export import load_runs
from ascope_nb.store import RunStore, default_store
from ascope_nb.testing import ScriptedModel, tool_call
from tests.whatif_support import add, counting_model, make_agent

SECRET = "sk-abcdefghijklmnopqrstuvwx1234"


def when(day: str) -> str:
    """Say the day.

    Args:
        day: The day.
    """
    return f"on {day}"


async def test_a_fork_edit_can_be_a_tool_call_block_with_a_new_tool() -> None:
    parent = ascope_nb.start(make_agent(counting_model()), "Add things up.")
    await parent
    agent_tools = {"add": add, "when": when}
    fork = parent.fork(
        1, edit=tool_call("when", day="Monday"), model=counting_model(), tools=agent_tools
    )
    await fork
    calls = [e for e in fork.events if e.kind == "tool_call"]
    assert (calls[0].name, calls[0].input) == ("when", {"day": "Monday"})
    results = [e for e in fork.events if e.kind == "tool_result"]
    assert results[0].output[0]["text"] == "on Monday" and results[0].state == "success"


async def test_a_datetime_in_a_fork_edit_is_sent_as_the_model_would() -> None:
    parent = ascope_nb.start(make_agent(counting_model()), "Add things up.")
    await parent
    stamp = datetime.datetime(2026, 12, 7, 3, 0)
    fork = parent.fork(
        1,
        edit=tool_call("when", day=stamp),
        model=counting_model(),
        tools={"add": add, "when": when},
    )
    await fork
    assert fork.status == "completed"
    assert [e for e in fork.events if e.kind == "tool_call"][0].input == {
        "day": "2026-12-07T03:00:00"
    }
    with pytest.raises(ConfigError) as bad:
        parent.fork(1, edit={"a": object()}, tools={"add": add})
    assert f"fork of run {parent.run_id!r} at step 1" in str(bad.value)
    assert "\n" not in str(bad.value)


async def test_the_fork_keeps_no_raw_guidance_in_memory() -> None:
    parent = ascope_nb.start(make_agent(counting_model()), "Add things up.")
    await parent
    fork = parent.fork(1, guidance=f"use the key {SECRET}", tools={"add": add})
    await fork
    started = fork.events[0]
    assert started.kind == "run_started"
    assert SECRET not in str(started.metadata) and "[REDACTED]" in started.metadata["fork_guidance"]
    default_store().flush()
    (stored,) = default_store().event_dicts([fork.run_id], kinds=["run_started"])
    assert stored["metadata"]["fork_guidance"] == started.metadata["fork_guidance"]


def test_replaying_a_run_whose_tool_is_gone_names_the_run(tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    script = textwrap.dedent(
        """
        import asyncio, ascope_nb
        from tests.whatif_support import counting_model, make_agent
        async def main():
            run = ascope_nb.start(make_agent(counting_model(1)), "Add.")
            await run
            print(run.run_id)
        asyncio.run(main())
        """
    )
    env = {**os.environ, "ASCOPE_STORE": str(store_path)}
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    run_id = out.stdout.split()[-1]
    store = RunStore(str(store_path))
    try:
        with pytest.raises(ConfigError) as gone:
            ascope_nb.replay(run_id, tools="live", store=store)
    finally:
        store.close()
    assert f"tool 'add' of run {run_id!r} is not defined here" in str(gone.value)


class City(BaseModel):
    name: str
    population: int


async def test_a_structured_run_records_the_finish_tool_the_model_saw() -> None:
    model = ScriptedModel(
        [[tool_call("generate_response", name="Oslo", population=700000)], "Oslo it is."]
    )
    agent = make_agent(model)
    run = ascope_nb.start(agent, "Which city?", structured_model=City)
    await run
    seen = [t["function"]["name"] for t in model.calls[0].tools or []]
    assert "generate_response" in seen
    (record,) = load_runs([run])
    assert [t["function"]["name"] for t in record.tools] == seen


async def test_feedback_stored_after_the_run_reaches_its_events() -> None:
    run = ascope_nb.start(make_agent(counting_model(1)), "Add.")
    await run
    store = default_store()
    store.add_feedback(run.run_id, label="up", comment="clear")
    mine = [e for e in run.events if e.kind == "feedback"]
    stored = [e for e in store.event_dicts([run.run_id]) if e["kind"] == "feedback"]
    assert len(mine) == len(stored) == 1 and mine[0].comment == "clear"
    run.feedback(score=0.5)  # the run numbers both: no two events share a seq
    store.flush()
    seqs = [e["seq"] for e in store.event_dicts([run.run_id])]
    assert len(seqs) == len(set(seqs)) == len(run.events)


def test_the_dashscope_session_is_closed_with_the_loop(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import asyncio, gc, warnings
        warnings.simplefilter("always")
        from ascope_nb.model import DashScopeChatModel
        from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply
        with FakeOpenAIServer([FakeReply(text="hi"), FakeReply(text="again")]) as server:
            for _ in range(2):
                model = DashScopeChatModel("qwen-max", api_key="sk-test", stream=False,
                                           base_http_api_url=server.base_url)
                print(asyncio.run(model([{"role": "user", "content": "hi"}])).content[0]["text"])
                gc.collect()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["hi", "again"]
    assert "Unclosed" not in out.stderr, out.stderr[-2000:]
