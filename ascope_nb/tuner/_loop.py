"""The learning loop's Python API: ``prepare`` a dataset from runs, ``train`` an adapter as a
versioned artifact, and ``compare_before_after`` with an experiment.

``ascope_nb.tune(...)`` and ``%tune`` (the notebook layer) are thin shells over these.

Example:
    >>> ds = prepare(store=store, feedback="up")                              # doctest: +SKIP
    >>> job = train(ds, name="tool-fix", backend=FakeTrainingBackend())      # doctest: +SKIP
    >>> artifact = await job                                                 # doctest: +SKIP
    >>> cmp = await compare_before_after(make_agent, rows, adapter=artifact,  # doctest: +SKIP
    ...                                  metrics=["tool_called:get_weather"])
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ._artifacts import AdapterArtifact, AdapterStore
from ._job import TuneJob
from ._progress import TrainingBackend, TrainMethod
from ._tune_data import (
    TuneDataset,
    TuneDatasetError,
    check_method,
    dataset_from_file,
    dataset_from_runs,
    select_runs,
)


class NoTrainingBackend(ConfigError):
    """No backend was given and the CPU backend (TRL) cannot be loaded."""


DEFAULT_STUDENT = "embedded:1.5b"
"""The model ``%tune`` trains when no backend is given: the embedded chat model's weights."""


def default_backend() -> TrainingBackend:
    """``ascope_nb.tuner.TRLBackend(DEFAULT_STUDENT)`` (CPU LoRA on the embedded model) when it
    can be loaded; one ``NoTrainingBackend`` line otherwise."""
    try:
        cls = getattr(importlib.import_module("ascope_nb.tuner"), "TRLBackend", None)
        if cls is None:
            raise ImportError("ascope_nb.tuner has no TRLBackend")
    except ImportError as exc:
        raise NoTrainingBackend(
            f"no training backend: pass backend=... or pip install 'ascope-nb[train]' ({exc})"
        ) from None
    try:
        backend: TrainingBackend = cls(DEFAULT_STUDENT)
    except Exception as exc:  # a missing extra or model: one line, not a traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NoTrainingBackend(
            f"the default training backend TRLBackend({DEFAULT_STUDENT!r}) cannot start: {first}; "
            "pass backend=..."
        ) from None
    return backend


def prepare(
    source: Any = None,
    *,
    method: TrainMethod = "sft",
    dataset: str | os.PathLike[str] | None = None,
    store: Any = None,
    run_ids: str | Collection[str] | None = None,
    feedback: str | None = None,
    status: str | Collection[str] | None = None,
    agent: str | Collection[str] | None = None,
    experiment: str | None = None,
    metric: str | None = None,
    min_score: float | None = None,
    where: str | None = None,
) -> TuneDataset:
    """The checked dataset of one training: from a JSONL file (``dataset=``) or from runs
    picked by feedback, experiment metric threshold or a runs-table filter.

    Args:
        source: runs as ``ascope_nb.export`` reads them (a store, run handles, event lists);
            default: the process's run store.
        method: ``"sft"``, ``"dpo"`` or ``"kto"`` (the TRL rows exported for it).
        dataset: a JSONL file instead of runs (its lines are checked one by one).
        run_ids, feedback, status, agent, experiment: the export filters.
        metric, min_score: keep runs whose score on ``metric`` (an experiment metric; the
            run's score when None) is at least ``min_score``.
        where: a pandas query over the runs table, e.g. ``"n_tool_calls > 0"``.
    """
    check_method(method)
    if min_score is None and metric is not None:
        raise ConfigError(f"metric={metric!r} needs min_score= (keep runs scoring at least it)")
    if dataset is not None:
        return dataset_from_file(dataset, method=method)
    records = select_runs(
        source, store=store, run_ids=run_ids, feedback=feedback, status=status, agent=agent,
        experiment=experiment, metric=metric, min_score=min_score, where=where,
    )  # fmt: skip
    picked = ", ".join(
        f"{k}={v!r}"
        for k, v in (("feedback", feedback), ("experiment", experiment), ("metric", metric),
                     ("min_score", min_score), ("where", where), ("status", status))
        if v is not None
    )  # fmt: skip
    return dataset_from_runs(
        records, method=method, source=f"runs ({picked})" if picked else "runs"
    )


