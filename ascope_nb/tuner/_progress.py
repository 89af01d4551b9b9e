"""The contract between a training backend and whoever watches it (``%tune``'s live view).

A backend's ``train(...)`` calls ``on_progress`` with a ``TrainProgress`` after every optimiser
step, checks ``should_stop()`` between steps (stopping leaves a checkpoint ``resume_from`` can
continue), and returns a ``TrainResult`` naming the adapter it wrote.

Example:
    >>> TrainProgress(step=3, total_steps=10, loss=1.25, elapsed_s=6.0).eta_s
    14.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

TrainMethod = Literal["sft", "dpo", "kto", "grpo"]


@dataclass(frozen=True)
class TrainProgress:
    """One optimiser step's report."""

    step: int
    total_steps: int
    loss: float | None
    elapsed_s: float
    epoch: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the mean pace so far (``None`` before the first step)."""
        if self.step <= 0:
            return None
        return self.elapsed_s / self.step * max(self.total_steps - self.step, 0)


@dataclass(frozen=True)
class TrainResult:
    """What a finished (or stopped) training wrote."""

    adapter_dir: Path
    method: TrainMethod
    steps: int
    stopped: bool
    final_loss: float | None
    base_model: str
    checkpoint_dir: Path | None = None
    metrics: dict[str, float] = field(default_factory=dict)


class TrainingBackend(Protocol):
    """Anything that trains a LoRA adapter from an exported dataset file."""

    def train(
        self,
        dataset: Path,
        *,
        method: TrainMethod,
        output_dir: Path,
        on_progress: Callable[[TrainProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        resume_from: Path | None = None,
    ) -> TrainResult:
        """Train on ``dataset`` (JSONL as ``ascope_nb.export`` writes it) into ``output_dir``."""
        ...
