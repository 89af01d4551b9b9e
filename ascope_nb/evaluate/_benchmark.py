"""``BenchmarkBase``: an indexable, sized collection of ``Task`` (AgentScope 1.x).

Example:
    >>> from ascope_nb.evaluate import Task, TaskList
    >>> bench = TaskList([Task(id="a", input="hi", ground_truth="hi", metrics=[])], name="tiny")
    >>> len(bench), bench[0].id, [t.id for t in bench]
    (1, 'a', ['a'])
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator

from ..exceptions import ConfigError
from ._task import Task


class BenchmarkBase(ABC):
    """A named set of tasks; subclasses implement ``__iter__``, ``__len__``, ``__getitem__``."""

    name: str
    description: str

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description

    @abstractmethod
    def __iter__(self) -> Iterator[Task]:
        """The tasks in order."""

    @abstractmethod
    def __len__(self) -> int:
        """How many tasks."""

    @abstractmethod
    def __getitem__(self, index: int) -> Task:
        """The task at ``index``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, tasks={len(self)})"


class TaskList(BenchmarkBase):
    """A benchmark from a list of tasks (ids must be unique)."""

    def __init__(
        self, tasks: Iterable[Task], *, name: str = "tasks", description: str = ""
    ) -> None:
        super().__init__(name, description)
        self._tasks = list(tasks)
        seen: set[str] = set()
        for task in self._tasks:
            if task.id in seen:
                raise ConfigError(f"benchmark {name!r}: task id {task.id!r} appears twice")
            seen.add(task.id)

    def __iter__(self) -> Iterator[Task]:
        return iter(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    def __getitem__(self, index: int) -> Task:
        return self._tasks[index]


__all__ = ["BenchmarkBase", "TaskList"]
