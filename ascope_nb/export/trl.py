"""TRL conversational datasets, one row per model call: SFT, DPO and KTO.

Every row is what one model call saw and produced (see ``_calls``):

- ``trl-sft``: ``{"prompt": [...], "completion": [assistant], "tools": str}`` for each model
  call that is a training target (TRL's conversational prompt-completion type: the loss is
  on the completion only). Calls that were stopped, cut, corrected (denied, edited, guided,
  thumbs-down step) or the max-iters summary are not written.
- ``trl-dpo``: ``{"prompt", "chosen", "rejected", "tools"}`` per preference pair.
- ``trl-kto``: ``{"prompt", "completion", "label", "tools"}``: feedback on the run labels its
  clean calls, step feedback one call, each pair adds a False and a True row. ``prompt`` is
  never empty (it holds at least what the model was sent).

Messages have exactly the keys ``role``, ``content``, ``name``, ``tool_calls``,
``tool_call_id`` (None when unused); tool-call ``arguments`` are JSON strings and ``tools`` a
JSON string of the schemas (TRL parses it), so ``datasets`` reads every row with one schema.
``arguments="dict"`` writes arguments as objects, for chat templates that need them.

Example:
    >>> from ascope_nb.export._record import RunRecord
    >>> list(iter_trl_sft([RunRecord(run_id="r1")]))
    []
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from ..feedback import SCORE_THRESHOLD
from ._calls import CallRecord, model_calls, output_message
from ._chat import ArgsStyle, stable_messages, tools_json
from ._pairs import LabeledExample, PreferencePair, labeled_examples, preference_pairs
from ._record import RunRecord
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl


def trl_sft_record(call: CallRecord, *, arguments: ArgsStyle = "json") -> dict[str, Any]:
    """One prompt-completion row for a model call."""
    return {
        "prompt": stable_messages(call.prompt, args=arguments),
        "completion": stable_messages([output_message(call.output)], args=arguments),
        "tools": tools_json(call.tools),
    }


def trl_dpo_record(pair: PreferencePair, *, arguments: ArgsStyle = "json") -> dict[str, Any]:
    """One conversational preference row."""
    return {
        "prompt": stable_messages(pair.prompt, args=arguments),
        "chosen": stable_messages([output_message(pair.chosen)], args=arguments),
        "rejected": stable_messages([output_message(pair.rejected)], args=arguments),
        "tools": tools_json(pair.tools),
    }


def trl_kto_record(example: LabeledExample, *, arguments: ArgsStyle = "json") -> dict[str, Any]:
    """One conversational unpaired-preference row (``label`` True = desirable)."""
    return {
        "prompt": stable_messages(example.prompt, args=arguments),
        "completion": stable_messages(
            [output_message(m) for m in example.completion], args=arguments
        ),
        "label": example.label,
        "tools": tools_json(example.tools),
    }


def iter_trl_sft(
    runs: Iterable[RunRecord], *, arguments: ArgsStyle = "json"
) -> Iterator[dict[str, Any]]:
    """The SFT rows of ``runs``: one per model call that is a training target."""
    for record in runs:
        for call in model_calls(record):
            if call.kept and call.prompt:
                yield trl_sft_record(call, arguments=arguments)


def iter_trl_dpo(
    runs: Iterable[RunRecord], *, arguments: ArgsStyle = "json"
) -> Iterator[dict[str, Any]]:
    for record in runs:
        for pair in preference_pairs(record):
            if pair.prompt:
                yield trl_dpo_record(pair, arguments=arguments)


def iter_trl_kto(
    runs: Iterable[RunRecord],
    *,
    score_threshold: float = SCORE_THRESHOLD,
    include_pairs: bool = True,
    arguments: ArgsStyle = "json",
) -> Iterator[dict[str, Any]]:
    for record in runs:
        for example in labeled_examples(
            record, score_threshold=score_threshold, include_pairs=include_pairs
        ):
            if example.completion and example.prompt:
                yield trl_kto_record(example, arguments=arguments)


def export_trl_sft(
    source: Any, path: str | os.PathLike[str], *, arguments: ArgsStyle = "json", **filters: Any
) -> ExportResult:
    """Write TRL conversational SFT JSONL (``datasets.load_dataset("json", ...)`` reads it)."""
    runs = RunCounter(iter_runs(source, **filters))
    count = write_jsonl(iter_trl_sft(runs, arguments=arguments), path)
    return ExportResult("trl-sft", str(path), count, runs.count)


def export_trl_dpo(
    source: Any, path: str | os.PathLike[str], *, arguments: ArgsStyle = "json", **filters: Any
) -> ExportResult:
    """Write TRL conversational DPO JSONL from steering corrections."""
    runs = RunCounter(iter_runs(source, **filters))
    count = write_jsonl(iter_trl_dpo(runs, arguments=arguments), path)
    return ExportResult("trl-dpo", str(path), count, runs.count)


def export_trl_kto(
    source: Any,
    path: str | os.PathLike[str],
    *,
    include_pairs: bool = True,
    arguments: ArgsStyle = "json",
    **filters: Any,
) -> ExportResult:
    """Write TRL conversational KTO JSONL from thumbs, scores and steering corrections."""
    threshold = float(filters.get("score_threshold", SCORE_THRESHOLD))
    runs = RunCounter(iter_runs(source, **filters))
    rows = iter_trl_kto(
        runs, score_threshold=threshold, include_pairs=include_pairs, arguments=arguments
    )
    return ExportResult("trl-kto", str(path), write_jsonl(rows, path), runs.count)


__all__ = [
    "trl_sft_record",
    "trl_dpo_record",
    "trl_kto_record",
    "iter_trl_sft",
    "iter_trl_dpo",
    "iter_trl_kto",
    "export_trl_sft",
    "export_trl_dpo",
    "export_trl_kto",
]
