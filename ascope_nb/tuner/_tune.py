"""``tune()``: check the job, then hand it to the training backend there is."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from ..exceptions import AscopeError, ConfigError
from ._algorithm import AlgorithmConfig
from ._dataset import DatasetConfig
from ._model import TunerModelConfig
from ._outputs import JudgeType, WorkflowType
from ._signature import check_judge_function, check_workflow_function
from ._student import missing_train_packages

NO_BACKEND = (
    "tune() has no training backend here: Trinity-RFT is not installed (GPU: pip install "
    "'ascope-nb[trinity]') and the CPU backend lacks {missing}: pip install 'ascope-nb[train]'"
)


class TunerBackendError(AscopeError, ImportError):
    """No training backend is installed for ``tune()`` (an ``ImportError``, as in AgentScope)."""


def tune(
    *,
    workflow_func: WorkflowType,
    judge_func: JudgeType | None = None,
    train_dataset: DatasetConfig | None = None,
    eval_dataset: DatasetConfig | None = None,
    model: TunerModelConfig | None = None,
    auxiliary_models: dict[str, TunerModelConfig] | None = None,
    algorithm: AlgorithmConfig | None = None,
    project_name: str | None = None,
    experiment_name: str | None = None,
    monitor_type: str | None = None,
    config_path: str | None = None,
) -> Any:
    """Train the model behind ``workflow_func`` on ``train_dataset`` (AgentScope 1.x's API).

    Everything is checked first (signatures, option types, ``config_path``), each problem one
    ``ConfigError`` line. The job then goes to Trinity-RFT when it is installed, as in
    AgentScope; otherwise to the CPU backend (``TRLBackend``: LoRA SFT/DPO/KTO on an export,
    or the GRPO loop over the tasks; see docs/tuner.md), which returns a ``TrainResult``. With
    neither, ``TunerBackendError`` names the pip command. ``config_path`` is a Trinity yaml
    whose fields the other options override (Trinity only).

    Example:
        >>> async def workflow(task, model):
        ...     return WorkflowOutput(reward=1.0)
        >>> tune(workflow_func=workflow, train_dataset=DatasetConfig(path="tasks"))  # doctest: +SKIP
    """
    check_workflow_function(workflow_func)
    if judge_func is not None:
        check_judge_function(judge_func)
    _expect("train_dataset", train_dataset, DatasetConfig)
    _expect("eval_dataset", eval_dataset, DatasetConfig)
    _expect("model", model, TunerModelConfig)
    _expect("algorithm", algorithm, AlgorithmConfig)
    for name, helper in (auxiliary_models or {}).items():
        _expect(f"auxiliary_models[{name!r}]", helper, TunerModelConfig)
    if config_path is not None and not Path(config_path).is_file():
        raise ConfigError(f"tune(): config_path {config_path!r} is not a file")

    if not trinity_available():
        missing = missing_train_packages()
        if missing:
            raise TunerBackendError(NO_BACKEND.format(missing=", ".join(missing)))
        from ._cpu_tune import run_on_cpu

        return run_on_cpu(
            workflow_func=workflow_func,
            judge_func=judge_func,
            train_dataset=train_dataset,
            eval_dataset=eval_dataset,
            auxiliary_models=auxiliary_models,
            model=model,
            algorithm=algorithm,
            project_name=project_name,
            experiment_name=experiment_name,
            config_path=config_path,
        )
    from ._trinity import run_on_trinity

    return run_on_trinity(
        workflow_func=workflow_func,
        judge_func=judge_func,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        model=model,
        auxiliary_models=auxiliary_models,
        algorithm=algorithm,
        project_name=project_name,
        experiment_name=experiment_name,
        monitor_type=monitor_type,
        config_path=config_path,
    )


def trinity_available() -> bool:
    """Whether Trinity-RFT (not another package named ``trinity``) can be imported."""
    try:
        return importlib.util.find_spec("trinity.cli.launcher") is not None
    except (ImportError, ValueError):  # no `trinity` package, or one without `cli`
        return False


def _expect(option: str, value: object, kind: type) -> None:
    if value is not None and not isinstance(value, kind):
        raise ConfigError(f"tune(): {option} must be a {kind.__name__}, got {type(value).__name__}")
