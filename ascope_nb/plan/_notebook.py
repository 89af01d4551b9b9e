"""``PlanNotebook``: the plan of an agent, its eight tools, its hint and change hooks.

The API and the tool answers follow AgentScope 1.x. Beyond it: ``max_subtasks`` is
enforced; ``finish_subtask`` activates the next subtask still to do (AgentScope activates
the next one even when it was abandoned or done); a second ``create_plan`` keeps the replaced plan in the history (as abandoned)
instead of losing it; each change records what it was (``last_change``) so the agent can
emit it as a ``PlanChanged`` event; a person's edits (``ascope_nb.plan.PlanEdit``) queue
here and reach the agent before its next step; ``require_approval`` makes the agent wait
for a person to approve a new plan before it executes it.

Example:
    >>> import asyncio
    >>> nb = PlanNotebook()
    >>> task = SubTask(name="Draft", description="Write it", expected_outcome="A draft")
    >>> res = asyncio.run(nb.create_plan("Essay", "Write an essay", "An essay", [task]))
    >>> res.content[0]["text"]
    "Plan 'Essay' created successfully."
"""

from __future__ import annotations

import asyncio
import inspect
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

from ..message import Msg
from ..module import StateModule
from ..tool import ToolResponse
from ._hint import DefaultPlanToHint
from ._model import Plan, SubTask
from ._storage import InMemoryPlanStorage, PlanStorageBase

PlanChangeHook = Callable[["PlanNotebook", Plan | None], None | Awaitable[None]]


def _say(text: str) -> ToolResponse:
    return ToolResponse(content=[{"type": "text", "text": text}])


