"""Dataset exporters: stored runs to fine-tuning, preference, RL and evaluation datasets.

Every exporter reads runs as events (from a ``RunStore``, a runs DataFrame plus the store,
run ids plus the store, event lists or ``Run`` handles), folds each into a ``RunRecord``,
and streams records to a file. Human steering becomes signal (see ``_pairs``).

Formats: ``openai`` (chat SFT JSONL), ``openai-dpo``, ``trl-sft``, ``trl-dpo``, ``trl-kto``,
``sharegpt`` (LLaMA-Factory), ``trinity`` (Trinity-RFT experiences), ``inspect``
(inspect_ai eval log), ``parquet`` (flat message table), ``hf`` (``datasets`` on disk).

Example:
    >>> from ascope_nb.export import export
    >>> result = export(store, "trl-sft", "train.jsonl", status="completed")  # doctest: +SKIP
    >>> result.records  # doctest: +SKIP
    12
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..exceptions import ConfigError
from ._pairs import LabeledExample, PreferencePair, labeled_examples, preference_pairs
from ._record import FeedbackRecord, HintRecord, RunRecord, ToolCallRecord
from ._select import iter_runs, load_runs
from ._write import ExportResult


def _exporters() -> dict[str, Callable[..., ExportResult]]:
    from .hf import export_hf
    from .inspect_ai import export_inspect
    from .openai_dpo import export_openai_dpo
    from .openai_sft import export_openai_sft
    from .parquet import export_parquet
    from .sharegpt import export_sharegpt
    from .trinity import export_trinity
    from .trl import export_trl_dpo, export_trl_kto, export_trl_sft

    return {
        "openai": export_openai_sft,
        "openai-dpo": export_openai_dpo,
        "trl-sft": export_trl_sft,
        "trl-dpo": export_trl_dpo,
        "trl-kto": export_trl_kto,
        "sharegpt": export_sharegpt,
        "trinity": export_trinity,
        "inspect": export_inspect,
        "parquet": export_parquet,
        "hf": export_hf,
    }


FORMATS: tuple[str, ...] = (
    "openai", "openai-dpo", "trl-sft", "trl-dpo", "trl-kto",
    "sharegpt", "trinity", "inspect", "parquet", "hf",
)  # fmt: skip


def export(source: Any, format: str, path: str | os.PathLike[str], **options: Any) -> ExportResult:
    """Export the selected runs of ``source`` in ``format`` to ``path``.

    Args:
        source: a RunStore, a runs DataFrame (with ``store=``), run ids (with ``store=``),
            event lists, ``Run`` handles or ``RunRecord`` objects.
        format: one of ``FORMATS``.
        path: the output file (a directory for ``hf``).
        **options: filters (``run_ids``, ``status``, ``feedback``, ``agent``, ``store``) and
            the format's own options (e.g. ``weights=False`` for ``openai``).

    Returns:
        ``ExportResult`` with the number of records written and runs read.

    Raises:
        ConfigError: for an unknown format (the message lists the known ones).
    """
    key = format.lower().replace("_", "-")
    if key not in FORMATS:
        raise ConfigError(f"unknown export format {format!r}; known formats: {', '.join(FORMATS)}")
    return _exporters()[key](source, path, **options)


__all__ = [
    "FORMATS",
    "ExportResult",
    "FeedbackRecord",
    "HintRecord",
    "LabeledExample",
    "PreferencePair",
    "RunRecord",
    "ToolCallRecord",
    "export",
    "iter_runs",
    "labeled_examples",
    "load_runs",
    "preference_pairs",
]
