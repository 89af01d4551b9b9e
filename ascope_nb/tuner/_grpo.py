"""A small GRPO loop on the CPU: agent rollouts, group-relative advantages, a LoRA update.

Each step takes ``tasks_per_step`` tasks and runs the workflow function ``group_size`` times
on each (``run_rollout``: the agent answers with the student, a ``TransformersChatModel``
sampling at ``temperature``; the judge or the workflow gives the reward, e.g. an experiment
metric through ``metric_judge``). Rewards are normalised within each task's group
(``group_advantages``) and every model call of a rollout is pushed up or down by its
advantage: loss = -A * mean log p(completion tokens | prompt), plus ``grpo_beta`` times the
k3 KL estimate against the base model (the adapter switched off). One optimiser step per
GRPO step (on-policy, so no ratio clipping is needed).

Example:
    >>> group_advantages([1.0, 0.0, 0.5, 0.5], group_size=2)
    [1.0, -1.0, 0.0, 0.0]
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError
from ._manifest import file_sha256, write_manifest
from ._progress import TrainProgress, TrainResult
from ._rollout import run_rollout
from ._train_data import TrainDataError

# the backend is a ``TRLBackend`` (typed ``Any`` here: it imports this module when it trains)
TRLBackend = Any
STATE_FILE = "grpo_state.json"


def group_advantages(
    rewards: Sequence[float], *, group_size: int, eps: float = 1e-6
) -> list[float]:
    """Each reward minus its group's mean, over the group's standard deviation.

    Groups are consecutive runs of ``group_size`` rewards (one task's rollouts); a group
    whose rewards are all equal teaches nothing and gets zeros.
    """
    if group_size < 1 or len(rewards) % group_size:
        raise ValueError(f"{len(rewards)} rewards do not split into groups of {group_size}")
    out: list[float] = []
    for start in range(0, len(rewards), group_size):
        group = [float(r) for r in rewards[start : start + group_size]]
        mean = statistics.fmean(group)
        std = statistics.pstdev(group)
        out += [0.0 if std < eps else round((r - mean) / std, 6) for r in group]
    return out


def metric_judge(metric: Any, *, target: str = "answer", question: str = "question") -> Any:
    """A judge function scoring the response with an ``ascope_nb.evaluate`` metric.

    ``metric`` is what ``experiment(metrics=[...])`` takes (``"exact"``, ``"numeric"``,
    ``"contains"``, a ``MetricBase``, a function); the task's ``target`` column is its
    expected answer, so a rollout scores as the same experiment would score the run.

    Example:
        >>> import asyncio
        >>> judge = metric_judge("numeric")
        >>> asyncio.run(judge({"question": "2+2?", "answer": 4}, "It is 4.")).reward
        1.0
    """
    from ..evaluate import SolutionOutput
    from ..evaluate.metrics import metric_for
    from ._outputs import JudgeOutput

    async def judge(task: Any, response: Any) -> JudgeOutput:
        scorer = metric_for(metric, target=task.get(target), question=task.get(question, ""))
        result = await scorer(SolutionOutput(True, response, []))
        value = float(result.result) if isinstance(result.result, (int, float)) else 0.0
        return JudgeOutput(reward=value, metrics={scorer.name: value})

    judge.__qualname__ = f"metric_judge({getattr(metric, 'name', metric)!r})"
    return judge


def read_tasks(path: Path) -> list[dict[str, Any]]:
    """The tasks of a JSONL file (one JSON object a line), each problem one line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise TrainDataError(f"{path}: no such task file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainDataError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    tasks = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            task = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TrainDataError(f"{path}: line {number}: not JSON ({exc.msg})") from None
        if not isinstance(task, dict):
            raise TrainDataError(f"{path}: line {number}: a task is a JSON object")
        tasks.append(task)
    if not tasks:
        raise TrainDataError(f"{path}: empty dataset (no tasks to run)")
    return tasks


def train_grpo(
    backend: TRLBackend,
    dataset: Path,
    *,
    output_dir: Path,
    on_progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume_from: Path | None = None,
) -> TrainResult:
    """``TRLBackend.train(method="grpo")``: the tasks of ``dataset`` (JSONL)."""
    tasks = read_tasks(dataset)
    return run_grpo(
        backend,
        tasks,
        source=str(dataset),
        dataset_sha256=file_sha256(dataset),
        output_dir=output_dir,
        on_progress=on_progress,
        should_stop=should_stop,
        resume_from=resume_from,
    )


def run_grpo(
    backend: TRLBackend,
    tasks: Sequence[Mapping[str, Any]],
    *,
    source: str,
    dataset_sha256: str | None,
    output_dir: Path,
    on_progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume_from: Path | None = None,
) -> TrainResult:
    """Run the loop over ``tasks`` and write the adapter into ``output_dir``."""
    if backend.workflow_func is None:
        raise ConfigError(
            "method 'grpo' needs TRLBackend(workflow_func=...): the agent run on each task"
        )
    if not tasks:
        raise TrainDataError(f"{source}: empty dataset (no tasks to run)")
    from ._student import require_train_extra

    require_train_extra()
    import torch

    from ._hf_chat import TransformersChatModel

    backend._set_threads()
    torch.manual_seed(backend.seed)
    model, tokenizer, start = _policy(backend, resume_from)
    chat = TransformersChatModel(
        model,
        tokenizer,
        max_new_tokens=backend.max_new_tokens,
        temperature=backend.temperature,
    )
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=backend.learning_rate)
    if resume_from is not None and (Path(resume_from) / "optimizer.pt").is_file():
        optimizer.load_state_dict(torch.load(Path(resume_from) / "optimizer.pt"))
    per_epoch = math.ceil(len(tasks) / backend.tasks_per_step)
    total = backend.max_steps or max(1, math.ceil(per_epoch * backend.epochs))
    began = time.monotonic()
    step, loss_value, stopped, checkpoint = start, None, False, None
    metrics: dict[str, float] = {}
    while step < total:
        batch = [tasks[(step * backend.tasks_per_step + j) % len(tasks)] for j in range(
            backend.tasks_per_step
        )]  # fmt: skip
        rollouts = _rollouts(backend, chat, batch)
        rewards = [reward for reward, _, _ in rollouts]
        advantages = group_advantages(rewards, group_size=backend.group_size)
        loss, kl = _policy_loss(model, rollouts, advantages, beta=backend.grpo_beta)
        if loss is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        step += 1
        loss_value = float(loss.item()) if loss is not None else 0.0
        metrics = _step_metrics(rollouts, rewards, kl)
        if on_progress is not None:
            on_progress(
                TrainProgress(
                    step=step,
                    total_steps=total,
                    loss=loss_value,
                    elapsed_s=time.monotonic() - began,
                    epoch=step / per_epoch,
                    metrics=metrics,
                )
            )
        if step < total and should_stop is not None and should_stop():
            stopped = True
            checkpoint = output_dir / "checkpoints" / f"checkpoint-{step}"
            model.save_pretrained(str(checkpoint))
            torch.save(optimizer.state_dict(), checkpoint / "optimizer.pt")
            (checkpoint / STATE_FILE).write_text(json.dumps({"step": step}), encoding="utf-8")
            break
    model.save_pretrained(str(output_dir))
    write_manifest(
        output_dir,
        base_model=backend.base_model,
        method="grpo",
        dataset=source,
        dataset_sha256=dataset_sha256,
        samples=len(tasks),
        steps=step,
        total_steps=total,
        final_loss=loss_value,
        stopped=stopped,
        lora_r=backend.lora_r,
        lora_alpha=backend.lora_alpha,
        learning_rate=backend.learning_rate,
        group_size=backend.group_size,
        reward_mean=metrics.get("reward_mean"),
        checkpoint=str(checkpoint) if checkpoint else None,
    )
    return TrainResult(
        adapter_dir=output_dir,
        method="grpo",
        steps=step,
        stopped=stopped,
        final_loss=loss_value,
        base_model=backend.base_model,
        checkpoint_dir=checkpoint,
        metrics=metrics,
    )


def _policy(backend: TRLBackend, resume_from: Path | None) -> tuple[Any, Any, int]:
    """The student with a trainable LoRA (fresh, or the checkpoint's) and the step reached."""
    from peft import PeftModel, get_peft_model

    from ._student import load_student

    base, tokenizer = load_student(backend.base_model)
    if resume_from is None:
        return get_peft_model(base, backend.lora_config()), tokenizer, 0
    state_file = Path(resume_from) / STATE_FILE
    if not state_file.is_file():
        raise ConfigError(
            f"resume_from {str(resume_from)!r} is not a GRPO checkpoint (no {STATE_FILE})"
        )
    step = int(json.loads(state_file.read_text(encoding="utf-8"))["step"])
    model = PeftModel.from_pretrained(base, str(resume_from), is_trainable=True)
    return model, tokenizer, step


Rollout = tuple[float, dict[str, float], list[Any]]


def _rollouts(backend: TRLBackend, chat: Any, batch: Sequence[Mapping[str, Any]]) -> list[Rollout]:
    """``group_size`` rollouts of each task, in order; each with its recorded model calls."""

    async def all_rollouts() -> list[Rollout]:
        done: list[Rollout] = []
        for task in batch:
            for _ in range(backend.group_size):
                chat.recording = []
                reward, metrics, _ = await run_rollout(
                    task,
                    workflow_func=backend.workflow_func,  # type: ignore[arg-type]
                    judge_func=backend.judge_func,
                    model=chat,
                )
                done.append((float(reward), metrics, chat.recording))
                chat.recording = None
        return done

    return _run_sync(all_rollouts())


def _run_sync(coro: Coroutine[Any, Any, list[Rollout]]) -> list[Rollout]:
    """Run ``coro`` to the end from sync code, also when this thread has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="ascope-grpo-rollouts")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _policy_loss(
    model: Any, rollouts: list[Rollout], advantages: list[float], *, beta: float
) -> tuple[Any, float]:
    """The mean over rollouts of -A * mean token log-prob of its completions (+ beta * KL)."""
    import torch

    terms, kls = [], []
    model.train()
    for (_, _, generations), advantage in zip(rollouts, advantages, strict=True):
        if advantage == 0.0:
            continue
        for gen in generations:
            if not gen.completion_ids:
                continue
            logp = _token_logps(model, gen.prompt_ids, gen.completion_ids)
            term = -advantage * logp.mean()
            if beta > 0:
                with torch.no_grad(), model.disable_adapter():
                    ref = _token_logps(model, gen.prompt_ids, gen.completion_ids)
                diff = ref - logp
                kl = (torch.exp(diff) - diff - 1).mean()
                kls.append(float(kl.item()))
                term = term + beta * kl
            terms.append(term)
    if not terms:
        return None, 0.0
    return torch.stack(terms).mean(), (statistics.fmean(kls) if kls else 0.0)


def _token_logps(model: Any, prompt_ids: list[int], completion_ids: list[int]) -> Any:
    import torch

    ids = torch.tensor([prompt_ids + completion_ids])
    logits = model(input_ids=ids).logits[0, len(prompt_ids) - 1 : -1]
    logps = torch.log_softmax(logits.float(), dim=-1)
    return logps.gather(1, torch.tensor(completion_ids).unsqueeze(1)).squeeze(1)


def _step_metrics(rollouts: list[Rollout], rewards: list[float], kl: float) -> dict[str, float]:
    out = {
        "reward_mean": statistics.fmean(rewards),
        "reward_std": statistics.pstdev(rewards),
        "kl": kl,
        "completion_tokens": float(
            statistics.fmean(sum(len(g.completion_ids) for g in gens) for _, _, gens in rollouts)
        ),
    }
    names = {name for _, metrics, _ in rollouts for name in metrics}
    for name in sorted(names):
        values = [m[name] for _, m, _ in rollouts if name in m]
        out[f"rollout/{name}"] = statistics.fmean(values)
    return out
