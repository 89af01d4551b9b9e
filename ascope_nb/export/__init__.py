"""Dataset exporters: stored runs to fine-tuning, preference, RL and evaluation datasets.

Every exporter reads runs as events (from a ``RunStore``, a runs DataFrame plus the store,
run ids plus the store, event lists or ``Run`` handles; all but the store's go through the
store's redaction first), folds each into a ``RunRecord`` and streams rows to a file that
replaces the target only when complete.

One principle for every chat format: **a training record is what one model call saw and
what it produced** (``_calls.CallRecord``):

- ``prompt``: the messages the model received, rebuilt from the events by the run's fold and
  formatted by the agent's formatter (earlier turns of a follow-up and MsgHub speakers in the
  multi-agent layout included): ``role``, ``content``, ``name``, ``tool_calls`` (JSON-string
  ``arguments``), ``tool_call_id``;
- ``output``: the assistant message the call produced;
- ``why``: ``""`` for a training target, else ``partial`` / ``stopped`` / ``max_iters`` /
  ``empty`` (never taught anywhere) or ``denied`` / ``edited`` / ``hint`` / ``thumbs_down``
  (a correction: weight 0 or left out of SFT rows, the rejected side of a preference pair).

``trl-sft``, ``trinity`` and ``hf`` write one row per target call; ``openai`` and
``sharegpt`` one row per agent reply (its last call's prompt and answer; weights, or a cut
before the first correction); pairs and KTO labels one row each. ``docs/export.md`` lists
what each format keeps and the consumers it is tested with.

Formats: ``openai`` (chat SFT JSONL), ``openai-dpo``, ``trl-sft``, ``trl-dpo``, ``trl-kto``,
``sharegpt`` (LLaMA-Factory), ``trinity`` (Trinity-RFT SFT / DPO), ``inspect``
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
from ._write import ExportError, ExportResult


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
    "ExportError",
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
