"""Evaluator storage: where solutions and metric results are kept, so a run can resume.

``FileEvaluatorStorage`` uses AgentScope 1.x's folder layout, so result folders are
interchangeable::

    save_dir/evaluation_meta.json, evaluation_result.json
    save_dir/{task_id}/task_meta.json
    save_dir/{task_id}/{repeat_id}/solution.json, stats.json, logging.txt
    save_dir/{task_id}/{repeat_id}/evaluation/{metric_name}.json

Every file is written to a temporary name and renamed, so a killed process leaves either
the old file or the new one, never half of one. A task id, repeat id or metric name that is
no plain file name (``a/b``, ``../x``, ``..``) gets a safe one (``a_b-1f3c…``), so nothing is
written outside ``save_dir``; a metric that raised is kept as
``{task_id}/{repeat_id}/evaluation_errors/{metric_name}.json`` until it succeeds.

Example:
    >>> import tempfile
    >>> from ascope_nb.evaluate import FileEvaluatorStorage, SolutionOutput
    >>> store = FileEvaluatorStorage(tempfile.mkdtemp())
    >>> store.save_solution_result("t1", "0", SolutionOutput(True, 4, []))
    >>> store.solution_result_exists("t1", "0"), store.get_solution_result("t1", "0").output
    (True, 4)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from ..exceptions import AscopeError, ConfigError
from ._metric_base import MetricResult
from ._task import SolutionOutput


class EvaluatorStorageBase(ABC):
    """Saves and loads solutions, metric results, stats and the aggregate of an evaluation."""

    @abstractmethod
    def save_solution_result(self, task_id: str, repeat_id: str, output: SolutionOutput) -> None:
        """Keep the solution of one task repeat."""

    @abstractmethod
    def get_solution_result(self, task_id: str, repeat_id: str) -> SolutionOutput:
        """The saved solution of one task repeat."""

    @abstractmethod
    def solution_result_exists(self, task_id: str, repeat_id: str) -> bool:
        """Whether that solution was saved."""

    @abstractmethod
    def save_evaluation_result(
        self, task_id: str, repeat_id: str, evaluation: MetricResult
    ) -> None:
        """Keep one metric's result."""

    @abstractmethod
    def get_evaluation_result(self, task_id: str, repeat_id: str, metric_name: str) -> MetricResult:
        """The saved result of one metric."""

    @abstractmethod
    def evaluation_result_exists(self, task_id: str, repeat_id: str, metric_name: str) -> bool:
        """Whether that metric's result was saved."""

    @abstractmethod
    def save_aggregation_result(self, aggregation_result: dict[str, Any], **kwargs: Any) -> None:
        """Keep the aggregate over all tasks."""

    @abstractmethod
    def aggregation_result_exists(self, **kwargs: Any) -> bool:
        """Whether the aggregate was saved."""

    @abstractmethod
    def save_evaluation_meta(self, meta_info: dict[str, Any]) -> None:
        """Keep the evaluation's description."""

    @abstractmethod
    def save_task_meta(self, task_id: str, meta_info: dict[str, Any]) -> None:
        """Keep a task's description."""

    @abstractmethod
    def save_solution_stats(self, task_id: str, repeat_id: str, stats: dict[str, Any]) -> None:
        """Keep the usage counts of one solution."""

    @abstractmethod
    def get_solution_stats(self, task_id: str, repeat_id: str) -> dict[str, Any]:
        """The usage counts of one solution (empty if none)."""

    def save_evaluation_error(
        self, task_id: str, repeat_id: str, metric_name: str, error: str
    ) -> None:
        """Keep the error of a metric that raised (default: not kept)."""
        return None

    def get_evaluation_errors(self, task_id: str, repeat_id: str) -> dict[str, str]:
        """The errors of the metrics that raised on one task repeat, by metric name."""
        return {}

    @abstractmethod
    def get_agent_pre_print_hook(
        self, task_id: str, repeat_id: str
    ) -> Callable[[Any, dict[str, Any]], None]:
        """A hook ``(agent, kwargs)`` that logs what an agent prints during this repeat."""


def safe_name(name: str) -> str:
    """``name`` as one file name inside a folder: unchanged unless it holds a path separator,
    is ``.``/``..``/empty or too long; then its plain characters plus a short hash
    (``"a/b"`` -> ``"a_b-<hash>"``).

    Example:
        >>> safe_name("task-1"), safe_name("../x").startswith("x-")
        ('task-1', True)
    """
    unsafe = name in ("", ".", "..") or any(c in name for c in "/\\\0")
    if not unsafe and len(name.encode("utf-8", "surrogatepass")) <= 200:
        return name  # AgentScope's layout: the id itself
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    plain = re.sub(r"[^\w.-]+", "_", name).strip("._")[:80]
    return f"{plain}-{digest}" if plain else digest


def _write_json(path: str, data: Any) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2, default=str)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise AscopeError(f"no evaluation file {path!r}") from None
    except json.JSONDecodeError as exc:
        raise AscopeError(f"evaluation file {path!r} is not valid JSON ({exc.msg})") from None


