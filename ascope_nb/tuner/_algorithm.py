"""How to train: the algorithm and its step sizes (``AlgorithmConfig``)."""

from __future__ import annotations

from pydantic import Field

from ._base import OneLineModel


class AlgorithmConfig(OneLineModel):
    """The training algorithm and its schedule.

    ``algorithm_type`` is a Trinity-RFT algorithm name (``"multi_step_grpo"`` suits most
    agents; ``"sft"``, ``"dpo"`` ... are others).

    Example:
        >>> AlgorithmConfig(algorithm_type="sft", batch_size=4).group_size
        8
    """

    algorithm_type: str = Field(default="multi_step_grpo", min_length=1)
    learning_rate: float = Field(default=1e-6, gt=0.0)
    group_size: int = Field(default=8, ge=1, description="Rollouts per task (GRPO groups).")
    batch_size: int = Field(default=32, ge=1, description="Tasks per training step.")
    save_interval_steps: int = Field(default=100, ge=1)
    eval_interval_steps: int = Field(default=100, ge=1)
