"""Hugging Face ``datasets.Dataset`` of the selected runs, with a schema that cannot gain keys.

``kind="messages"``: the flat message table (``parquet.messages_frame``);
``kind="conversations"``: exactly the ``trl-sft`` rows (one per model call that is a
training target: ``prompt``, ``completion``, ``tools``), whose messages have fixed keys,
tool-call arguments as JSON strings and tools as a JSON string, so ``Dataset.from_list``
cannot merge one row's argument names into another's. ``export_hf`` saves it with
``Dataset.save_to_disk`` (atomically: a temporary folder renamed over ``path``);
``datasets.load_from_disk`` reads it.

Example:
    >>> ds = to_hf_dataset(store, status="completed")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Literal

from ..exceptions import ConfigError
from ._select import iter_runs
from ._write import ExportResult, RunCounter, atomic_target, paused_gc, require
from .parquet import message_columns
from .trl import iter_trl_sft

Kind = Literal["messages", "conversations"]


def _features(datasets: Any) -> Any:
    """The fixed schema of ``kind="conversations"``."""
    value, seq = datasets.Value, datasets.List if hasattr(datasets, "List") else datasets.Sequence
    call = {
        "id": value("string"),
        "type": value("string"),
        "function": {"name": value("string"), "arguments": value("string")},
    }
    message = {
        "role": value("string"),
        "content": value("string"),
        "name": value("string"),
        "tool_calls": seq(call),
        "tool_call_id": value("string"),
    }
    return datasets.Features(
        {"prompt": seq(message), "completion": seq(message), "tools": value("string")}
    )


def to_hf_dataset(source: Any, *, kind: Kind = "messages", **filters: Any) -> Any:
    """The selected runs as a ``datasets.Dataset`` (filters as in ``load_runs``)."""
    if kind not in ("messages", "conversations"):
        raise ConfigError(f"kind must be 'messages' or 'conversations', got {kind!r}")
    datasets = require("datasets", "hf")
    runs = iter_runs(source, **filters)
    with paused_gc():
        if kind == "messages":
            return datasets.Dataset.from_dict(message_columns(runs))
        rows = list(iter_trl_sft(runs))
    return datasets.Dataset.from_list(rows, features=_features(datasets))


def export_hf(
    source: Any, path: str | os.PathLike[str], *, kind: Kind = "messages", **filters: Any
) -> ExportResult:
    """Save ``to_hf_dataset(...)`` to the directory ``path`` (replaced only when complete)."""
    runs = RunCounter(iter_runs(source, **filters))
    dataset = to_hf_dataset(list(runs), kind=kind)
    with atomic_target(path, directory=True) as tmp:
        dataset.save_to_disk(tmp)
    return ExportResult("hf", str(path), len(dataset), runs.count)


__all__ = ["to_hf_dataset", "export_hf"]