class FileEvaluatorStorage(EvaluatorStorageBase):
    """Results as JSON files under ``save_dir`` (AgentScope 1.x's layout; resumable)."""

    SOLUTION_FILE_NAME = "solution.json"
    SOLUTION_STATS_FILE_NAME = "stats.json"
    EVALUATION_DIR_NAME = "evaluation"
    EVALUATION_ERRORS_DIR_NAME = "evaluation_errors"
    EVALUATION_RESULT_FILE = "evaluation_result.json"
    EVALUATION_META_FILE = "evaluation_meta.json"
    TASK_META_FILE = "task_meta.json"
    AGENT_PRINTING_LOG = "logging.txt"

    def __init__(self, save_dir: str) -> None:
        self.save_dir = os.path.abspath(save_dir)

    def _path(self, task_id: str, repeat_id: str | None, *parts: str) -> str:
        names = [safe_name(str(task_id))]
        if repeat_id is not None:
            names.append(safe_name(str(repeat_id)))
        path = os.path.join(self.save_dir, *names, *parts)
        root = os.path.realpath(self.save_dir)
        if os.path.commonpath([root, os.path.realpath(path)]) != root:
            raise ConfigError(
                f"evaluation storage: task {task_id!r} would be written outside {self.save_dir!r}"
            )
        return path

    def save_solution_result(self, task_id: str, repeat_id: str, output: SolutionOutput) -> None:
        _write_json(self._path(task_id, repeat_id, self.SOLUTION_FILE_NAME), output.to_dict())

    def get_solution_result(self, task_id: str, repeat_id: str) -> SolutionOutput:
        data = _read_json(self._path(task_id, repeat_id, self.SOLUTION_FILE_NAME))
        return SolutionOutput.from_dict(data)

    def solution_result_exists(self, task_id: str, repeat_id: str) -> bool:
        return os.path.isfile(self._path(task_id, repeat_id, self.SOLUTION_FILE_NAME))

    def _metric_path(self, task_id: str, repeat_id: str, metric_name: str) -> str:
        name = f"{safe_name(metric_name)}.json"
        return self._path(task_id, repeat_id, self.EVALUATION_DIR_NAME, name)

    def _error_path(self, task_id: str, repeat_id: str, metric_name: str) -> str:
        name = f"{safe_name(metric_name)}.json"
        return self._path(task_id, repeat_id, self.EVALUATION_ERRORS_DIR_NAME, name)

    def save_evaluation_result(
        self, task_id: str, repeat_id: str, evaluation: MetricResult
    ) -> None:
        _write_json(self._metric_path(task_id, repeat_id, evaluation.name), evaluation.to_dict())
        error = self._error_path(task_id, repeat_id, evaluation.name)
        if os.path.exists(error):
            os.unlink(error)

    def save_evaluation_error(
        self, task_id: str, repeat_id: str, metric_name: str, error: str
    ) -> None:
        data = {"name": metric_name, "error": error}
        _write_json(self._error_path(task_id, repeat_id, metric_name), data)

    def get_evaluation_errors(self, task_id: str, repeat_id: str) -> dict[str, str]:
        folder = self._path(task_id, repeat_id, self.EVALUATION_ERRORS_DIR_NAME)
        if not os.path.isdir(folder):
            return {}
        out = {}
        for entry in sorted(os.listdir(folder)):
            if entry.endswith(".json") and not entry.startswith(".tmp-"):
                data = _read_json(os.path.join(folder, entry))
                out[str(data.get("name"))] = str(data.get("error"))
        return out

    def get_evaluation_result(self, task_id: str, repeat_id: str, metric_name: str) -> MetricResult:
        return MetricResult.from_dict(
            _read_json(self._metric_path(task_id, repeat_id, metric_name))
        )

    def evaluation_result_exists(self, task_id: str, repeat_id: str, metric_name: str) -> bool:
        return os.path.isfile(self._metric_path(task_id, repeat_id, metric_name))

    def save_aggregation_result(self, aggregation_result: dict[str, Any], **kwargs: Any) -> None:
        _write_json(os.path.join(self.save_dir, self.EVALUATION_RESULT_FILE), aggregation_result)

    def aggregation_result_exists(self, **kwargs: Any) -> bool:
        return os.path.isfile(os.path.join(self.save_dir, self.EVALUATION_RESULT_FILE))

    def save_evaluation_meta(self, meta_info: dict[str, Any]) -> None:
        _write_json(os.path.join(self.save_dir, self.EVALUATION_META_FILE), meta_info)

    def save_task_meta(self, task_id: str, meta_info: dict[str, Any]) -> None:
        _write_json(self._path(task_id, None, self.TASK_META_FILE), meta_info)

    def save_solution_stats(self, task_id: str, repeat_id: str, stats: dict[str, Any]) -> None:
        _write_json(self._path(task_id, repeat_id, self.SOLUTION_STATS_FILE_NAME), stats)

    def get_solution_stats(self, task_id: str, repeat_id: str) -> dict[str, Any]:
        path = self._path(task_id, repeat_id, self.SOLUTION_STATS_FILE_NAME)
        if not os.path.isfile(path):
            return {}
        data = _read_json(path)
        return data if isinstance(data, dict) else {}

    def get_agent_pre_print_hook(
        self, task_id: str, repeat_id: str
    ) -> Callable[[Any, dict[str, Any]], None]:
        path = self._path(task_id, repeat_id, self.AGENT_PRINTING_LOG)

        def pre_print_hook(agent: Any, kwargs: dict[str, Any]) -> None:
            msg = kwargs.get("msg")
            if msg is None or not kwargs.get("last", False):
                return
            lines = []
            for block in msg.get_content_blocks():
                if block.get("type") in ("text", "thinking"):
                    label = " (thinking)" if block["type"] == "thinking" else ""
                    lines.append(f"{msg.name}{label}: {block.get(block['type'], '')}")
                else:
                    lines.append(f"{msg.name}: {json.dumps(block, ensure_ascii=False)}")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")

        return pre_print_hook

    def __repr__(self) -> str:
        return f"FileEvaluatorStorage(save_dir={self.save_dir!r})"


__all__ = ["EvaluatorStorageBase", "FileEvaluatorStorage"]
