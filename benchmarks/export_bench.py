"""Export cost per message at 10k / 50k / 100k messages: JSONL, inspect log and DataFrame.

Budgets: linear growth (flat µs per message) and the ``inspect`` log within 3x of
``openai`` per message.

Runs are built with the synthetic ReAct run builder (the agent's event shapes): each run
has a user message, 10 tool-calling steps (assistant + tool result) and a final answer,
so 22 messages a run. Timings include folding events into records.

    python benchmarks/export_bench.py            # 10k, 50k, 100k messages
    python benchmarks/export_bench.py 1000 5000  # other sizes
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # synthetic_runs

from synthetic_runs import SyntheticRun, tool_schema  # noqa: E402

from ascope_nb.events import Event  # noqa: E402
from ascope_nb.export import export, load_runs  # noqa: E402
from ascope_nb.export.parquet import messages_frame  # noqa: E402

STEPS = 10
PER_RUN = 2 + 2 * STEPS  # user + (assistant + tool) * steps + answer


def make_runs(n_messages: int) -> list[list[Event]]:
    tools = [tool_schema("add", a="integer", b="integer")]
    runs = []
    for i in range(max(1, n_messages // PER_RUN)):
        run = SyntheticRun(f"run{i}", user=f"Sum the numbers up to {i}.", tools=tools)
        for s in range(STEPS):
            run.step(text=f"Adding {s}.", calls=[("add", {"a": i, "b": s}, str(i + s))])
        run.answer(f"The sum is {i * STEPS}.")
        run.feedback(label="up" if i % 2 else "down")
        runs.append(run.finish())
    return runs


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best of ``repeat`` runs (the machine may be shared; the minimum is the cost)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(sizes: list[int]) -> None:
    print(
        f"{'messages':>9} {'fold':>9} {'openai':>9} {'trl-sft':>9} {'inspect':>9} {'frame':>9}"
        "   (µs per message)   inspect/openai"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for size in sizes:
            runs = make_runs(size)
            n = len(runs) * PER_RUN
            records = load_runs(runs)
            messages_frame(records[:1])  # import pandas and inspect_ai outside the timing
            export(records[:1], "inspect", out / "warm.eval")
            fold = timed(lambda r=runs: load_runs(r))  # type: ignore[misc]
            sft = timed(lambda r=records: export(r, "openai", out / "sft.jsonl"))  # type: ignore[misc]
            trl = timed(lambda r=records: export(r, "trl-sft", out / "trl.jsonl"))  # type: ignore[misc]
            log = timed(lambda r=records: export(r, "inspect", out / "runs.eval"))  # type: ignore[misc]
            frame = timed(lambda r=records: messages_frame(r))  # type: ignore[misc]
            per = [t / n * 1e6 for t in (fold, sft, trl, log, frame)]
            print(f"{n:>9} " + " ".join(f"{p:>9.2f}" for p in per) + f"   {log / sft:>14.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 50_000, 100_000])
