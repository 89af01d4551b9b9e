"""``TRLBackend``: LoRA (peft) SFT, DPO and KTO with TRL on the CPU, and the GRPO-style loop.

It implements ``TrainingBackend`` (``_progress.py``): ``train(dataset, method=..., output_dir=
..., on_progress=, should_stop=, resume_from=)`` checks the whole file first (one line per
problem, nothing loaded), loads the base model in float32, trains a LoRA adapter, reports a
``TrainProgress`` every step, stops at a checkpoint when ``should_stop()`` turns true, and
writes the adapter (peft format) with ``ascope_adapter.json`` into ``output_dir``.

Example:
    >>> backend = TRLBackend("embedded:0.5b", lora_r=8, max_steps=20)
    >>> backend.train(Path("sft.jsonl"), method="sft", output_dir=Path("adapters/v1"))  # doctest: +SKIP
    TrainResult(adapter_dir=PosixPath('adapters/v1'), method='sft', steps=20, ...)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ._chat_text import rendered_row
from ._manifest import file_sha256, write_manifest
from ._progress import TrainingBackend, TrainMethod, TrainProgress, TrainResult
from ._student import load_student, require_train_extra
from ._train_data import ANSWER_KEYS, check_tokens, read_samples

DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class TRLBackend:
    """Train LoRA adapters on this machine's CPU with TRL and peft.

    Args:
        base_model: a ``transformers`` folder or hub id, a ``.gguf`` file (dequantized) or
            ``"embedded:0.5b"``/``"embedded:1.5b"`` (the embedded model's weights).
        lora_r, lora_alpha, lora_dropout: the LoRA rank, alpha (scale = alpha / r), dropout.
        target_modules: the linear layers that get a LoRA (attention and MLP by default).
        max_steps: optimiser steps; ``None``: ``epochs`` passes over the data.
        learning_rate, batch_size, grad_accum, lr_scheduler: the optimiser schedule.
        max_length: tokens per sample at most (longer ones are cut).
        beta: the DPO/KTO temperature (and the GRPO KL weight, see ``grpo_beta``).
        seed: seeds the LoRA init and the data order.
        threads: torch CPU threads (default: torch's choice).
        workflow_func, judge_func: for ``method="grpo"``: the AgentScope-style workflow run on
            each task (and its judge), see ``ascope_nb.tuner.tune``.
        group_size, tasks_per_step, max_new_tokens, temperature, grpo_beta: GRPO rollouts.
    """

    def __init__(
        self,
        base_model: str | Path,
        *,
        lora_r: int = 8,
        lora_alpha: float = 16.0,
        lora_dropout: float = 0.0,
        target_modules: Sequence[str] | str = DEFAULT_TARGETS,
        max_steps: int | None = None,
        epochs: float = 1.0,
        learning_rate: float = 2e-4,
        batch_size: int = 2,
        grad_accum: int = 1,
        lr_scheduler: str = "constant",
        max_length: int = 1024,
        beta: float = 0.1,
        seed: int = 0,
        threads: int | None = None,
        workflow_func: Callable[..., Any] | None = None,
        judge_func: Callable[..., Any] | None = None,
        group_size: int = 4,
        tasks_per_step: int = 1,
        max_new_tokens: int = 64,
        temperature: float = 1.0,
        grpo_beta: float = 0.0,
    ) -> None:
        for name, value in (("lora_r", lora_r), ("batch_size", batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"TRLBackend: {name} must be a positive integer, got {value!r}")
        if max_steps is not None and (not isinstance(max_steps, int) or max_steps < 1):
            raise ConfigError(
                f"TRLBackend: max_steps must be a positive integer, got {max_steps!r}"
            )
        if learning_rate <= 0:
            raise ConfigError(f"TRLBackend: learning_rate must be > 0, got {learning_rate!r}")
        if group_size < 2:
            raise ConfigError(f"TRLBackend: group_size must be at least 2, got {group_size!r}")
        self.base_model = str(base_model)
        self.lora_r, self.lora_alpha, self.lora_dropout = lora_r, float(lora_alpha), lora_dropout
        self.target_modules = (
            target_modules if isinstance(target_modules, str) else list(target_modules)
        )
        self.max_steps, self.epochs = max_steps, epochs
        self.learning_rate, self.batch_size, self.grad_accum = learning_rate, batch_size, grad_accum
        self.lr_scheduler, self.max_length, self.beta = lr_scheduler, max_length, beta
        self.seed, self.threads = seed, threads
        self.workflow_func, self.judge_func = workflow_func, judge_func
        self.group_size, self.tasks_per_step = group_size, tasks_per_step
        self.max_new_tokens, self.temperature, self.grpo_beta = (
            max_new_tokens,
            temperature,
            grpo_beta,
        )

    def __repr__(self) -> str:
        return (
            f"TRLBackend({self.base_model!r}, lora_r={self.lora_r}, "
            f"lora_alpha={self.lora_alpha}, max_steps={self.max_steps})"
        )

    def lora_config(self) -> Any:
        """The ``peft.LoraConfig`` this backend trains."""
        from peft import LoraConfig

        return LoraConfig(
            r=self.lora_r,
            lora_alpha=self.lora_alpha,  # type: ignore[arg-type]  # peft takes a float
            lora_dropout=self.lora_dropout,
            target_modules=self.target_modules,
            task_type="CAUSAL_LM",
            bias="none",
        )

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
        """Train a LoRA on ``dataset`` (JSONL as ``ascope_nb.export`` writes it).

        ``method`` is ``"sft"`` (``trl-sft``), ``"dpo"`` (``trl-dpo``), ``"kto"``
        (``trl-kto``) or ``"grpo"`` (a JSONL of tasks for ``workflow_func``). Every sample is
        checked before the model loads; a problem is one ``TrainDataError`` line naming the
        file and the line. ``resume_from`` is a checkpoint a stopped run left
        (``TrainResult.checkpoint_dir``).
        """
        dataset, output_dir = Path(dataset), Path(output_dir)
        if method == "grpo":
            from ._grpo import train_grpo

            return train_grpo(
                self,
                dataset,
                output_dir=output_dir,
                on_progress=on_progress,
                should_stop=should_stop,
                resume_from=resume_from,
            )
        if method not in ("sft", "dpo", "kto"):
            raise ConfigError(f"TRLBackend.train: unknown method {method!r} (sft, dpo, kto, grpo)")
        samples = read_samples(dataset, method=method)
        if resume_from is not None and not (Path(resume_from) / "trainer_state.json").is_file():
            raise ConfigError(
                f"resume_from {str(resume_from)!r} is not a training checkpoint "
                "(no trainer_state.json)"
            )
        require_train_extra()
        self._set_threads()
        model, tokenizer = load_student(self.base_model)
        check_tokens(samples, tokenizer, method=method, where=str(dataset))
        trainer, watch = self._trainer(
            method, samples, model, tokenizer, output_dir, on_progress, should_stop
        )
        started = time.monotonic()
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
        steps = int(trainer.state.global_step)
        checkpoint = output_dir / "checkpoints" / f"checkpoint-{steps}" if watch.stopped else None
        trainer.model.save_pretrained(str(output_dir))
        write_manifest(
            output_dir,
            base_model=self.base_model,
            method=method,
            dataset=str(dataset),
            dataset_sha256=file_sha256(dataset),
            samples=len(samples),
            steps=steps,
            total_steps=int(trainer.state.max_steps),
            final_loss=watch.last_loss,
            stopped=watch.stopped,
            lora_r=self.lora_r,
            lora_alpha=self.lora_alpha,
            learning_rate=self.learning_rate,
            train_seconds=round(time.monotonic() - started, 3),
            checkpoint=str(checkpoint) if checkpoint else None,
        )
        return TrainResult(
            adapter_dir=output_dir,
            method=method,
            steps=steps,
            stopped=watch.stopped,
            final_loss=watch.last_loss,
            base_model=self.base_model,
            checkpoint_dir=checkpoint,
            metrics=dict(watch.metrics),
        )

    def _set_threads(self) -> None:
        import torch

        if self.threads:
            torch.set_num_threads(self.threads)

    def _trainer(
        self,
        method: str,
        samples: list[dict[str, Any]],
        model: Any,
        tokenizer: Any,
        output_dir: Path,
        on_progress: Callable[[TrainProgress], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> tuple[Any, Any]:
        import trl
        from datasets import Dataset

        from ._trl_callback import StepWatch, progress_callback

        common: dict[str, Any] = {
            "output_dir": str(output_dir / "checkpoints"),
            "max_steps": self.max_steps or -1,
            "num_train_epochs": self.epochs,
            "per_device_train_batch_size": self.batch_size,
            "gradient_accumulation_steps": self.grad_accum,
            "learning_rate": self.learning_rate,
            "lr_scheduler_type": self.lr_scheduler,
            "logging_steps": 1,
            "save_strategy": "no",
            "report_to": "none",
            "use_cpu": True,
            "bf16": False,
            "fp16": False,
            "seed": self.seed,
            "dataloader_num_workers": 0,
            "disable_tqdm": True,
            # short samples on a CPU: memory is not the limit, recomputing activations would
            # only cost time (TRL turns checkpointing on by default)
            "gradient_checkpointing": False,
            "max_length": self.max_length,
        }
        config_type = {"sft": trl.SFTConfig, "dpo": trl.DPOConfig, "kto": trl.KTOConfig}[method]
        if method in ("dpo", "kto"):
            common["beta"] = self.beta
        trainer_type = {"sft": trl.SFTTrainer, "dpo": trl.DPOTrainer, "kto": trl.KTOTrainer}[method]
        watch = StepWatch()
        callback = progress_callback(watch=watch, on_progress=on_progress, should_stop=should_stop)
        trainer = trainer_type(
            model=model,
            args=config_type(**common),
            train_dataset=Dataset.from_list(
                [rendered_row(row, tokenizer, keys=ANSWER_KEYS[method]) for row in samples]
            ),
            processing_class=tokenizer,
            peft_config=self.lora_config(),
            callbacks=[callback],
        )
        from transformers.trainer_callback import PrinterCallback, ProgressCallback

        for noisy in (PrinterCallback, ProgressCallback):  # progress goes to on_progress
            trainer.remove_callback(noisy)
        return trainer, watch


def _implements_the_contract(backend: TRLBackend) -> TrainingBackend:
    return backend  # mypy checks TRLBackend against the TrainingBackend protocol here
