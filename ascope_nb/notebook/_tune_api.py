"""``ascope_nb.tune(...)``: pick runs, show the dataset, train an adapter with a live view.

Example:
    >>> job = ascope_nb.tune(name="tool-fix", feedback="up", backend=FakeTrainingBackend())  # doctest: +SKIP
    >>> artifact = await job                                                              # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import Any

from ..tuner import AdapterStore, TrainingBackend, TrainMethod, TuneJob, prepare, resume, train


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def tune(
    source: Any = None,
    *,
    name: str,
    method: TrainMethod = "sft",
    dataset: str | os.PathLike[str] | None = None,
    feedback: str | None = None,
    metric: str | None = None,
    min_score: float | None = None,
    where: str | None = None,
    run_ids: str | Collection[str] | None = None,
    experiment: str | None = None,
    agent: str | Collection[str] | None = None,
    status: str | Collection[str] | None = None,
    store: Any = None,
    backend: TrainingBackend | None = None,
    adapters: AdapterStore | str | os.PathLike[str] | None = None,
    resume_stopped: bool = False,
    show: bool = True,
) -> TuneJob:
    """Train adapter ``name`` on the picked runs (or a JSONL ``dataset``) and watch it live.

    The dataset is checked first: an empty one, one without assistant tokens or in the
    wrong format raises ONE ``TuneDatasetError`` line and nothing is trained. Otherwise it
    is shown (the samples, the counts, the rejected rows with their reason; redacted), the
    training starts in the background, and its progress view (loss curve, step x/N,
    elapsed, ETA, Stop and Resume) is shown. The adapter is kept as the next version of
    ``name`` beside the run store (``ascope_nb.tuner.AdapterStore``).

    Args:
        source, feedback, metric, min_score, where, run_ids, experiment, agent, status,
            store, method, dataset: what to train on (``ascope_nb.tuner.prepare``).
        backend: a ``TrainingBackend`` (default: ``ascope_nb.tuner.TRLBackend``).
        adapters: the adapters folder (default: ``adapters/`` beside the run store).
        resume_stopped: continue the newest version of ``name`` from its checkpoint instead.
        show: display the dataset and the live view (in IPython).

    Returns:
        The ``TuneJob`` (``await job`` gives the ``AdapterArtifact``).
    """
    from ..tuner._artifacts import check_name

    check_name(name)  # a bad name is one line before any run is read
    shown = show and _in_notebook()
    if resume_stopped:
        job = resume(name, backend=backend, adapters=adapters)
    else:
        data = prepare(
            source, method=method, dataset=dataset, store=store, run_ids=run_ids,
            feedback=feedback, status=status, agent=agent, experiment=experiment,
            metric=metric, min_score=min_score, where=where,
        )  # fmt: skip
        data.require_trainable()
        if shown:
            from IPython.display import display

            display(data)
        job = train(data, name=name, backend=backend, adapters=adapters)
    if shown:
        job.display()
    return job


__all__ = ["tune"]
