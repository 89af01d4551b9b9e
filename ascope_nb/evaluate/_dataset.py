"""Samples of an experiment from whatever a researcher holds: a DataFrame, a list of dicts,
a ``datasets.Dataset``, a JSONL file, or a ``BenchmarkBase``.

Example:
    >>> [s.id for s in load_samples([{"question": "2+2", "answer": 4}], input="question", target="answer")]
    ['0']
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ConfigError
from ._benchmark import BenchmarkBase
from ._environment import environment_factory


@dataclass
class Sample:
    """One dataset row: its id, the user message, the target and the row itself."""

    id: str
    input: str
    target: Any
    row: dict[str, Any] = field(default_factory=dict)
    metrics: list[Any] | None = None  # a BenchmarkBase task's own metrics
    # a fresh TaskEnvironment per run, for a task declaring tools or a solution output
    environment: Callable[[], Any] | None = None


Column = str | Callable[[Mapping[str, Any]], Any]


def _rows(dataset: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(dataset, (str, os.PathLike)):
        path = os.fspath(dataset)
        if not os.path.isfile(path):
            raise ConfigError(f"dataset file {path!r} does not exist")
        with open(path, encoding="utf-8") as f:
            rows = []
            for number, line in enumerate(f, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ConfigError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
            return rows
    to_dict = getattr(dataset, "to_dict", None)
    if callable(to_dict) and hasattr(dataset, "columns"):  # a pandas DataFrame
        return dataset.to_dict("records")  # type: ignore[no-any-return]
    if isinstance(dataset, Iterable) and not isinstance(dataset, (bytes, Mapping)):
        return dataset  # a list of dicts, a datasets.Dataset (iterates dicts)
    raise ConfigError(
        f"a dataset must be a DataFrame, a list of dicts, a datasets.Dataset, a JSONL path or a "
        f"BenchmarkBase, not {type(dataset).__name__}"
    )


def _value(row: Mapping[str, Any], column: Column | None, what: str, index: int) -> Any:
    if column is None:
        return None
    if callable(column):
        return column(row)
    if column not in row:
        raise ConfigError(
            f"dataset row {index} has no column {column!r} for the {what} (columns: {', '.join(map(str, row))})"
        )
    return row[column]


def _benchmark_samples(benchmark: BenchmarkBase) -> list[Sample]:
    samples, seen = [], set()
    for index, t in enumerate(benchmark):
        if str(t.id) in seen:
            raise ConfigError(f"benchmark {benchmark.name!r}: task id {t.id!r} appears twice")
        seen.add(str(t.id))
        samples.append(
            Sample(
                id=str(t.id),
                input=t.input
                if isinstance(t.input, str)
                else json.dumps(t.input, ensure_ascii=False),
                target=t.ground_truth,
                row={"tags": t.tags or {}},
                metrics=list(t.metrics),
                environment=environment_factory(benchmark, index, t),
            )
        )
    return samples


def load_samples(
    dataset: Any,
    *,
    input: Column = "input",
    target: Column | None = "target",
    id: Column | None = "id",
) -> list[Sample]:
    """The samples of ``dataset``; ids come from the ``id`` column or the row number."""
    if isinstance(dataset, BenchmarkBase):
        return _benchmark_samples(dataset)
    samples = []
    seen: set[str] = set()
    for index, row in enumerate(_rows(dataset)):
        if not isinstance(row, Mapping):
            raise ConfigError(f"dataset row {index} is a {type(row).__name__}, not a dict")
        has_id = id is not None and (callable(id) or id in row)
        sample_id = str(_value(row, id, "id", index)) if has_id else str(index)
        if sample_id in seen:
            raise ConfigError(f"dataset: sample id {sample_id!r} appears twice")
        seen.add(sample_id)
        text = _value(row, input, "input", index)
        samples.append(
            Sample(
                id=sample_id,
                input=text if isinstance(text, str) else json.dumps(text, ensure_ascii=False),
                target=_value(row, target, "target", index) if target is not None else None,
                row=dict(row),
            )
        )
    if not samples:
        raise ConfigError("the dataset has no rows")
    return samples


__all__ = ["Sample", "load_samples"]