def train(
    dataset: TuneDataset,
    *,
    name: str,
    backend: TrainingBackend | None = None,
    adapters: AdapterStore | str | os.PathLike[str] | None = None,
) -> TuneJob:
    """Start training ``dataset`` into the next version of adapter ``name`` (a bad dataset
    is one ``TuneDatasetError`` line and nothing starts)."""
    dataset.require_trainable()
    store = adapters if isinstance(adapters, AdapterStore) else AdapterStore(adapters)
    store.versions(name)  # checks the name before anything is written
    job = TuneJob(name=name, dataset=dataset, backend=backend or default_backend(), adapters=store)
    return job.start()


def resume(
    name: str,
    *,
    backend: TrainingBackend | None = None,
    adapters: AdapterStore | str | os.PathLike[str] | None = None,
) -> TuneJob:
    """Continue the newest version of ``name`` if it was stopped (e.g. in an earlier kernel):
    the next version trains from its checkpoint on the same dataset file."""
    store = adapters if isinstance(adapters, AdapterStore) else AdapterStore(adapters)
    parent = store.latest_resumable(name)
    if parent is None:
        versions = store.versions(name)
        state = (
            f"its newest version {versions[-1]} is not a stopped training with a checkpoint"
            if versions
            else "it has no version"
        )
        raise ConfigError(f"cannot resume adapter {name!r}: {state}")
    data = dataset_from_file(
        parent.path / "dataset.jsonl", method=parent.manifest.get("method", "sft")
    )
    data.runs = list(parent.manifest.get("runs") or [])
    data.source = str((parent.manifest.get("dataset") or {}).get("source") or data.source)
    job = TuneJob(
        name=name, dataset=data, backend=backend or default_backend(), adapters=store, parent=parent
    )
    return job.start()


async def compare_before_after(
    agent_for: Callable[[AdapterArtifact | None], Any],
    dataset: Any,
    *,
    adapter: AdapterArtifact,
    metrics: Any = ("exact",),
    name: str | None = None,
    **experiment_options: Any,
) -> Any:
    """Run one experiment with the base model and one with ``adapter``, then ``compare``.

    Args:
        agent_for: makes the agent for a side: ``agent_for(None)`` on the base model,
            ``agent_for(adapter)`` on the adapter (e.g. the embedded server with the GGUF
            LoRA loaded; with the fake backend ``adapted_model``).
        dataset, metrics, **experiment_options: as ``ascope_nb.evaluate.experiment``.
        name: the experiments are ``<name>-base`` and ``<name>-<adapter>-<version>``
            (default name: the adapter's, then ``<adapter>-base`` and ``<adapter>-<version>``).

    Returns:
        The ``Comparison`` (its display is the compare view: means, paired delta with its
        95% CI, wins and losses, the samples that changed).
    """
    from ..evaluate import compare, experiment

    if adapter.status != "completed":
        raise ConfigError(
            f"adapter {adapter.label} is {adapter.status}, not completed: resume it first"
        )
    stem = name or adapter.name
    after_name = (
        f"{stem}-{adapter.version}"
        if stem == adapter.name
        else f"{stem}-{adapter.name}-{adapter.version}"
    )
    before = experiment(agent=agent_for(None), dataset=dataset, metrics=metrics,
                        name=f"{stem}-base", **experiment_options)  # fmt: skip
    await before
    after = experiment(agent=agent_for(adapter), dataset=dataset, metrics=metrics,
                       name=after_name, **experiment_options)  # fmt: skip
    await after
    return compare(before, after)


def kept_dataset(artifact: AdapterArtifact) -> Path:
    """The JSONL file a version was trained on (its sha256 is in the manifest)."""
    return artifact.path / "dataset.jsonl"


__all__ = [
    "NoTrainingBackend",
    "TuneDatasetError",
    "compare_before_after",
    "default_backend",
    "kept_dataset",
    "prepare",
    "resume",
    "train",
]
