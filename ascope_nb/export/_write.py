"""Streaming, atomic writers and the result of an export.

Every export writes to a temporary file (or folder) beside the target and renames it over
the target only when complete (``os.replace``): a failed or interrupted export leaves the
previous file intact, and the error names the path.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.jsonl")
    >>> write_jsonl(iter([{"a": 1}, {"a": 2}]), path)
    2
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
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


class ExportError(OSError):
    """Writing an export failed; the previous file at ``path`` is untouched."""


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], *, directory: bool = False) -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    Example:
        >>> import tempfile, os
        >>> out = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> with atomic_target(out) as tmp:
        ...     _ = open(tmp, "w").write("x")
        >>> open(out).read()
        'x'
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if directory:
            tmp = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        else:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
    except OSError as exc:
        raise ExportError(f"cannot write export {str(target)!r}: {exc.strerror or exc}") from exc
    try:
        yield tmp
        if directory and target.is_dir():
            old = f"{tmp}.old"
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException as exc:
        if directory:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, ExportError):
            reason = exc.strerror or str(exc)
            raise ExportError(f"cannot write export {str(target)!r}: {reason}") from exc
        raise


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows are built (restored afterwards).

    Building rows allocates many small objects while the folded runs are alive, and each
    automatic collection walks all of them: with the collector paused an export is several
    times faster. Exporters make no reference cycles that outlive the export.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        for forget in AFTER_EXPORT:
            forget()
        if was_enabled:
            gc.enable()


AFTER_EXPORT: list[Callable[[], None]] = []
"""Called when an export ends (the per-export memos of ``_calls`` register here)."""


def write_jsonl(records: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write one JSON object per line as the records come (atomically); returns the count."""
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with paused_gc(), atomic_target(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
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


__all__ = [
    "ExportError",
    "ExportResult",
    "RunCounter",
    "atomic_target",
    "paused_gc",
    "write_jsonl",
    "require",
]
