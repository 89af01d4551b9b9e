"""``SubTask`` and ``Plan``: the plan a ``PlanNotebook`` keeps (AgentScope 1.x models).

Example:
    >>> plan = Plan(name="Trip", description="Plan a trip", expected_outcome="A schedule",
    ...             subtasks=[SubTask(name="Pick dates", description="d", expected_outcome="e")])
    >>> plan.subtasks[0].to_oneline_markdown()
    '- [] Pick dates'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .._ids import new_id, timestamp

SubTaskState = Literal["todo", "in_progress", "done", "abandoned"]
SUBTASK_STATES: tuple[str, ...] = ("todo", "in_progress", "done", "abandoned")

_ONE_LINE = {
    "todo": "- []",
    "in_progress": "- [][WIP]",
    "done": "- [x]",
    "abandoned": "- [][Abandoned]",
}
_BOX = {
    "todo": "- [ ] ",
    "in_progress": "- [ ] [WIP]",
    "done": "- [x] ",
    "abandoned": "- [ ] [Abandoned]",
}


class SubTask(BaseModel):
    """One step of a plan: what to do, what should come out, and how far it got."""

    name: str = Field(
        description="The subtask name, should be concise, descriptive and not exceed 10 words."
    )
    description: str = Field(
        description=(
            "The subtask description, including the constraints, target and outcome to be "
            "achieved. The description should be clear, specific and concise, and all the "
            "constraints, target and outcome should be specific and measurable."
        )
    )
    expected_outcome: str = Field(
        description="The expected outcome of the subtask, which should be specific, "
        "concrete and measurable."
    )
    outcome: str | None = Field(description="The actual outcome of the subtask.", default=None)
    state: SubTaskState = Field(description="The state of the subtask.", default="todo")
    created_at: str = Field(
        description="The time the subtask was created.", default_factory=timestamp
    )
    finished_at: str | None = Field(description="The time the subtask was finished.", default=None)

    def finish(self, outcome: str) -> None:
        """Mark the subtask done with its actual ``outcome``."""
        self.state = "done"
        self.outcome = outcome
        self.finished_at = timestamp()

    def to_oneline_markdown(self) -> str:
        """One markdown line: a check box and the name."""
        return f"{_ONE_LINE[self.state]} {self.name}"

    def to_markdown(self, detailed: bool = False) -> str:
        """The subtask as markdown; ``detailed`` adds times, description and outcomes."""
        head = f"{_BOX[self.state]}{self.name}"
        if not detailed:
            return head
        lines = [
            head,
            f"\t- Created At: {self.created_at}",
            f"\t- Description: {self.description}",
            f"\t- Expected Outcome: {self.expected_outcome}",
            f"\t- State: {self.state}",
        ]
        if self.state == "done":
            lines += [f"\t- Finished At: {self.finished_at}", f"\t- Actual Outcome: {self.outcome}"]
        return "\n".join(lines)


class Plan(BaseModel):
    """A named goal and the ordered subtasks that reach it."""

    id: str = Field(default_factory=new_id)
    name: str = Field(
        description="The plan name, should be concise, descriptive and not exceed 10 words."
    )
    description: str = Field(
        description=(
            "The plan description, including the constraints, target and outcome to be "
            "achieved. The description should be clear, specific and concise, and all the "
            "constraints, target and outcome should be specific and measurable."
        )
    )
    expected_outcome: str = Field(
        description="The expected outcome of the plan, which should be specific, concrete "
        "and measurable."
    )
    subtasks: list[SubTask] = Field(description="A list of subtasks that make up the plan.")
    created_at: str = Field(description="The time the plan was created.", default_factory=timestamp)
    state: SubTaskState = Field(description="The state of the plan.", default="todo")
    finished_at: str | None = Field(description="The time the plan was finished.", default=None)
    outcome: str | None = Field(description="The actual outcome of the plan.", default=None)

    def refresh_plan_state(self) -> str:
        """Move the plan between "todo" and "in_progress" after its subtasks; returns a
        sentence saying what changed ("" if nothing did)."""
        if self.state in ("done", "abandoned"):
            return ""
        busy = any(s.state == "in_progress" for s in self.subtasks)
        if busy and self.state == "todo":
            self.state = "in_progress"
            return "The plan state has been updated to 'in_progress'."
        if not busy and self.state == "in_progress":
            self.state = "todo"
            return "The plan state has been updated to 'todo'."
        return ""

    def finish(self, state: Literal["done", "abandoned"], outcome: str) -> None:
        """End the plan as ``state`` with ``outcome`` (or the reason it was abandoned)."""
        self.state = state
        self.outcome = outcome
        self.finished_at = timestamp()

    def to_markdown(self, detailed: bool = False) -> str:
        """The plan and its subtasks as markdown."""
        subtasks = "\n".join(s.to_markdown(detailed=detailed) for s in self.subtasks)
        return "\n".join(
            [
                f"# {self.name}",
                f"**Description**: {self.description}",
                f"**Expected Outcome**: {self.expected_outcome}",
                f"**State**: {self.state}",
                f"**Created At**: {self.created_at}",
                "## Subtasks",
                subtasks,
            ]
        )


__all__ = ["SubTask", "Plan", "SubTaskState", "SUBTASK_STATES"]
