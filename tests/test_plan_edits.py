"""A person edits a live run's plan (``run.plan.*``): edits reach the next model call as a
hint and a human ``PlanChanged``; bad edits raise one line and change nothing; a plan can
wait for approval (edited while it waits, approved or sent back)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import ascope_nb
from ascope_nb.events import ApprovalRequested, HintInjected, PlanChanged
from ascope_nb.exceptions import ConfigError
from ascope_nb.run import Run
from ascope_nb.testing import tool_call
from tests.support.plan_runs import plan_call, planner


async def _until(check: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.005)


def _names(run: Run) -> list[str]:
    plan = run.plan.current
    return [t.name for t in plan.subtasks] if plan else []


async def test_an_approved_plan_edited_while_it_waits_reaches_the_next_model_call() -> None:
    agent, model, notebook = planner(
        [[plan_call("Pick dates", "Book train", "Book hotel")], "Starting."], approval=True
    )
    run = ascope_nb.start(agent, "Plan a trip.")
    await _until(lambda: run.plan.waiting_for_approval)
    assert run.agent_status == "waiting_approval"
    run.plan.rename(1, "Book a night train")
    run.plan.add("Pack bags", at=3)
    run.plan.move(3, 0)
    run.plan.mark(2, "abandoned", outcome="staying with friends")
    await _until(lambda: not run.plan.pending)
    assert _names(run) == ["Pack bags", "Pick dates", "Book a night train", "Book hotel"]
    assert len(model.calls) == 1  # nothing ran while the plan waited
    run.plan.approve()
    await run
    assert run.status == "completed", run.error
    prompt = model.calls[1].messages
    edit_hint = [m for m in prompt if "The user edited the plan" in str(m.get("content"))]
    assert len(edit_hint) == 1
    assert "renamed subtask 1 from 'Book train' to 'Book a night train'" in str(
        edit_hint[0]["content"]
    )
    assert "Book a night train" in str(prompt[-1]["content"])  # the plan hint shows it
    requested = [e for e in run.events if isinstance(e, ApprovalRequested)]
    assert [r.name for r in requested] == ["plan"]
    human = [e for e in run.events if isinstance(e, PlanChanged) and e.by == "human"]
    assert [e.op for e in human][-1] == "approve"
    assert all(e.op in ("edit", "approve") for e in human)
    assert any(isinstance(e, HintInjected) and e.source == "human" for e in run.events)
    assert notebook.current_plan is not None
    assert [t.state for t in notebook.current_plan.subtasks] == [
        "todo",
        "todo",
        "abandoned",
        "todo",
    ]


async def test_a_plan_sent_back_is_revised_and_asked_again() -> None:
    agent, model, notebook = planner(
        [
            [plan_call("A", "B")],
            [
                tool_call(
                    "revise_current_plan",
                    subtask_idx=1,
                    action="revise",
                    subtask={"name": "B2", "description": "d", "expected_outcome": "e"},
                )
            ],
            "ok",
        ],
        approval=True,
    )
    run = ascope_nb.start(agent, "Plan.")
    await _until(lambda: run.plan.waiting_for_approval)
    run.plan.deny("B is too vague")
    await _until(lambda: len(model.calls) >= 2)
    assert "did not approve the plan. Reason: B is too vague" in str(model.calls[1].messages)
    await _until(lambda: run.plan.waiting_for_approval)
    assert _names(run) == ["A", "B2"]
    run.plan.approve()
    await run
    assert run.status == "completed", run.error
    assert len([e for e in run.events if isinstance(e, ApprovalRequested)]) == 2


async def test_an_edit_mid_run_reaches_the_next_step() -> None:
    from ascope_nb.testing import FunctionModel

    holder: list[Run] = []
    calls: list[Any] = []
    agent2, _, notebook2 = planner(["unused"])

    def model_fn2(messages: list[dict[str, Any]], tools: Any) -> Any:
        n = len(calls)
        calls.append(messages)
        if n == 0:
            return [plan_call("A", "B", "C")]
        if n == 1:
            holder[0].plan.mark(2, "abandoned", outcome="not needed")
            return [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")]
        return "done"

    agent2.model = FunctionModel(model_fn2)
    run2 = ascope_nb.start(agent2, "Plan.")
    holder.append(run2)
    await run2
    assert run2.status == "completed", run2.error
    assert "marked subtask 2 'C' as abandoned (not needed)" in str(calls[2])
    assert "The user edited the plan" not in str(calls[1])
    assert notebook2.current_plan is not None
    assert [t.state for t in notebook2.current_plan.subtasks] == [
        "in_progress",
        "todo",
        "abandoned",
    ]
    human = [e for e in run2.events if isinstance(e, PlanChanged) and e.by == "human"]
    assert len(human) == 1 and human[0].step == 2


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"op": "remove", "index": 5}, "plan edit: no subtask 5 (the plan has subtasks 0..1)"),
        ({"op": "mark", "index": 0, "state": "paused"}, "plan edit 'mark': unknown state 'paused'"),
        ({"op": "move", "index": 0, "to": 9}, "plan edit 'move': 'to' must be a position 0..1"),
        ({"op": "rename", "index": 0, "name": " "}, "plan edit 'rename': needs a non-empty 'name'"),
        ({"op": "split", "index": 0}, "plan edit: unknown operation 'split'"),
        ({"op": "add", "index": 3, "name": "x"}, "plan edit: cannot add at 3 (positions 0..2)"),
    ],
)
async def test_a_bad_edit_raises_one_line_and_changes_nothing(
    edit: dict[str, Any], message: str
) -> None:
    agent, _, notebook = planner([[plan_call("A", "B")], "ok"], approval=True)
    run = ascope_nb.start(agent, "Plan.")
    await _until(lambda: run.plan.waiting_for_approval)
    with pytest.raises(ConfigError) as info:
        run.plan.edit(edit)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert run.plan.pending == []
    run.plan.approve()
    await run
    assert notebook.current_plan is not None
    assert [t.name for t in notebook.current_plan.subtasks] == ["A", "B"]
    assert not [e for e in run.events if isinstance(e, PlanChanged) and e.op == "edit"]


async def test_editing_a_finished_plan_or_a_run_without_a_plan_is_refused() -> None:
    agent, _, _ = planner(
        [[plan_call("A")], [tool_call("finish_plan", state="done", outcome="x")], "ok"]
    )
    run = ascope_nb.start(agent, "Plan.")
    await run
    with pytest.raises(ConfigError, match="there is no open plan"):
        run.plan.rename(0, "B")
    with pytest.raises(ConfigError, match="no plan is waiting for approval"):
        run.plan.approve()
    from ascope_nb.agent import ReActAgent
    from ascope_nb.testing import ScriptedModel

    plain = ReActAgent(name="P", sys_prompt="", model=ScriptedModel(["hi"]))
    plain.set_console_output_enabled(False)
    other = ascope_nb.start(plain, "hi")
    await other
    with pytest.raises(ConfigError, match="has no plan: give its agent a PlanNotebook"):
        other.plan.add("x")


async def test_an_approval_landing_while_an_edit_is_applied_keeps_the_edit_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The approval arrives while an edit's ``PlanChanged`` is being recorded (a slow
    store): the edit keeps its human event and hint (it was cut off before)."""
    from ascope_nb.plan._notebook import PlanNotebook

    agent, model, notebook = planner(
        [[plan_call("Pick dates", "Book train", "Book hotel")], "Starting."], approval=True
    )
    recording = asyncio.Event()
    changed = PlanNotebook._changed

    async def slow_changed(self: Any, op: str, detail: str, **kw: Any) -> Any:
        if kw.get("by") == "human" and op == "edit":
            recording.set()
            await asyncio.sleep(0.05)
        return await changed(self, op, detail, **kw)

    monkeypatch.setattr(PlanNotebook, "_changed", slow_changed)
    run = ascope_nb.start(agent, "Plan a trip.")
    await _until(lambda: run.plan.waiting_for_approval)
    run.plan.rename(1, "Book a night train")
    await asyncio.wait_for(recording.wait(), 5)
    run.plan.approve()  # lands while the edit's event is being recorded
    await run
    assert run.status == "completed", run.error
    human = [e.op for e in run.events if isinstance(e, PlanChanged) and e.by == "human"]
    assert human == ["edit", "approve"]
    prompt = str(model.calls[1].messages)
    assert "renamed subtask 1 from 'Book train' to 'Book a night train'" in prompt
