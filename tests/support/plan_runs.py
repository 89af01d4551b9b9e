"""Scripted planning agents shared by the plan tests, the fold fixtures and the tutorial."""

from __future__ import annotations

from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.plan import PlanNotebook
from ascope_nb.testing import ScriptedModel, tool_call


def subtask(name: str) -> dict[str, Any]:
    return {"name": name, "description": f"Do {name}", "expected_outcome": f"{name} done"}


def plan_call(*names: str, plan: str = "Trip") -> dict[str, Any]:
    return tool_call(
        "create_plan",
        name=plan,
        description=f"Plan the {plan.lower()}",
        expected_outcome="A schedule",
        subtasks=[subtask(n) for n in names],
    )


def planning_script() -> list[Any]:
    """create a 3-step plan, start 0, finish 0 (1 starts), finish 1, finish 2, finish, answer."""
    return [
        [plan_call("Pick dates", "Book train", "Book hotel")],
        [tool_call("update_subtask_state", subtask_idx=0, state="in_progress")],
        [tool_call("finish_subtask", subtask_idx=0, subtask_outcome="May 3-5")],
        [tool_call("finish_subtask", subtask_idx=1, subtask_outcome="Train 9:10")],
        [tool_call("finish_subtask", subtask_idx=2, subtask_outcome="Hotel Nord")],
        [tool_call("finish_plan", state="done", outcome="Trip booked")],
        "The trip is planned.",
    ]


def planner(
    replies: list[Any], *, approval: bool = False, name: str = "Planner", **kwargs: Any
) -> tuple[ReActAgent, ScriptedModel, PlanNotebook]:
    model = ScriptedModel(replies, stream=False)
    notebook = PlanNotebook(require_approval=approval)
    agent = ReActAgent(
        name=name,
        sys_prompt="You plan trips.",
        model=model,
        formatter=OpenAIChatFormatter(),
        plan_notebook=notebook,
        **kwargs,
    )
    agent.set_console_output_enabled(False)
    return agent, model, notebook
