"""Reading ACEBench's files: one JSON object per line, tasks in ``data_zh/<file>`` and their
answers in ``data_zh/possible_answer/<file>``.

A line that does not parse, a task without an answer, a repeated task id, a task naming a
tool the phone lacks or an unusable ``initial_config``: that task is left out with one
warning naming the file and line, and the other tasks load.

Example:
    >>> schema_types({"type": "dict", "properties": {"xs": {"type": "list"}}})
    {'type': 'object', 'properties': {'xs': {'type': 'array'}}}
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from typing import Any

from ...exceptions import ConfigError

_log = logging.getLogger("ascope_nb.evaluate")
# ACEBench writes Python type names in its schemas; JSON Schema (and every model API) wants these
_SCHEMA_TYPES = {"dict": "object", "list": "array", "tuple": "array", "float": "number"}


def parse_line(line: str) -> Any:
    """One line as JSON, or JSON5 where plain JSON refuses it (as AgentScope reads the files)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        first = exc
    try:
        import json5
    except ImportError:
        raise first from None
    return json5.loads(line)


def json_lines(path: str) -> Iterator[tuple[int, Any | None, str | None]]:
    """``(line number, object, None)`` per non-empty line, or ``(number, None, why)`` when
    the line is not a JSON object."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                value = parse_line(line)
            except Exception as exc:  # json, json5: each has its own error types
                yield number, None, f"not a JSON line ({str(exc).splitlines()[0][:120]})"
                continue
            if not isinstance(value, dict) or "id" not in value:
                yield number, None, "not a JSON object with an 'id'"
                continue
            yield number, value, None


def schema_types(schema: Any) -> Any:
    """``schema`` with ACEBench's ``"dict"``/``"list"``/``"float"`` types spelled as JSON Schema."""
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "type" and isinstance(value, str):
                out[key] = _SCHEMA_TYPES.get(value, value)
            else:
                out[key] = schema_types(value)
        return out
    if isinstance(schema, list):
        return [schema_types(v) for v in schema]
    return schema


def warn(problems: list[str], text: str) -> None:
    """Log one line about a left-out task and keep it in ``problems``."""
    problems.append(text)
    _log.warning("ACEBench: %s", text)


def missing_files(data_dir: str, paths: list[str]) -> list[str]:
    """The paths (relative to ``data_dir``) that are not files there."""
    return [p for p in paths if not os.path.isfile(os.path.join(data_dir, p))]


def read_answers(path: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    """The ground truth of each task id in one answers file."""
    answers: dict[str, dict[str, Any]] = {}
    for number, value, why in json_lines(path):
        if value is None:
            warn(problems, f"{path}:{number}: {why}; its task is left out")
            continue
        if "ground_truth" not in value:
            warn(problems, f"{path}:{number}: no 'ground_truth'; task {value['id']!r} is left out")
            continue
        if str(value["id"]) in answers:
            warn(problems, f"{path}:{number}: answer id {value['id']!r} repeats; the first is kept")
            continue
        answers[str(value["id"])] = value
    return answers


def download(url_base: str, data_dir: str, paths: list[str]) -> None:
    """Fetch ``paths`` from ``url_base`` into ``data_dir`` (standard library; one clear line
    naming the URL when one fails)."""
    import urllib.error
    import urllib.request

    for relative in paths:
        url = f"{url_base.rstrip('/')}/{relative}"
        target = os.path.join(data_dir, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                body = response.read()
        except (urllib.error.URLError, OSError) as exc:
            raise ConfigError(f"ACEBench: cannot download {url}: {exc}") from None
        with open(target + ".part", "wb") as f:
            f.write(body)
        os.replace(target + ".part", target)


__all__ = [
    "download",
    "json_lines",
    "missing_files",
    "parse_line",
    "read_answers",
    "schema_types",
    "warn",
]
