"""Hugging Face ``datasets.Dataset`` of the selected runs.

``kind="messages"``: the flat message table (``parquet.messages_frame``);
``kind="conversations"``: one row per run in TRL's conversational SFT layout.
``export_hf`` saves it with ``Dataset.save_to_disk`` (``datasets.load_from_disk`` reads it).

Example:
    >>> ds = to_hf_dataset(store, status="completed")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Literal

from ._select import iter_runs
from ._write import ExportResult, RunCounter, require
from .parquet import message_columns
from .trl import iter_trl_sft


def to_hf_dataset(
    source: Any, *, kind: Literal["messages", "conversations"] = "messages", **filters: Any
) -> Any:
    """The selected runs as a ``datasets.Dataset`` (filters as in ``load_runs``)."""
    datasets = require("datasets", "hf")
    runs = iter_runs(source, **filters)
    if kind == "messages":
        return datasets.Dataset.from_dict(message_columns(runs))
    if kind == "conversations":
        return datasets.Dataset.from_list(list(iter_trl_sft(runs)))
    from ..exceptions import ConfigError

    raise ConfigError(f"kind must be 'messages' or 'conversations', got {kind!r}")


def export_hf(
    source: Any,
    path: str | os.PathLike[str],
    *,
    kind: Literal["messages", "conversations"] = "messages",
    **filters: Any,
) -> ExportResult:
    """Save ``to_hf_dataset(...)`` to the directory ``path``."""
    runs = RunCounter(iter_runs(source, **filters))
    dataset = to_hf_dataset(list(runs), kind=kind)
    dataset.save_to_disk(str(path))
    return ExportResult("hf", str(path), len(dataset), runs.count)


__all__ = ["to_hf_dataset", "export_hf"]
