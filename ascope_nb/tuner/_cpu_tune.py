"""``tune()`` without Trinity-RFT: the same job on ``TRLBackend`` (CPU, LoRA).

``algorithm_type`` ``sft``/``dpo``/``kto`` train on ``train_dataset.path`` (a JSONL export);
anything GRPO-like (``multi_step_grpo``, ``grpo``) runs the GRPO loop on the dataset's tasks
with the workflow (and judge) function. The adapter lands in
``checkpoints/<project_name>/<experiment_name>`` (Trinity's layout).
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from ..exceptions import ConfigError
from ._algorithm import AlgorithmConfig
from ._dataset import DatasetConfig
from ._model import TunerModelConfig
from ._outputs import JudgeType, WorkflowType
from ._progress import TrainMethod, TrainProgress, TrainResult

logger = logging.getLogger("ascope_nb.tuner")

GRPO_TYPES = ("multi_step_grpo", "grpo")
TRL_TYPES = ("sft", "dpo", "kto")
CHECKPOINT_ROOT = Path("checkpoints")


def run_on_cpu(
    *,
    workflow_func: WorkflowType,
    judge_func: JudgeType | None,
    train_dataset: DatasetConfig | None,
    model: TunerModelConfig | None,
    algorithm: AlgorithmConfig | None,
    project_name: str | None,
    experiment_name: str | None,
    config_path: str | None,
    eval_dataset: DatasetConfig | None = None,
    auxiliary_models: dict[str, TunerModelConfig] | None = None,
) -> TrainResult:
    """Train on this machine; returns the ``TrainResult`` (the adapter folder and numbers)."""
    from ._trl_backend import TRLBackend

    algorithm = algorithm or AlgorithmConfig()
    kind = algorithm.algorithm_type
    if kind not in GRPO_TYPES + TRL_TYPES:
        raise ConfigError(
            f"tune(): algorithm_type {kind!r} needs Trinity-RFT; the CPU backend runs "
            f"{', '.join(GRPO_TYPES + TRL_TYPES)}"
        )
    if model is None:
        raise ConfigError(
            "tune(): the CPU backend needs model=TunerModelConfig(model_path=...): a "
            "transformers folder, a .gguf file or 'embedded:0.5b'"
        )
    if train_dataset is None:
        raise ConfigError("tune(): no training tasks: pass train_dataset=DatasetConfig(...)")
    for ignored, value in (
        ("config_path", config_path),
        ("eval_dataset", eval_dataset),
        ("auxiliary_models", auxiliary_models or None),
    ):
        if value is not None:
            logger.warning(
                "tune(): %s is used by Trinity-RFT only; the CPU backend ignores it", ignored
            )
    rank = model.tinker_config.rank if model.tinker_config is not None else 8
    backend = TRLBackend(
        model.model_path,
        lora_r=rank,
        lora_alpha=2.0 * rank,
        max_steps=train_dataset.total_steps,
        epochs=float(train_dataset.total_epochs),
        learning_rate=algorithm.learning_rate,
        batch_size=min(algorithm.batch_size, 8) if kind in TRL_TYPES else 2,
        workflow_func=workflow_func,
        judge_func=judge_func,
        group_size=max(algorithm.group_size, 2),
        tasks_per_step=algorithm.batch_size,
        max_new_tokens=min(model.max_tokens, model.max_model_len),
        temperature=model.temperature if model.temperature > 0 else 1.0,
        max_length=model.max_model_len,
    )
    name = experiment_name or "Experiment-" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    output_dir = CHECKPOINT_ROOT / (project_name or "AgentScope") / name
    if kind in TRL_TYPES:
        return backend.train(
            Path(train_dataset.path),
            method=cast(TrainMethod, kind),
            output_dir=output_dir,
            on_progress=_log,
        )
    from ._grpo import run_grpo

    tasks = load_tasks(train_dataset)
    return run_grpo(
        backend,
        tasks,
        source=train_dataset.path,
        dataset_sha256=None,
        output_dir=output_dir,
        on_progress=_log,
    )


def load_tasks(dataset: DatasetConfig) -> list[dict[str, Any]]:
    """The task rows of ``dataset``: a JSONL/JSON file read directly, else ``datasets``."""
    path = Path(dataset.path)
    if path.is_file() and path.suffix in (".jsonl", ".json"):
        from ._grpo import read_tasks

        if path.suffix == ".jsonl":
            return read_tasks(path)
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list) or not rows:
            raise ConfigError(f"{path}: a JSON task file is a non-empty list of objects")
        return [dict(r) for r in rows]
    try:
        from datasets import load_dataset
    except ImportError as exc:  # the train extra brings datasets
        raise ImportError(
            f"reading {dataset.path!r} needs datasets: pip install 'ascope-nb[train]'"
        ) from exc
    loaded = load_dataset(path=dataset.path, name=dataset.name, split=dataset.split)
    return [dict(row) for row in loaded]


def _log(progress: TrainProgress) -> None:
    loss = "n/a" if progress.loss is None or math.isnan(progress.loss) else f"{progress.loss:.4f}"
    reward = progress.metrics.get("reward_mean")
    extra = f" reward={reward:.3f}" if reward is not None else ""
    logger.info("tune(): step %d/%d loss=%s%s", progress.step, progress.total_steps, loss, extra)
