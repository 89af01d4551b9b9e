"""A ReActAgent with a PlanNotebook: plan events are folded and stored, the hint reaches the
model, bad tool input gets one line and leaves the plan valid, a fork restores the plan of
its step, a session keeps the plan."""

from __future__ import annotations

from typing import Any

import pytest

import ascope_nb
from ascope_nb.events import PlanChanged
from ascope_nb.fold import RunFold
from ascope_nb.message import Msg
from ascope_nb.session import JSONSession
from ascope_nb.store import default_store
from ascope_nb.testing import tool_call
from tests.support.plan_runs import plan_call, planner, planning_script


def _states(plan: dict[str, Any] | None) -> list[str]:
    return [t["state"] for t in (plan or {}).get("subtasks", [])]


async def test_plan_changes_are_events_folded_and_stored() -> None:
    agent, _, notebook = planner(planning_script())
    run = ascope_nb.start(agent, "Plan a trip to Oslo.")
    await run
    assert run.status == "completed", run.error
    changes = [e for e in run.events if isinstance(e, PlanChanged)]
    assert [c.op for c in changes] == [
        "create_plan",
        "update_subtask_state",
        "finish_subtask",
        "finish_subtask",
        "finish_subtask",
        "finish_plan",
    ]
    assert [c.step for c in changes] == [1, 2, 3, 4, 5, 6]  # seen from the next step on
    assert _states(changes[2].plan) == ["done", "in_progress", "todo"]
    assert changes[-1].plan is None and changes[-1].finished["state"] == "done"
    assert notebook.current_plan is None
    # the stored run folds to the same plans
    store = default_store()
    store.flush()
    fold = RunFold().extend(store.events(run.run_id))
    state = fold.plan_state()
    assert state.plan is None
    assert [p["name"] for p in state.history] == ["Trip"]
    assert state.history[0]["subtasks"][2]["outcome"] == "Hotel Nord"
    mid = fold.plan_at(changes[0].reply_id, 3)
    assert _states(mid.plan) == ["done", "in_progress", "todo"]


async def test_the_plan_hint_reaches_each_model_call_once_and_stays_out_of_memory() -> None:
    agent, model, _ = planner(planning_script())
    await ascope_nb.start(agent, "Plan a trip.")
    first, second = model.calls[0].messages, model.calls[1].messages
    assert "you NEED to create a plan first" in str(first[-1]["content"])
    assert "<system-hint>The current plan:" in str(second[-1]["content"])
    assert "Pick dates" in str(second[-1]["content"])
    assert sum("<system-hint>" in str(m.get("content")) for m in second) == 1
    memory = await agent.memory.get_memory()
    assert not any("<system-hint>The current plan" in (m.get_text_content() or "") for m in memory)


async def test_the_meta_tool_puts_plan_tools_in_their_group() -> None:
    agent, model, _ = planner(["ok"], enable_meta_tool=True)
    assert "plan_related" in agent.toolkit.groups
    await ascope_nb.start(agent, "Hi")
    assert "create_plan" not in model.calls[0].tool_names  # until the model activates the group


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            tool_call("update_subtask_state", subtask_idx=7, state="in_progress"),
            "Invalid subtask_idx '7'",
        ),
        (
            tool_call("update_subtask_state", subtask_idx=0, state="paused"),
            "'state': Input should be 'todo', 'in_progress' or 'abandoned'",
        ),
        (
            tool_call("revise_current_plan", subtask_idx=9, action="delete"),
            "Invalid subtask_idx '9'",
        ),
        (tool_call("finish_subtask", subtask_idx=1, subtask_outcome="x"), "is not done yet"),
    ],
)
async def test_bad_plan_tool_input_gets_one_line_and_the_plan_stays(
    call: Any, expected: str
) -> None:
    agent, _, notebook = planner([[plan_call("A", "B")], [call], "done"])
    run = ascope_nb.start(agent, "Plan.")
    await run
    results = [e for e in run.events if e.kind == "tool_result"]
    text = results[1].output[0]["text"]
    assert expected in text and "\n" not in text
    assert notebook.current_plan is not None
    assert [t.name for t in notebook.current_plan.subtasks] == ["A", "B"]
    assert _states(notebook.current_plan.model_dump()) == ["todo", "todo"]


