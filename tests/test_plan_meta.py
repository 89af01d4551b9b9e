"""The meta-planner: a planner whose subtasks are done by workers it creates; each worker's
run is part of the planner's run (one view, one stored run); a failing worker is one line."""

from __future__ import annotations

from typing import Any

import ascope_nb
from ascope_nb.fold import RunFold
from ascope_nb.plan import PlanNotebook, make_meta_planner
from ascope_nb.testing import FunctionModel, ScriptedModel, tool_call
from tests.support.plan_runs import plan_call


def _planner_script() -> list[Any]:
    return [
        [plan_call("Find trains", "Find hotels")],
        [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")],
        [tool_call("create_worker", task_description="Find trains to Oslo on May 3")],
        [tool_call("finish_subtask", subtask_idx=0, subtask_outcome="Train 9:10")],
        [tool_call("create_worker", task_description="Find hotels in Oslo May 3-5")],
        [tool_call("finish_subtask", subtask_idx=1, subtask_outcome="Hotel Nord")],
        [tool_call("finish_plan", state="done", outcome="Trip planned")],
        "Your trip: train 9:10, Hotel Nord.",
    ]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict))


def _worker_model() -> FunctionModel:
    return FunctionModel(lambda messages, tools: f"Result for: {_text(messages[-1]['content'])}")


async def test_workers_run_nested_in_the_planner_run() -> None:
    planner = make_meta_planner(
        "Friday", ScriptedModel(_planner_script(), stream=False), worker_model=_worker_model()
    )
    planner.set_console_output_enabled(False)
    run = ascope_nb.start(planner, "Plan a trip to Oslo.")
    reply = await run
    assert run.status == "completed", run.error
    assert reply.get_text_content() == "Your trip: train 9:10, Hotel Nord."
    results = [e for e in run.events if e.kind == "tool_result" and e.name == "create_worker"]
    assert [r.output[0]["text"] for r in results] == [
        "Worker-1 finished: Result for: Find trains to Oslo on May 3",
        "Worker-2 finished: Result for: Find hotels in Oslo May 3-5",
    ]
    agents = [e.agent for e in run.events if e.kind == "reply_started"]
    assert agents == ["Friday", "Worker-1", "Worker-2"]
    assert {e.run_id for e in run.events} == {run.run_id}
    # each worker's steps come between the call that made it and its result
    kinds = [(e.kind, e.agent) for e in run.events]
    call_at = kinds.index(("tool_call", "Friday"), kinds.index(("reply_started", "Worker-1")) - 3)
    assert kinds.index(("reply_started", "Worker-1")) > call_at
    assert kinds.index(("reply_ended", "Worker-1")) < run.events.index(results[0])
    steps = RunFold().extend(e.to_dict() for e in run.events).steps()
    assert [s["agent"] for s in steps].count("Worker-1") == 1
    assert RunFold().extend(run.events).plan_state().history[0]["outcome"] == "Trip planned"


async def test_a_failing_worker_is_one_line_and_the_plan_stays() -> None:
    def broken(name: str, task: str) -> Any:
        raise RuntimeError("no worker model configured")

    notebook = PlanNotebook()
    planner = make_meta_planner(
        "Friday",
        ScriptedModel(_planner_script()[:3] + ["I could not get a worker."], stream=False),
        worker_factory=broken,
        plan_notebook=notebook,
    )
    planner.set_console_output_enabled(False)
    run = ascope_nb.start(planner, "Plan a trip.")
    await run
    (result,) = [e for e in run.events if e.kind == "tool_result" and e.name == "create_worker"]
    assert result.output[0]["text"] == ("Worker-1 failed: RuntimeError: no worker model configured")
    assert result.state == "error"
    assert notebook.current_plan is not None
    assert [t.state for t in notebook.current_plan.subtasks] == ["in_progress", "todo"]
