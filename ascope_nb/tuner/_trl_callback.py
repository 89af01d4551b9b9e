"""A TRL ``TrainerCallback`` that reports ``TrainProgress`` each step and honours a stop.

Built inside a function so ``transformers`` is imported only when training starts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ._progress import TrainProgress


class StepWatch:
    """What the callback saw: the last loss, whether a stop was asked, the metrics."""

    def __init__(self) -> None:
        self.last_loss: float | None = None
        self.stopped = False
        self.metrics: dict[str, float] = {}


def progress_callback(
    *,
    watch: StepWatch,
    on_progress: Callable[[TrainProgress], None] | None,
    should_stop: Callable[[], bool] | None,
    started: float | None = None,
) -> Any:
    """A ``TrainerCallback``: ``on_progress`` after every step (``logging_steps=1``), then a
    checkpoint and a stop when ``should_stop()`` is true."""
    from transformers import TrainerCallback

    begin = time.monotonic() if started is None else started

    class _Progress(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> Any:
            logs = logs or {}
            if "loss" not in logs:  # the end-of-training summary
                return control
            loss = float(logs["loss"])
            watch.last_loss = loss if math.isfinite(loss) else None
            metrics = {
                str(k): float(v)
                for k, v in logs.items()
                if k not in ("loss", "epoch") and isinstance(v, (int, float))
            }
            watch.metrics = metrics
            if on_progress is not None:
                on_progress(
                    TrainProgress(
                        step=state.global_step,
                        total_steps=state.max_steps,
                        loss=watch.last_loss,
                        elapsed_s=time.monotonic() - begin,
                        epoch=float(state.epoch) if state.epoch is not None else None,
                        metrics=metrics,
                    )
                )
            # asked after this step's report: save a checkpoint now (the trainer saves after
            # logging) and end before the next step
            if should_stop is not None and state.global_step < state.max_steps and should_stop():
                watch.stopped = True
                control.should_save = True
                control.should_training_stop = True
            return control

    return _Progress()
