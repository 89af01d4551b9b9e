"""The tuner: AgentScope 1.x's ``agentscope.tuner`` API, for training the model behind an agent.

A workflow function runs the agent on one task and returns a ``WorkflowOutput`` (a reward, or
a response a judge function scores into a ``JudgeOutput``); ``tune()`` trains the model given
by ``TunerModelConfig`` on a ``DatasetConfig`` with an ``AlgorithmConfig``. Training runs on
Trinity-RFT (GPU) when it is installed; the CPU backend is planned (docs/tuner.md).

The tuner reads exports and experiments and writes adapters; it never imports the notebook
layer.

Example:
    >>> from ascope_nb.tuner import WorkflowOutput, check_workflow_function
    >>> async def workflow(task, model, logger=None):
    ...     return WorkflowOutput(response=task["question"])
    >>> check_workflow_function(workflow)
"""

from __future__ import annotations

from ._algorithm import AlgorithmConfig

# the learning loop in the notebook (%tune): datasets from runs, versioned adapters, jobs
from ._artifacts import AdapterArtifact, AdapterError, AdapterStore, default_adapter_root
from ._dataset import DatasetConfig
from ._job import TuneError, TuneJob
from ._loop import NoTrainingBackend, compare_before_after, default_backend, prepare, resume, train
from ._model import TinkerConfig, TunerModelConfig
from ._outputs import JudgeOutput, JudgeType, WorkflowOutput, WorkflowType
from ._progress import TrainingBackend, TrainMethod, TrainProgress, TrainResult
from ._signature import check_judge_function, check_workflow_function
from ._tune import TunerBackendError, trinity_available, tune
from ._tune_data import TuneDataset, TuneDatasetError

__all__ = [
    "AlgorithmConfig",
    "DatasetConfig",
    "JudgeOutput",
    "JudgeType",
    "TinkerConfig",
    "TunerBackendError",
    "TunerModelConfig",
    "WorkflowOutput",
    "WorkflowType",
    "check_judge_function",
    "check_workflow_function",
    "trinity_available",
    "tune",
    # the learning loop (%tune)
    "AdapterArtifact",
    "AdapterError",
    "AdapterStore",
    "NoTrainingBackend",
    "TrainMethod",
    "TrainProgress",
    "TrainResult",
    "TrainingBackend",
    "TuneDataset",
    "TuneDatasetError",
    "TuneError",
    "TuneJob",
    "compare_before_after",
    "default_adapter_root",
    "default_backend",
    "prepare",
    "resume",
    "train",
]
