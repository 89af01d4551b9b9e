"""Replaying stored runs: recorded outputs and tool results reproduce the events; a changed
tool or prompt is reported as a divergence at the step where it first shows."""

from __future__ import annotations

from typing import Any

import pytest

import ascope_nb
from ascope_nb.exceptions import ConfigError
from ascope_nb.model._replay import Reply
from ascope_nb.store import default_store
from ascope_nb.testing import FunctionModel, tool_call
from tests.whatif_support import add, make_agent, tool_results

VOLATILE = {"ts", "seq", "run_id", "reply_id", "msg_id", "id", "block_id", "latency", "time"}
VOLATILE |= {"timestamp", "memory_ids", "title", "duration"}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _events(run_id: str) -> list[Any]:
    store = default_store()
    store.flush()
    out = []
    for event in store.event_dicts([run_id]):
        if event["kind"] == "run_started":
            for key in ("replay_of", "replay_tools"):
                event["metadata"].pop(key, None)
        out.append(_strip(event))
    return out


def _model(variant: int) -> FunctionModel:
    """Twenty different runs: 0-4 tool calls, thinking, a failing tool, parallel calls."""
    n_calls = variant % 5

    def answer(messages: list[dict[str, Any]], tools: Any) -> Any:
        seen = tool_results(messages)
        if len(seen) < n_calls:
            if variant % 7 == 3 and len(seen) == 0:
                return [tool_call("add", a=1, b=2), tool_call("add", a=3, b=4)]
            if variant % 4 == 2 and len(seen) == 1:
                return [tool_call("add", a="x", b=1)]  # fails validation: an error result
            return Reply(
                thinking=f"step {len(seen)}" if variant % 3 == 0 else "",
                text=f"Adding {len(seen)}.",
                tool_calls=[tool_call("add", a=len(seen), b=variant)],
            )
        return f"Run {variant} done after {len(seen)} results: {seen}."

    return FunctionModel(answer)


async def _twenty_runs() -> list[str]:
    ids = []
    for variant in range(20):
        agent = make_agent(_model(variant), max_iters=6)
        if variant % 6 == 5:
            agent.steer("Be careful.")
        run = ascope_nb.start(agent, f"Question {variant}")
        await run
        assert run.status == "completed", run.error
        ids.append(run.run_id)
    return ids


async def test_replays_of_twenty_stored_runs_reproduce_their_events() -> None:
    for run_id in await _twenty_runs():
        again = ascope_nb.replay(run_id)
        await again
        assert again.divergence is None, again.divergence
        assert _events(again.run_id) == _events(run_id)
        meta = default_store().event_dicts([again.run_id])[0]["metadata"]
        assert meta["replay_of"] == run_id


def _changed_add(from_a: int) -> Any:
    def add(a: int, b: int) -> str:
        """Add two integers.

        Args:
            a: The first number.
            b: The second number.
        """
        return str(a + b + (1 if a >= from_a else 0))

    return add


@pytest.mark.parametrize("from_a", [0, 2, 3])
async def test_a_changed_tool_diverges_at_the_step_where_it_first_differs(from_a: int) -> None:
    original = ascope_nb.start(make_agent(_model(4)), "Question")
    await original
    agent = make_agent(_model(4))
    agent.toolkit.register_tool_function(_changed_add(from_a), namesake_strategy="override")
    again = ascope_nb.replay(original.run_id, agent=agent, tools="live")
    shown: list[dict[str, Any]] = []
    again.view.send = lambda msg, buffers=None: shown.append(msg)  # type: ignore[method-assign]
    await again
    found = again.divergence
    assert found is not None and found.kind == "tool_result"
    assert found.step == from_a  # step i calls add(a=i, ...)
    assert found.expected == [{"type": "text", "text": str(from_a + 4)}]
    assert found.got == [{"type": "text", "text": str(from_a + 5)}]
    assert f"divergence=step {from_a}: 'add' returned another result" in repr(again)
    assert "Diverged at step" in found._repr_html_()
    notices = [m["text"] for m in shown if m.get("type") == "notice"]
    assert notices == [f"Replay diverged at step {from_a}: 'add' returned another result"]
    same = ascope_nb.replay(original.run_id, agent=make_agent(_model(4)), tools="live")
    await same
    assert same.divergence is None


async def test_a_changed_prompt_diverges_at_step_0_and_a_fork_replays_exactly() -> None:
    original = ascope_nb.start(make_agent(_model(3)), "Question")
    await original
    agent = make_agent(_model(3), name="Friday")
    agent.sys_prompt = "You are someone else."
    prompt = ascope_nb.replay(original.run_id, agent=agent)
    await prompt
    assert prompt.divergence is not None
    assert (prompt.divergence.kind, prompt.divergence.step) == ("model_input", 0)
    assert prompt.divergence.got["content"] == [{"type": "text", "text": "You are someone else."}]

    fork = ascope_nb.load_run(original.run_id).fork(
        1, edit={"a": 9, "b": 9}, model=_model(3), tools={"add": add}
    )
    await fork
    again = ascope_nb.replay(fork.run_id, tools="recorded")
    await again
    assert again.divergence is None  # a fork replays like any run


async def test_bad_replay_options_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match="tools must be 'recorded' or 'live'"):
        ascope_nb.replay("x", tools="sometimes")  # type: ignore[arg-type]
