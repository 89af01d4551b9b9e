"""A task's own environment in an experiment: the tools the agent gets for that task and
what the metrics judge instead of the answer text (e.g. a simulator's end state).

A ``Task`` declares one through its ``metadata`` (AgentScope's convention, as ACEBench uses
it): ``"tools"`` is a list of ``(function, json_schema)`` registered on the sample's agent
copy (on a toolkit of its own, so the template agent and other samples never see them);
``"solution_output"`` is a function of no arguments whose result is the ``SolutionOutput``
``output`` the metrics receive. Every sample × repeat × attempt gets a fresh environment
(the benchmark is asked for the task again), so no state leaks between runs.

Example:
    >>> from ascope_nb import ReActAgent
    >>> from ascope_nb.evaluate import Task
    >>> from ascope_nb.testing import ScriptedModel
    >>> def ping() -> str:
    ...     '''Answer pong.'''
    ...     return "pong"
    >>> env = TaskEnvironment.of(Task(id="t", input="hi", ground_truth=None, metrics=[],
    ...                               metadata={"tools": [(ping, None)]}))
    >>> agent = env.equip(ReActAgent("A", "", ScriptedModel(["ok"])))
    >>> list(agent.toolkit.tools)
    ['ping']
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..agent import AgentBase
from ..exceptions import ConfigError
from ..tool import Toolkit
from ._task import Task

TOOLS_KEY = "tools"
OUTPUT_KEY = "solution_output"


def toolkit_copy(toolkit: Toolkit | None) -> Toolkit:
    """A toolkit with the same tools, groups and middlewares whose registrations can change
    without touching ``toolkit`` (the tool functions themselves are shared)."""
    if toolkit is None:
        return Toolkit()
    twin = copy.copy(toolkit)
    twin.tools = dict(toolkit.tools)
    twin.groups = {name: copy.copy(group) for name, group in toolkit.groups.items()}
    twin._middlewares = list(toolkit._middlewares)
    twin._async_tasks, twin._async_results = {}, {}
    return twin


@dataclass
class TaskEnvironment:
    """The tools of one task run and the function giving its solution output."""

    tools: Sequence[tuple[Callable[..., Any], dict[str, Any] | None]] = field(default_factory=list)
    solution_output: Callable[[], Any] | None = None

    @classmethod
    def of(cls, task: Task) -> TaskEnvironment | None:
        """The environment ``task.metadata`` declares, or None when it declares none."""
        meta = task.metadata if isinstance(task.metadata, dict) else {}
        tools, output = meta.get(TOOLS_KEY), meta.get(OUTPUT_KEY)
        if tools is None and output is None:
            return None
        if output is not None and not callable(output):
            raise ConfigError(
                f"task {task.id!r}: metadata[{OUTPUT_KEY!r}] must be a function, got {type(output).__name__}"
            )
        pairs = []
        for item in tools or []:
            function, schema = item if isinstance(item, tuple) else (item, None)
            if not callable(function):
                raise ConfigError(
                    f"task {task.id!r}: metadata[{TOOLS_KEY!r}] holds {type(function).__name__}, not a function"
                )
            pairs.append((function, schema))
        return cls(tools=pairs, solution_output=output)

    def equip(self, agent: AgentBase) -> AgentBase:
        """Give ``agent`` a toolkit of its own with this task's tools added; returns it."""
        if not self.tools:
            return agent
        if not hasattr(agent, "toolkit"):
            raise ConfigError(
                f"agent {getattr(agent, 'name', '?')!r} has no toolkit for the task's tools"
            )
        toolkit = toolkit_copy(agent.toolkit)
        for function, schema in self.tools:
            toolkit.register_tool_function(
                function, json_schema=schema, namesake_strategy="override"
            )
        agent.toolkit = toolkit
        return agent


def environment_factory(
    benchmark: Any, index: int, task: Task
) -> Callable[[], TaskEnvironment | None] | None:
    """For a benchmark task that declares an environment: a function building a fresh one
    (from ``benchmark[index]``) for every run; None for a task that declares none."""
    if TaskEnvironment.of(task) is None:
        return None

    def fresh() -> TaskEnvironment | None:
        again = benchmark[index]
        if again.id != task.id:
            raise ConfigError(
                f"benchmark {getattr(benchmark, 'name', '?')!r}: task {index} was {task.id!r}, now {again.id!r}"
            )
        return TaskEnvironment.of(again)

    return fresh


__all__ = ["TaskEnvironment", "environment_factory", "toolkit_copy", "TOOLS_KEY", "OUTPUT_KEY"]