async def test_a_second_create_plan_keeps_the_first_in_the_history() -> None:
    agent, _, notebook = planner([[plan_call("A")], [plan_call("B", plan="Other")], "ok"])
    run = ascope_nb.start(agent, "Plan.")
    await run
    text = [e for e in run.events if e.kind == "tool_result"][1].output[0]["text"]
    assert (
        text == "The current plan named 'Trip' is replaced by the newly created plan named 'Other'."
    )
    (old,) = await notebook.storage.get_plans()
    assert old.name == "Trip" and old.state == "abandoned"


async def test_a_tool_on_a_finished_plan_is_told_so() -> None:
    agent, _, notebook = planner(
        [
            [plan_call("A")],
            [tool_call("finish_plan", state="done", outcome="x")],
            [tool_call("finish_subtask", subtask_idx=0, subtask_outcome="y")],
            "ok",
        ]
    )
    run = ascope_nb.start(agent, "Plan.")
    await run
    last = [e for e in run.events if e.kind == "tool_result"][-1]
    assert last.state == "error"
    assert "create a plan by calling create_plan() first" in last.output[0]["text"]
    assert notebook.current_plan is None


async def test_a_fork_from_a_step_starts_from_the_plan_of_that_step() -> None:
    agent, _, notebook = planner(planning_script())
    run = ascope_nb.start(agent, "Plan a trip.")
    await run
    default_store().flush()
    before = [e.to_dict() for e in run.events]
    # step 3 finishes subtask 1; the plan before it: 0 done, 1 in progress
    fork = ascope_nb.load_run(run.run_id).fork(3, model=planner(planning_script()[3:])[1], tools={})
    await fork
    assert fork.status == "completed", fork.error
    first = next(e for e in fork.events if isinstance(e, PlanChanged))
    assert first.op == "finish_subtask"
    assert _states(first.plan) == ["done", "done", "in_progress"]
    assert first.plan["subtasks"][0]["outcome"] == "May 3-5"
    assert [e.to_dict() for e in run.events] == before  # the parent is untouched
    assert notebook.current_plan is None  # and so is its notebook


async def test_a_live_fork_binds_the_plan_tools_to_its_own_notebook() -> None:
    agent, _, notebook = planner(planning_script())
    run = ascope_nb.start(agent, "Plan a trip.")
    await run
    fork = run.fork(2, model=planner(planning_script()[2:])[1])
    await fork
    assert fork.status == "completed", fork.error
    fork_agent = fork.agents[0]
    assert fork_agent.plan_notebook is not notebook
    assert fork_agent.toolkit is not agent.toolkit
    assert agent.toolkit.tools["create_plan"].original_func.__self__ is notebook  # type: ignore[attr-defined]
    assert (await fork_agent.plan_notebook.storage.get_plans())[0].outcome == "Trip booked"


async def test_a_session_round_trip_keeps_the_plan(tmp_path: Any) -> None:
    agent, _, _ = planner(
        [
            [plan_call("A", "B")],
            [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")],
            "ok",
        ]
    )
    await ascope_nb.start(agent, "Plan.")
    session = JSONSession(save_dir=str(tmp_path))
    await session.save_session_state("s1", planner_agent=agent)
    again, model, notebook = planner(["Continuing."])
    await session.load_session_state("s1", planner_agent=again)
    assert notebook.current_plan is not None
    assert _states(notebook.current_plan.model_dump()) == ["in_progress", "todo"]
    reply = await again(Msg("user", "go on", "user"))
    assert reply.get_text_content() == "Continuing."
    assert "subtask at index 0, named 'A', is 'in_progress'" in str(
        model.calls[0].messages[-1]["content"]
    )


async def test_a_replay_of_a_plan_run_matches_and_leaves_the_plan_alone() -> None:
    agent, _, notebook = planner(planning_script())
    run = ascope_nb.start(agent, "Plan a trip.")
    await run
    default_store().flush()
    for tools in ("recorded", "live"):
        again = ascope_nb.replay(run.run_id, tools=tools)
        await again
        assert again.status == "completed", again.error
        assert again.divergence is None, (tools, again.divergence)
        states = [e.op for e in again.events if isinstance(e, PlanChanged)]
        assert states[0] == "create_plan" and states[-1] == "finish_plan"
    assert notebook.current_plan is None
    assert len(await notebook.storage.get_plans()) == 1  # the replays kept their own plans
