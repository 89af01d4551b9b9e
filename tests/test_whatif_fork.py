"""Forking a run: the fork sends the model exactly what the original sent at that step
(plus the edit), is stored with its parent and step, and leaves the parent untouched."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import ascope_nb
from ascope_nb.exceptions import ConfigError
from ascope_nb.fold import RunFold
from ascope_nb.store import default_store
from ascope_nb.testing import FunctionModel
from tests.whatif_support import add, counting_model, formatted, make_agent, tool_results


async def _stored_run(n_calls: int = 3) -> str:
    run = ascope_nb.start(make_agent(counting_model(n_calls)), "Add things up.")
    await run
    default_store().flush()
    return run.run_id


def _parent_dicts(run_id: str) -> list[dict[str, Any]]:
    store = default_store()
    store.flush()
    return store.event_dicts([run_id])


def _recorded_input(run_id: str, step: int) -> list[dict[str, Any]]:
    fold = RunFold().extend(default_store().events(run_id))
    (call,) = [c for c in fold.model_calls() if c.step == step]
    assert call.exact
    return call.input


@pytest.mark.parametrize("step", [0, 1, 2, 3])
async def test_a_fork_sends_the_model_what_the_original_sent_at_that_step(step: int) -> None:
    parent = await _stored_run()
    before = _parent_dicts(parent)
    model = counting_model(name="other")
    fork = ascope_nb.load_run(parent).fork(step, model=model, tools={"add": add})
    reply = await fork
    assert fork.status == "completed", fork.error
    assert model.calls[0].messages == await formatted(_recorded_input(parent, step))
    assert reply is not None and "The last sum is 3." in reply.get_text_content()
    assert _parent_dicts(parent) == before  # the parent is never changed
    started = _parent_dicts(fork.run_id)[0]
    assert started["metadata"]["parent_run_id"] == parent
    assert started["metadata"]["fork_step"] == step
    assert started["metadata"]["sys_prompt"] == "You are Friday. Use the add tool."


async def test_an_edited_tool_call_runs_with_the_new_arguments_and_the_model_sees_it() -> None:
    parent = await _stored_run()
    model = counting_model(name="other")
    fork = ascope_nb.load_run(parent).fork(
        1, edit={"a": 40, "b": 2}, model=model, tools={"add": add}
    )
    await fork
    expected = await formatted(_recorded_input(parent, 1))
    first = model.calls[0].messages  # the model's first call is the step after the edit
    assert first[: len(expected)] == expected
    edited_call, edited_result = first[len(expected) :]
    assert edited_call["tool_calls"][0]["function"]["arguments"] == '{"a": 40, "b": 2}'
    assert edited_result["content"] == "42"
    assert tool_results(first) == ["1", "42"]
    meta = _parent_dicts(fork.run_id)[0]["metadata"]
    assert meta["fork_edit"] == {"a": 40, "b": 2}


async def test_an_edited_text_ends_the_fork_and_guidance_is_in_the_next_prompt() -> None:
    parent = await _stored_run()
    fork = ascope_nb.load_run(parent).fork(2, edit="Done early.", tools={"add": add})
    reply = await fork
    assert reply is not None and reply.get_text_content() == "Done early."
    seen: list[list[dict[str, Any]]] = []

    def spy(messages: list[dict[str, Any]], tools: Any) -> str:
        seen.append(messages)
        return "ok"

    guided = ascope_nb.load_run(parent).fork(
        2, guidance="Stop adding.", model=FunctionModel(spy), tools={"add": add}
    )
    await guided
    expected = await formatted(_recorded_input(parent, 2))
    assert seen[0][: len(expected)] == expected
    assert seen[0][len(expected)]["content"] == [{"type": "text", "text": "Stop adding."}]


async def test_a_fork_of_a_run_in_this_process_uses_its_live_tools_and_model() -> None:
    calls: list[tuple[int, int]] = []

    def add(a: int, b: int) -> str:  # noqa: F811  (the live agent's own tool)
        """Add two integers.

        Args:
            a: The first number.
            b: The second number.
        """
        calls.append((a, b))
        return str(a + b)

    agent = make_agent(counting_model())
    agent.toolkit.register_tool_function(add, namesake_strategy="override")
    run = ascope_nb.start(agent, "Add things up.")
    await run
    fork = run.fork(1)
    await fork
    assert fork.status == "completed"
    assert calls == [(0, 1), (1, 1), (2, 1), (1, 1), (2, 1)]  # the fork re-ran steps 1, 2


async def test_bad_forks_are_one_line_errors() -> None:
    parent = await _stored_run(1)
    stored = ascope_nb.load_run(parent)
    with pytest.raises(ConfigError, match=r"tool 'add' of run '\w+' is not defined here"):
        stored.fork(0, model=counting_model())
    with pytest.raises(ConfigError, match="has no step 5"):
        stored.fork(5, tools={"add": add})
    with pytest.raises(ConfigError, match="called no tool"):
        stored.fork(1, edit={"a": 1}, tools={"add": add})
    with pytest.raises(ascope_nb.exceptions.AscopeError, match="no stored run 'nope'"):
        ascope_nb.load_run("nope")


def test_the_fork_command_of_the_view_is_validated() -> None:
    from ascope_nb.views._commands import parse_command

    assert parse_command({"cmd": "fork", "step": 1, "edit": {"city": "Oslo"}}) == {
        "cmd": "fork",
        "step": 1,
        "edit": {"city": "Oslo"},
    }
    assert parse_command({"cmd": "fork", "step": 0, "edit": "text"}) is not None
    for bad in ({"cmd": "fork"}, {"cmd": "fork", "step": -1}, {"cmd": "fork", "step": True}):
        assert parse_command(bad) is None
    assert parse_command({"cmd": "fork", "step": 2, "edit": [1]}) is None


async def test_a_run_view_starts_a_fork_and_streams_its_events() -> None:
    run = ascope_nb.start(make_agent(counting_model()), "Add things up.")
    await run
    view = run.view
    assert view.forkable
    sent: list[dict[str, Any]] = []
    view.send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    view._handle_custom_msg({"cmd": "fork", "step": 1, "edit": {"a": 40, "b": 2}}, None)
    fork = view._forks[0]
    await fork
    assert sent[0] == {"type": "fork", "fork_id": fork.run_id, "step": 1, "title": fork.title}
    await asyncio.sleep(0.1)  # the last batch is sent by the coalescer's timer
    events = [e for m in sent[1:] for e in m["events"]]
    assert {"a": 40, "b": 2} in [e.get("input") for e in events if e["kind"] == "tool_call"]
    assert events[-1]["kind"] == "run_ended"
