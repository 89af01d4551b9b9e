"""Streaming writers and the result of an export.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.jsonl")
    >>> write_jsonl(iter([{"a": 1}, {"a": 2}]), path)
    2
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..exceptions import ConfigError


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: ``records`` lines/samples/rows from ``runs`` runs."""

    format: str
    path: str | None
    records: int
    runs: int


class RunCounter:
    """Counts the runs that an iterator of records passes through (for ``ExportResult``)."""

    def __init__(self, records: Iterable[Any]) -> None:
        self.count = 0
        self._records = records

    def __iter__(self) -> Any:
        for record in self._records:
            self.count += 1
            yield record


def write_jsonl(records: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write one JSON object per line as the records come; returns how many were written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with open(target, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(dumps(record))
            fh.write("\n")
            count += 1
    return count


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency or raise an error that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            f"this export needs {module!r}: pip install 'ascope-nb[{extra}]' (or pip install {module.split('.')[0]})"
        ) from exc


__all__ = ["ExportResult", "RunCounter", "write_jsonl", "require"]