def _index(value: Any) -> int | None:
    """An index given as an int or a numeric string (models send both), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _bad_type(value: Any) -> ToolResponse:
    return _say(
        f"Invalid type for argument 'subtask_idx'. Expected 'int', but got '{type(value)}'."
    )


class PlanNotebook(StateModule):
    """The plan of one agent: create it, follow it, revise it, finish it.

    ``ReActAgent(plan_notebook=nb)`` offers the tools of ``list_tools()`` to the model and
    adds ``get_current_hint()`` before each reasoning step.
    """

    description: str = (
        "The plan-related tools. Activate this tool when you need to execute complex task, "
        "e.g. building a website or a game. Once activated, you'll enter the plan mode, where "
        "you will be guided to complete the given query by creating and following a plan, and "
        "hint message wrapped by <system-hint></system-hint> will guide you to complete the "
        "task. If you think the user no longer wants to perform the current task, you need to "
        "confirm with the user and call the 'finish_plan' function."
    )

    def __init__(
        self,
        max_subtasks: int | None = None,
        plan_to_hint: Callable[[Plan | None], str | None] | None = None,
        storage: PlanStorageBase | None = None,
        *,
        require_approval: bool = False,
    ) -> None:
        super().__init__()
        self.max_tasks = max_subtasks
        self.plan_to_hint = plan_to_hint or DefaultPlanToHint()
        self.storage = storage or InMemoryPlanStorage()
        self.current_plan: Plan | None = None
        self.require_approval = require_approval
        self.last_change: dict[str, Any] = {}
        self.version = 0  # counts the changes (a plan denied at one version is not asked again)
        self._approved: str | None = None  # the id of the plan a person approved
        self._decided_version = -1
        self._plan_change_hooks: OrderedDict[str, PlanChangeHook] = OrderedDict()
        self._pending_edits: list[dict[str, Any]] = []
        self._edit_signal: asyncio.Event | None = None
        self.register_state(
            "current_plan",
            custom_to_json=lambda plan: plan.model_dump() if plan else None,
            custom_from_json=lambda data: Plan.model_validate(data) if data else None,
        )

    # ------------------------------------------------------------------ plan tools
    async def create_plan(
        self, name: str, description: str, expected_outcome: str, subtasks: list[SubTask]
    ) -> ToolResponse:
        """Create a plan by given name and sub-tasks.

        Args:
            name (`str`):
                The plan name, should be concise, descriptive and not exceed 10 words.
            description (`str`):
                The plan description, including the constraints, target and outcome to be
                achieved. The description should be clear, specific and concise, and all the
                constraints, target and outcome should be specific and measurable.
            expected_outcome (`str`):
                The expected outcome of the plan, which should be specific, concrete and
                measurable.
            subtasks (`list[SubTask]`):
                A list of sequential sub-tasks that make up the plan.
        """
        tasks = [SubTask.model_validate(s) for s in subtasks]
        if self.max_tasks is not None and len(tasks) > self.max_tasks:
            return _say(
                f"Error: the plan has {len(tasks)} subtasks, but at most {self.max_tasks} "
                "are allowed. Merge some subtasks and call 'create_plan' again."
            )
        plan = Plan(
            name=name, description=description, expected_outcome=expected_outcome, subtasks=tasks
        )
        old = self.current_plan
        if old is None:
            text = f"Plan '{name}' created successfully."
        else:
            text = (
                f"The current plan named '{old.name}' is replaced by the newly created plan "
                f"named '{name}'."
            )
            if old.state not in ("done", "abandoned"):
                old.finish("abandoned", f"Replaced by the plan named '{name}'.")
            await self.storage.add_plan(old)
        self.current_plan = plan
        await self._changed("create_plan", text, finished=old)
        return _say(text)

    def _validate_current_plan(self) -> Plan:
        if self.current_plan is None:
            raise ValueError(
                "The current plan is None, you need to create a plan by calling "
                "create_plan() first."
            )
        return self.current_plan

    async def revise_current_plan(
        self,
        subtask_idx: int,
        action: Literal["add", "revise", "delete"],
        subtask: SubTask | None = None,
    ) -> ToolResponse:
        """Revise the current plan by adding, revising or deleting a sub-task.

        Args:
            subtask_idx (`int`):
                The index of the sub-task to be revised, starting from 0.
            action (`Literal["add", "revise", "delete"]`):
                The action to be performed on the sub-task. If "add", the sub-task will be
                inserted before the given index. If "revise", the sub-task at the given index
                will be revised. If "delete", the sub-task at the given index will be deleted.
            subtask (`SubTask | None`, optional):
                The sub-task to be added or revised. Required if action is "add" or "revise".
        """
        index = _index(subtask_idx)
        if index is None:
            return _say("Error: " + _bad_type(subtask_idx).content[0]["text"])  # type: ignore[typeddict-item]
        problems: list[str] = []
        if action not in ("add", "revise", "delete"):
            problems.append(f"Invalid action '{action}'. Must be one of 'add', 'revise', 'delete'.")
        if action in ("add", "revise") and subtask is None:
            problems.append(
                f"The subtask must be provided when action is '{action}', but got None."
            )
        plan = self._validate_current_plan()
        n = len(plan.subtasks)
        if action != "add" and not 0 <= index < n:
            problems.append(
                f"Invalid subtask_idx '{index}' for action '{action}'. Must be between 0 "
                f"and {n - 1}."
            )
        if action == "add" and not 0 <= index <= n:
            problems.append(
                f"Invalid subtask_idx '{index}' for action 'add'. Must be between 0 and {n}."
            )
        if action == "add" and self.max_tasks is not None and n >= self.max_tasks:
            problems.append(f"The plan already has the most subtasks allowed ({self.max_tasks}).")
        if problems:
            return _say("Error: " + problems[0])
        if action == "delete":
            removed = plan.subtasks.pop(index)
            text = f"Subtask (named '{removed.name}') at index {index} is deleted successfully."
        elif action == "add":
            plan.subtasks.insert(index, SubTask.model_validate(subtask))
            text = f"New subtask is added successfully at index {index}."
        else:
            plan.subtasks[index] = SubTask.model_validate(subtask)
            text = f"Subtask at index {index} is revised successfully."
        await self._changed("revise_current_plan", text)
        return _say(text)

    async def update_subtask_state(
        self, subtask_idx: int, state: Literal["todo", "in_progress", "abandoned"]
    ) -> ToolResponse:
        """Update the state of a subtask by given index and state. Note if you want to mark a
        subtask as done, you SHOULD call `finish_subtask` instead with the specific outcome.

        Args:
            subtask_idx (`int`):
                The index of the subtask to be updated, starting from 0.
            state (`Literal["todo", "in_progress", "abandoned"]`):
                The new state of the subtask. If you want to mark a subtask as done, you
                SHOULD call `finish_subtask` instead with the specific outcome.
        """
        plan = self._validate_current_plan()
        index = _index(subtask_idx)
        if index is None:
            return _bad_type(subtask_idx)
        if not 0 <= index < len(plan.subtasks):
            return _say(
                f"Invalid subtask_idx '{index}'. Must be between 0 and {len(plan.subtasks) - 1}."
            )
        if state not in ("todo", "in_progress", "abandoned"):
            return _say(
                f"Invalid state '{state}'. Must be one of 'todo', 'in_progress', 'abandoned'."
            )
        if state == "in_progress":
            for i, other in enumerate(plan.subtasks):
                if i < index and other.state not in ("done", "abandoned"):
                    return _say(
                        f"Subtask (at index {i}) named '{other.name}' is not done yet. You "
                        "should finish the previous subtasks first."
                    )
                if other.state == "in_progress":
                    return _say(
                        f"Subtask (at index {i}) named '{other.name}' is already "
                        "'in_progress'. You should finish it first before starting another "
                        "subtask."
                    )
        plan.subtasks[index].state = state
        suffix = plan.refresh_plan_state()
        text = (
            f"Subtask at index {index}, named '{plan.subtasks[index].name}' is marked as "
            f"'{state}' successfully. " + suffix
        )
        await self._changed("update_subtask_state", text)
        return _say(text)

    async def finish_subtask(self, subtask_idx: int, subtask_outcome: str) -> ToolResponse:
        """Label the subtask as done by given index and outcome.

        Args:
            subtask_idx (`int`):
                The index of the sub-task to be marked as done, starting from 0.
            subtask_outcome (`str`):
                The specific outcome of the sub-task, should exactly match the expected
                outcome in the sub-task description. SHOULDN't be what you did or general
                description, e.g. "I have searched xxx", "I have written the code for xxx",
                etc. It SHOULD be the specific data, information, or path to the file, e.g.
                "There are 5 articles about xxx, they are\\n- xxx\\n- xxx\\n..."
        """
        plan = self._validate_current_plan()
        index = _index(subtask_idx)
        if index is None:
            return _bad_type(subtask_idx)
        if not 0 <= index < len(plan.subtasks):
            return _say(
                f"Invalid subtask_idx '{index}'. Must be between 0 and {len(plan.subtasks) - 1}."
            )
        for i, other in enumerate(plan.subtasks[:index]):
            if other.state not in ("done", "abandoned"):
                return _say(
                    f"Cannot finish subtask at index {index} because the previous subtask (at "
                    f"index {i}) named '{other.name}' is not done yet. You should finish the "
                    "previous subtasks first."
                )
        done = plan.subtasks[index]
        done.finish(subtask_outcome)
        text = f"Subtask (at index {index}) named '{done.name}' is marked as done successfully. "
        following = next((t for t in plan.subtasks[index + 1 :] if t.state == "todo"), None)
        if following is not None:  # AgentScope activates the next one even if abandoned
            following.state = "in_progress"
            text = text + f"The next subtask named '{following.name}' is activated."
        await self._changed("finish_subtask", text)
        return _say(text)

    async def view_subtasks(self, subtask_idx: list[int]) -> ToolResponse:
        """View the details of the sub-tasks by given indexes.

        Args:
            subtask_idx (`list[int]`):
                The indexes of the sub-tasks to be viewed, starting from 0.
        """
        plan = self._validate_current_plan()
        parts: list[str] = []
        invalid: list[Any] = []
        for idx in subtask_idx:
            index = _index(idx)
            if index is None or not 0 <= index < len(plan.subtasks):
                invalid.append(idx)
                continue
            detail = plan.subtasks[index].to_markdown(detailed=True)
            parts.append(f"Subtask at index {index}:\n```\n{detail}\n```\n")
        if invalid:
            parts.append(
                f"Invalid subtask_idx '{invalid}'. Must be between 0 and {len(plan.subtasks) - 1}."
            )
        return _say("\n".join(parts))

    async def finish_plan(self, state: Literal["done", "abandoned"], outcome: str) -> ToolResponse:
        """Finish the current plan by given outcome, or abandon it with the given reason if the
        user no longer wants to perform it. Note that you SHOULD confirm with the user before
        abandoning the plan.

        Args:
            state (`Literal["done", "abandoned"]`):
                The state to finish the plan. If "done", the plan will be marked as done with
                the given outcome. If "abandoned", the plan will be abandoned with the given
                reason.
            outcome (`str`):
                The specific outcome of the plan if state is "done", or the reason for
                abandoning the plan if state is "abandoned".
        """
        plan = self.current_plan
        if plan is None:
            return _say("There is no plan to finish.")
        if state not in ("done", "abandoned"):
            return _say(f"Invalid state '{state}'. Must be one of 'done', 'abandoned'.")
        plan.finish(state, outcome)
        await self.storage.add_plan(plan)
        self.current_plan = None
        text = f"The current plan is finished successfully as '{state}'."
        await self._changed("finish_plan", text, finished=plan)
        return _say(text)

    async def view_historical_plans(self) -> ToolResponse:
        """View the historical plans."""
        plans = await self.storage.get_plans()
        return _say(
            "\n".join(
                f"Plan named '{p.name}':\n- ID: {p.id}\n- Created at: {p.created_at}\n"
                f"- Description: {p.description}\n- State: {p.state}\n"
                for p in plans
            )
        )

    async def recover_historical_plan(self, plan_id: str) -> ToolResponse:
        """Recover a historical plan by given plan ID, the plan ID can be obtained by calling
        `view_historical_plans`. Note the recover operation will override the current plan if
        exists.

        Args:
            plan_id (`str`):
                The ID of the historical plan to be recovered.
        """
        found = await self.storage.get_plan(plan_id)
        if found is None:
            return _say(f"Cannot find the plan with ID '{plan_id}'.")
        old = self.current_plan
        if old is not None:
            if old.state != "done":
                old.finish(
                    "abandoned",
                    f"The plan execution is interrupted by a new plan with ID '{found.id}'.",
                )
            await self.storage.add_plan(old)
            text = (
                f"The current plan named '{old.name}' is replaced by the historical plan named "
                f"'{found.name}' with ID '{found.id}'."
            )
        else:
            text = (
                f"Historical plan named '{found.name}' with ID '{found.id}' is recovered "
                "successfully."
            )
        self.current_plan = found
        await self._changed("recover_historical_plan", text, finished=old)
        return _say(text)

    def list_tools(self) -> list[Callable[..., Coroutine[Any, Any, ToolResponse]]]:
        """The tool functions offered to the agent, in AgentScope's order."""
        return [
            self.view_subtasks,
            self.update_subtask_state,
            self.finish_subtask,
            self.create_plan,
            self.revise_current_plan,
            self.finish_plan,
            self.view_historical_plans,
            self.recover_historical_plan,
        ]

    async def get_current_hint(self) -> Msg | None:
        """The hint for the current plan as a user ``Msg`` (None when there is none)."""
        text = self.plan_to_hint(self.current_plan)
        return Msg("user", text, "user") if text else None

    # ------------------------------------------------------------------ hooks
    def register_plan_change_hook(self, hook_name: str, hook: PlanChangeHook) -> None:
        """Call ``hook(notebook, plan)`` (sync or async) after every change of the plan."""
        self._plan_change_hooks[hook_name] = hook

    def remove_plan_change_hook(self, hook_name: str) -> None:
        """Stop calling the hook ``hook_name``; an unknown name is a ``ValueError``."""
        if hook_name not in self._plan_change_hooks:
            raise ValueError(f"Hook '{hook_name}' not found.")
        self._plan_change_hooks.pop(hook_name)

    async def _changed(
        self, op: str, text: str, *, by: str = "agent", finished: Plan | None = None
    ) -> None:
        self.version += 1
        self.last_change = {
            "op": op,
            "by": by,
            "detail": text.strip(),
            "finished": finished.model_dump() if finished is not None else None,
        }
        await self._trigger_plan_change_hooks()

    async def _trigger_plan_change_hooks(self) -> None:
        for hook in list(self._plan_change_hooks.values()):
            result = hook(self, self.current_plan)
            if inspect.isawaitable(result):
                await result


__all__ = ["PlanNotebook"]
