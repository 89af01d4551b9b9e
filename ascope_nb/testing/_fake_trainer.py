"""A deterministic training backend and the model its adapters make, for tests and tutorials.

``FakeTrainingBackend`` implements ``ascope_nb.tuner``'s ``TrainingBackend`` contract without
torch: one step per row (times ``epochs``), a loss that falls by a fixed factor each step,
``should_stop`` checked after every step (stopping writes ``checkpoint-<step>/``, which
``resume_from`` continues to the same total), and an adapter folder with a manifest. The
"adapter" memorises the completions it was trained on: ``adapted_model(base, adapter_dir)``
answers a prompt it was trained on with the trained completion and leaves every other
prompt to ``base``, so an experiment before and after training shows a real change.

Example:
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> work = Path(tempfile.mkdtemp())
    >>> row = {"prompt": [{"role": "user", "content": "hi"}],
    ...        "completion": [{"role": "assistant", "content": "hello"}]}
    >>> _ = (work / "d.jsonl").write_text(json.dumps(row) + "\\n")
    >>> result = FakeTrainingBackend(epochs=3).train(work / "d.jsonl", method="sft", output_dir=work / "out")
    >>> result.steps, round(result.final_loss, 3)
    (3, 1.024)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..tuner._progress import TrainMethod, TrainProgress, TrainResult
from ._models import FunctionModel, tool_call

ADAPTER_MARKER = "fake_adapter.json"


class FakeTrainingBackend:
    """Trains nothing, deterministically: ``loss = start_loss * decay**step``.

    Args:
        epochs: passes over the rows (one step per row per epoch).
        total_steps: a fixed number of steps instead (rows are cycled).
        step_seconds: sleep per step (lets a test press Stop mid-training).
        base_model: the name written to the adapter and the result.
        fail_at_step: raise ``RuntimeError`` at this step (the fault tests' broken backend).
    """

    def __init__(
        self,
        *,
        epochs: int = 1,
        total_steps: int | None = None,
        step_seconds: float = 0.0,
        base_model: str = "fake-base",
        start_loss: float = 2.0,
        decay: float = 0.8,
        fail_at_step: int | None = None,
    ) -> None:
        self.epochs, self.total_steps, self.step_seconds = epochs, total_steps, step_seconds
        self.base_model, self.start_loss, self.decay = base_model, start_loss, decay
        self.fail_at_step = fail_at_step
        self.calls: list[dict[str, Any]] = []

    def loss_at(self, step: int) -> float:
        return self.start_loss * self.decay**step

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
        rows = [json.loads(line) for line in Path(dataset).read_text().splitlines() if line.strip()]
        if not rows:
            raise ValueError(f"dataset {str(dataset)!r} has no rows")
        total = self.total_steps or len(rows) * self.epochs
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        start = 0
        if resume_from is not None:
            state = json.loads((Path(resume_from) / "state.json").read_text())
            start, total = int(state["step"]), int(state["total_steps"])
        self.calls.append({"dataset": str(dataset), "method": method, "resume_from": resume_from})
        began = time.monotonic()
        step, loss = start, self.loss_at(start) if start else None
        while step < total:
            step += 1
            if self.fail_at_step is not None and step == self.fail_at_step:
                raise RuntimeError(f"fake backend failed at step {step}")
            if self.step_seconds:
                time.sleep(self.step_seconds)
            loss = self.loss_at(step)
            if on_progress is not None:
                on_progress(
                    TrainProgress(
                        step=step, total_steps=total, loss=loss,
                        elapsed_s=time.monotonic() - began, epoch=step / max(len(rows), 1),
                    )
                )  # fmt: skip
            if step < total and should_stop is not None and should_stop():
                checkpoint = output_dir / f"checkpoint-{step}"
                checkpoint.mkdir(exist_ok=True)
                state = {"step": step, "total_steps": total, "loss": loss}
                (checkpoint / "state.json").write_text(json.dumps(state))
                return self._result(output_dir, rows, method, step, True, loss, checkpoint)
        return self._result(output_dir, rows, method, step, False, loss, None)

    def _result(
        self,
        output_dir: Path,
        rows: list[dict[str, Any]],
        method: TrainMethod,
        steps: int,
        stopped: bool,
        loss: float | None,
        checkpoint: Path | None,
    ) -> TrainResult:
        adapter = output_dir / "adapter"
        adapter.mkdir(exist_ok=True)
        memory = [
            {"key": prompt_key(row["prompt"]), "completion": row.get("completion") or row.get("chosen")}
            for row in rows
            if isinstance(row.get("prompt"), list) and (row.get("completion") or row.get("chosen"))
            and row.get("label", True) is not False
        ]  # fmt: skip
        (adapter / ADAPTER_MARKER).write_text(
            json.dumps(
                {"base_model": self.base_model, "method": method, "steps": steps, "memory": memory}
            )
        )
        return TrainResult(
            adapter_dir=adapter, method=method, steps=steps, stopped=stopped, final_loss=loss,
            base_model=self.base_model, checkpoint_dir=checkpoint,
        )  # fmt: skip


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return "" if content is None else str(content)


def _args(arguments: Any) -> Any:
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def prompt_key(messages: list[dict[str, Any]]) -> str:
    """A prompt's identity, ignoring ids and the system prompt: each message's role, text
    and tool calls (name and arguments).

    Example:
        >>> prompt_key([{"role": "system", "content": "x"}, {"role": "user", "content": "hi"}])
        '[["user","hi",[]]]'
    """
    out = []
    for msg in messages:
        if msg.get("role") == "system":
            continue
        calls = [
            [c["function"]["name"], _args(c["function"].get("arguments"))]
            for c in msg.get("tool_calls") or []
        ]
        out.append([msg.get("role"), _text(msg.get("content")).strip(), calls])
    return json.dumps(out, separators=(",", ":"), sort_keys=True)


def adapted_model(
    base: Callable[[list[dict[str, Any]], Any], Any], adapter_dir: str | Path | None
) -> FunctionModel:
    """A model that answers as trained where the adapter saw the prompt, else as ``base``.

    ``base`` is a ``FunctionModel`` function ``f(messages, tools)``; with ``adapter_dir``
    None the model is the base model itself (the "before" side of a comparison).
    """
    memory: dict[str, list[dict[str, Any]]] = {}
    if adapter_dir is not None:
        data = json.loads((Path(adapter_dir) / ADAPTER_MARKER).read_text())
        memory = {item["key"]: item["completion"] for item in data["memory"]}

    def answer(messages: list[dict[str, Any]], tools: Any) -> Any:
        trained = memory.get(prompt_key(messages))
        if trained is None:
            return base(messages, tools)
        msg = trained[-1]
        calls = [
            tool_call(c["function"]["name"], **(_args(c["function"].get("arguments")) or {}))
            for c in msg.get("tool_calls") or []
        ]
        text = _text(msg.get("content"))
        return [*([text] if text else []), *calls] if calls else text

    return FunctionModel(answer, model_name="fake-adapted" if memory else "fake-base")


__all__ = ["FakeTrainingBackend", "adapted_model", "prompt_key"]
