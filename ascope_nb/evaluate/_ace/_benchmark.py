"""``ACEBenchmark``: ACEBench's agent tasks (https://github.com/ACEBench/ACEBench) as a
``BenchmarkBase``, each with its own simulated phone, its tools and its two metrics.

The data is read from ``data_dir`` (``data_zh/data_agent_multi_step.json``,
``data_zh/data_agent_multi_turn.json`` and their ``possible_answer/`` files). When the files
are missing the error names them and the URL to fetch them from; ``download=True`` fetches
them (AgentScope 1.0.21 always tries the network; here nothing is fetched unless asked).

Example:
    >>> bench = ACEBenchmark(data_dir="tests/fixtures/acebench")  # doctest: +SKIP
    >>> task = bench[0]                                            # doctest: +SKIP
    >>> [m.name for m in task.metrics], sorted(task.metadata)      # doctest: +SKIP
    (['accuracy', 'process_accuracy'], ['phone', 'solution_output', 'tools'])
    >>> exp = experiment(agent=Friday, dataset=bench, name="ace")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ...exceptions import ConfigError
from .._benchmark import BenchmarkBase
from .._task import Task
from ._data import download as fetch_files
from ._data import json_lines, missing_files, read_answers, schema_types, warn
from ._metrics import ACEAccuracy, ACEProcessAccuracy
from ._phone import ACEPhone


class ACEBenchmark(BenchmarkBase):
    """The ACE benchmark for evaluating AI agents (AgentScope 1.x API).

    Args:
        data_dir: The folder holding ACEBench's ``data_zh`` files (``~`` is expanded).
        download: Fetch missing files from ``data_dir_url`` (else a missing file is an error).

    Attributes:
        dataset: The loaded task records (each with ``ground_truth``, ``mile_stone``,
            ``language`` and ``tags`` added).
        problems: One line per task left out while loading (a bad line, a repeated id...).
    """

    data_dir_url: str = "https://raw.githubusercontent.com/ACEBench/ACEBench/main/data_all"
    data_subdir: list[str] = ["data_zh"]
    ground_truth_dir: str = "possible_answer"
    data_files: list[str] = ["data_agent_multi_step.json", "data_agent_multi_turn.json"]

    def __init__(self, data_dir: str, *, download: bool = False) -> None:
        super().__init__(name="ACEBench", description="The ACE benchmark for evaluating AI agents.")
        self.data_dir = os.path.abspath(os.path.expanduser(os.fspath(data_dir)))
        if os.path.exists(self.data_dir) and not os.path.isdir(self.data_dir):
            raise ConfigError(f"The data_dir {self.data_dir!r} is not a directory.")
        self.problems: list[str] = []
        missing = missing_files(self.data_dir, self._relative_paths())
        if missing and download:
            fetch_files(self.data_dir_url, self.data_dir, missing)
        elif missing:
            raise ConfigError(
                f"ACEBench data not found: {os.path.join(self.data_dir, missing[0])} is missing "
                f"({len(missing)} of {len(self._relative_paths())} files); download them from "
                f"{self.data_dir_url}/<same relative path> into {self.data_dir}, "
                "or pass download=True"
            )
        self.dataset: list[dict[str, Any]] = self._load_data()

    def _relative_paths(self) -> list[str]:
        paths = []
        for subdir in self.data_subdir:
            for filename in self.data_files:
                paths.append(f"{subdir}/{filename}")
                paths.append(f"{subdir}/{self.ground_truth_dir}/{filename}")
        return paths

    def _verify_data(self) -> bool:
        """Whether every data and answers file is in ``data_dir``."""
        return not missing_files(self.data_dir, self._relative_paths())

    def _load_data(self) -> list[dict[str, Any]]:
        known_tools = set(ACEPhone().tool_names())
        dataset: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for subdir in self.data_subdir:
            language = subdir.rsplit("_", maxsplit=1)[-1]
            for filename in self.data_files:
                answers = read_answers(
                    os.path.join(self.data_dir, subdir, self.ground_truth_dir, filename),
                    self.problems,
                )
                path = os.path.join(self.data_dir, subdir, filename)
                category = filename.split(".", maxsplit=1)[0].removeprefix("data_")
                for number, item, why in json_lines(path):
                    where = f"{path}:{number}"
                    if item is None:
                        warn(self.problems, f"{where}: {why}; this task is left out")
                        continue
                    task_id = str(item["id"])
                    if task_id in seen:
                        why = f"task id {task_id!r} repeats (first at {seen[task_id]})"
                    else:
                        why = self._unusable(item, answers, known_tools)
                    if why is not None:
                        warn(self.problems, f"{where}: {why}; this task is left out")
                        continue
                    seen[task_id] = where
                    answer = answers[task_id]
                    record = dict(item)
                    record["ground_truth"] = answer["ground_truth"]
                    record["mile_stone"] = list(answer.get("mile_stone") or [])
                    record["language"] = language
                    record["tags"] = {"language": language, "category": category}
                    dataset.append(record)
        return dataset

    @staticmethod
    def _unusable(
        item: dict[str, Any], answers: dict[str, Any], known_tools: set[str]
    ) -> str | None:
        """Why a task record cannot become a task (None when it can)."""
        if str(item["id"]) not in answers:
            return f"task {item['id']!r} has no answer in possible_answer"
        if not isinstance(item.get("question"), str):
            return f"task {item['id']!r} has no 'question' text"
        functions = item.get("function")
        if not isinstance(functions, list) or not all(
            isinstance(f, dict) and "name" in f for f in functions
        ):
            return f"task {item['id']!r}: 'function' is not a list of function schemas"
        unknown = [f["name"] for f in functions if f["name"] not in known_tools]
        if unknown:
            return f"task {item['id']!r} names tools the ACE phone lacks: {', '.join(map(str, unknown))}"
        try:
            ACEPhone().load_initial_config(item.get("initial_config") or {})
        except ConfigError as exc:
            return f"task {item['id']!r}: {exc}"
        return None

    @staticmethod
    def _data_to_task(item: dict[str, Any]) -> Task:
        """A fresh task (with a new phone) from a loaded record."""
        phone = ACEPhone()
        phone.load_initial_config(item.get("initial_config") or {})
        tools = [
            (
                phone.get_tool_function(schema["name"]),
                {"type": "function", "function": schema_types(schema)},
            )
            for schema in item["function"]
        ]
        return Task(
            id=item["id"],
            input=item["question"],
            ground_truth={"state": item["ground_truth"], "mile_stone": item.get("mile_stone", [])},
            tags=item.get("tags", {}),
            metrics=[ACEAccuracy(item["ground_truth"]), ACEProcessAccuracy(item["mile_stone"])],
            metadata={
                # the phone's end state is what ACEAccuracy judges
                "phone": phone,
                # the task's tools, (function, json_schema) pairs, to equip the agent with
                "tools": tools,
                # read by ascope_nb's experiments: the solution output is the end state
                "solution_output": phone.get_current_state,
            },
        )

    def __iter__(self) -> Iterator[Task]:
        for item in self.dataset:
            yield self._data_to_task(item)

    def __getitem__(self, index: int) -> Task:
        return self._data_to_task(self.dataset[index])

    def __len__(self) -> int:
        return len(self.dataset)


__all__ = ["ACEBenchmark"]
