"""The tuner: AgentScope 1.x's ``agentscope.tuner`` API, for training the model behind an agent.

A workflow function runs the agent on one task and returns a ``WorkflowOutput`` (a reward, or
a response a judge function scores into a ``JudgeOutput``); ``tune()`` trains the model given
by ``TunerModelConfig`` on a ``DatasetConfig`` with an ``AlgorithmConfig``. Training runs on
Trinity-RFT (GPU) when it is installed, else on the CPU backend (``TRLBackend``: TRL + peft
LoRA; extra ``ascope-nb[train]``), see docs/tuner.md.

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


def __getattr__(name: str) -> object:
    # the CPU backend's parts load on first use (their heavy imports stay inside functions)
    lazy = {
        "TRLBackend": "._trl_backend",
        "TrainDataError": "._train_data",
        "adapter_to_gguf": "._gguf_lora",
        "TransformersChatModel": "._hf_chat",
        "load_adapter": "._hf_chat",
        "read_manifest": "._manifest",
        "group_advantages": "._grpo",
        "metric_judge": "._grpo",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(lazy[name], __name__), name)
    raise AttributeError(f"module 'ascope_nb.tuner' has no attribute {name!r}")


__all__ = [
    "AlgorithmConfig",
    "DatasetConfig",
    "JudgeOutput",
    "JudgeType",
    "TRLBackend",
    "TinkerConfig",
    "TrainDataError",
    "TransformersChatModel",
    "TunerBackendError",
    "TunerModelConfig",
    "WorkflowOutput",
    "WorkflowType",
    "adapter_to_gguf",
    "check_judge_function",
    "check_workflow_function",
    "group_advantages",
    "load_adapter",
    "metric_judge",
    "read_manifest",
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
