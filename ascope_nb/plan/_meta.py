"""A meta-planner: a planning agent that hands each subtask to a worker agent it creates.

As in AgentScope 1.x's meta-planner example, the planner has a ``PlanNotebook`` and one
tool, ``create_worker(task_description)``; each call makes a worker, runs it on the task and
returns the worker's answer. Here the worker runs inside the planner's run: its reply, steps
and tool calls are events of the same run (under the worker's name), so the planner's live
view, the store and the exports show each worker's run nested in the subtask that made it.

Example:
    >>> from ascope_nb.testing import ScriptedModel
    >>> planner = make_meta_planner("Friday", ScriptedModel(["Hi"]),
    ...                             worker_model=ScriptedModel(["done"]))
    >>> sorted(planner.toolkit.tools)[:2]
    ['create_plan', 'create_worker']
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError
from ..message import Msg
from ..tool import ToolResponse
from ._notebook import PlanNotebook

if TYPE_CHECKING:
    from ..agent import AgentBase, ReActAgent
    from ..model import ChatModelBase

META_PLANNER_PROMPT = (
    "You are {name}, a meta planner. You solve complicated tasks by breaking them into "
    "subtasks (a plan) and creating a worker agent for each subtask with 'create_worker'.\n"
    "1. DO NOT TRY TO SOLVE THE SUBTASKS DIRECTLY yourself.\n"
    "2. Always follow the plan sequence.\n"
    "3. DO NOT finish the plan until all subtasks are finished."
)
WORKER_PROMPT = (
    "You are {name}, a worker. Finish the task you are given and answer with its specific "
    "outcome (data, text or file paths), not a description of what you did."
)

WorkerFactory = Callable[[str, str], "AgentBase | Awaitable[AgentBase]"]


def worker_tool(
    factory: WorkerFactory | None = None,
    *,
    model: ChatModelBase | None = None,
    tools: Sequence[Callable[..., Any]] = (),
    max_iters: int = 10,
    prefix: str = "Worker",
) -> Callable[..., Awaitable[ToolResponse]]:
    """A ``create_worker(task_description)`` tool function.

    Each call makes a worker named ``<prefix>-<n>``: ``factory(name, task)`` (an agent, or
    an awaitable of one), else a ``ReActAgent`` with ``model`` and ``tools``. The worker's
    answer is the tool's result; a worker that fails gives one line (the planner may retry).
    """
    if factory is None and model is None:
        raise ConfigError("worker_tool needs a factory or a worker model")
    counter = itertools.count(1)

    async def create_worker(task_description: str) -> ToolResponse:
        """Create a sub-worker to finish the given task.

        Args:
            task_description (`str`):
                The description of the task to be done by the sub-worker, should contain
                all the necessary information.
        """
        name = f"{prefix}-{next(counter)}"
        try:
            worker = await _make(factory, name, task_description, model, tools, max_iters)
            answer = await worker(Msg("user", task_description, "user"))
        except Exception as exc:
            return ToolResponse(
                content=[{"type": "text", "text": f"{name} failed: {type(exc).__name__}: {exc}"}],
                metadata={"success": False, "worker": name},
            )
        text = answer.get_text_content() if isinstance(answer, Msg) else str(answer)
        return ToolResponse(
            content=[{"type": "text", "text": f"{name} finished: {text}"}],
            metadata={"success": True, "worker": name},
        )

    return create_worker


async def _make(
    factory: WorkerFactory | None,
    name: str,
    task: str,
    model: ChatModelBase | None,
    tools: Sequence[Callable[..., Any]],
    max_iters: int,
) -> AgentBase:
    import inspect

    if factory is not None:
        made = factory(name, task)
        return await made if inspect.isawaitable(made) else made  # type: ignore[return-value]
    from ..agent import ReActAgent
    from ..tool import Toolkit

    toolkit = Toolkit()
    for func in tools:
        toolkit.register_tool_function(func)
    worker = ReActAgent(
        name=name,
        sys_prompt=WORKER_PROMPT.format(name=name),
        model=model,  # type: ignore[arg-type]  # checked by worker_tool
        toolkit=toolkit,
        max_iters=max_iters,
    )
    worker.set_console_output_enabled(False)
    return worker


def make_meta_planner(
    name: str,
    model: ChatModelBase,
    *,
    worker_model: ChatModelBase | None = None,
    worker_tools: Sequence[Callable[..., Any]] = (),
    worker_factory: WorkerFactory | None = None,
    sys_prompt: str | None = None,
    plan_notebook: PlanNotebook | None = None,
    max_iters: int = 20,
    formatter: Any = None,
) -> ReActAgent:
    """A ``ReActAgent`` with a plan notebook and a ``create_worker`` tool (see the module).

    ``worker_model`` (default: the planner's model) and ``worker_tools`` make the default
    workers; ``worker_factory(name, task)`` makes them instead. ``plan_notebook`` lets you
    set options such as ``PlanNotebook(require_approval=True)``.
    """
    from ..agent import ReActAgent
    from ..tool import Toolkit

    toolkit = Toolkit()
    toolkit.register_tool_function(
        worker_tool(worker_factory, model=worker_model or model, tools=worker_tools)
    )
    agent = ReActAgent(
        name=name,
        sys_prompt=sys_prompt or META_PLANNER_PROMPT.format(name=name),
        model=model,
        formatter=formatter,
        toolkit=toolkit,
        plan_notebook=plan_notebook or PlanNotebook(),
        max_iters=max_iters,
    )
    return agent


__all__ = ["make_meta_planner", "worker_tool", "META_PLANNER_PROMPT", "WORKER_PROMPT"]
