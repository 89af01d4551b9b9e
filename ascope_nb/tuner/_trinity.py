"""Hand a tuning job to Trinity-RFT (GPU): build its config from ours and run it.

Imported only by ``tune()`` once Trinity-RFT is known to be importable.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from typing import Any

from ..exceptions import ConfigError
from ._algorithm import AlgorithmConfig
from ._dataset import DatasetConfig
from ._model import TunerModelConfig
from ._outputs import JudgeType, WorkflowType

# our Trinity workflow (loaded by dotted path): calls the workflow function per task with an
# ascope_nb model and checks ascope_nb's output types (Trinity's own AgentScope adapter needs
# the `agentscope` package and its classes)
ADAPTER_WORKFLOW = "ascope_nb.tuner._trinity_adapter.AscopeNbWorkflow"

# used when no Trinity yaml is given
_DEFAULT_TEMPLATE: dict[str, Any] = {
    "project": "AgentScope",
    "name": "Experiment",
    "checkpoint_root_dir": "./checkpoints",
    "algorithm": {"algorithm_type": "multi_step_grpo"},
    "buffer": {"total_epochs": 1},
    "explorer": {"runner_per_model": 16, "max_timeout": 3600, "max_repeat_times_per_runner": 1},
    "synchronizer": {
        "sync_style": "dynamic_by_explorer",
        "sync_method": "nccl",
        "sync_interval": 1,
        "sync_timeout": 7200,
    },
    "trainer": {"save_interval": 100},
    "monitor": {"monitor_type": "tensorboard"},
}


def run_on_trinity(
    *,
    workflow_func: WorkflowType,
    judge_func: JudgeType | None,
    train_dataset: DatasetConfig | None,
    eval_dataset: DatasetConfig | None,
    model: TunerModelConfig | None,
    auxiliary_models: dict[str, TunerModelConfig] | None,
    algorithm: AlgorithmConfig | None,
    project_name: str | None,
    experiment_name: str | None,
    monitor_type: str | None,
    config_path: str | None,
) -> Any:
    """Build the Trinity-RFT config and run its stage (on an Aliyun PAI DLC Ray cluster when
    ``USE_ALIYUN_PAI_DLC=1``)."""
    from trinity.cli.launcher import run_stage
    from trinity.utils.dlc_utils import setup_ray_cluster, stop_ray_cluster

    config = _trinity_config(
        config_path=config_path,
        workflow_args={"workflow_func": workflow_func}
        | ({"judge_func": judge_func} if judge_func is not None else {}),
        model=model,
        auxiliary_models=auxiliary_models or {},
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        algorithm=algorithm,
        project_name=project_name,
        experiment_name=experiment_name,
        monitor_type=monitor_type,
    )
    on_dlc = os.environ.get("USE_ALIYUN_PAI_DLC", "0") == "1"
    if on_dlc:
        config.cluster.ray_address = setup_ray_cluster(namespace="agentscope")
    try:
        return run_stage(config=config.check_and_update())
    finally:
        if on_dlc:
            stop_ray_cluster(namespace="agentscope")


def _load(config_path: str | None) -> tuple[Any, bool]:
    """Trinity's config from ``config_path``, or from our template (then ``True``)."""
    import yaml
    from trinity.common.config import load_config

    if config_path is not None:
        return load_config(config_path), False
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as handle:
        yaml.safe_dump(_DEFAULT_TEMPLATE, handle)
        handle.flush()
        return load_config(handle.name), True


def _trinity_config(
    *,
    config_path: str | None,
    workflow_args: dict[str, Any],
    model: TunerModelConfig | None,
    auxiliary_models: dict[str, TunerModelConfig],
    train_dataset: DatasetConfig | None,
    eval_dataset: DatasetConfig | None,
    algorithm: AlgorithmConfig | None,
    project_name: str | None,
    experiment_name: str | None,
    monitor_type: str | None,
) -> Any:
    from trinity.common.config import InferenceModelConfig, TasksetConfig
    from trinity.common.config import TinkerConfig as TrinityTinker

    config, from_template = _load(config_path)
    if project_name is not None:
        config.project = project_name
    if experiment_name is not None:
        config.name = experiment_name
    elif from_template:
        config.name = "Experiment-" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    if monitor_type is not None:
        config.monitor.monitor_type = monitor_type

    explorer_input = config.buffer.explorer_input
    if train_dataset is not None:
        if explorer_input.taskset is None:
            explorer_input.taskset = TasksetConfig(name="train_taskset")
        explorer_input.taskset.path = train_dataset.path
        explorer_input.taskset.split = train_dataset.split
        explorer_input.taskset.subset_name = train_dataset.name
        config.buffer.total_epochs = train_dataset.total_epochs
        config.buffer.total_steps = train_dataset.total_steps
    if explorer_input.taskset is None:
        raise ConfigError(
            "tune(): no training tasks: pass train_dataset=DatasetConfig(...) or a Trinity "
            "config whose buffer.explorer_input has a taskset"
        )
    explorer_input.default_workflow_type = ADAPTER_WORKFLOW
    explorer_input.taskset.default_workflow_type = ADAPTER_WORKFLOW
    explorer_input.taskset.workflow_args.update(workflow_args)

    if model is not None:
        config.model.model_path = model.model_path
        config.model.max_model_len = model.max_model_len
        config.model.max_response_tokens = model.max_tokens
        config.explorer.rollout_model = InferenceModelConfig(**model.get_config())
        config.explorer.rollout_model.enable_history = True
        if model.tinker_config is not None:
            config.model.tinker = TrinityTinker(**model.tinker_config.get_config())
            config.model.tinker.enable = True
    for name, helper in auxiliary_models.items():
        helper_config = InferenceModelConfig(**helper.get_config())
        helper_config.name = name
        config.explorer.auxiliary_models.append(helper_config)

    if eval_dataset is not None:
        explorer_input.eval_tasksets.append(
            TasksetConfig(
                name="eval_taskset",
                path=eval_dataset.path,
                split=eval_dataset.split,
                subset_name=eval_dataset.name,
            )
        )
    for taskset in explorer_input.eval_tasksets:
        taskset.workflow_args.update(workflow_args)

    if algorithm is not None:
        config.algorithm.algorithm_type = algorithm.algorithm_type
        config.algorithm.repeat_times = algorithm.group_size
        config.algorithm.optimizer.lr = algorithm.learning_rate
        config.buffer.batch_size = algorithm.batch_size
        config.trainer.save_interval = algorithm.save_interval_steps
        config.explorer.eval_interval = algorithm.eval_interval_steps
    return config
