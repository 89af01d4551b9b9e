"""Cost of the run store on the agent's side, and its write throughput.

Run: ``python benchmarks/store_write.py [--events 200000]``. Prints, for a SQLite file:
emit cost per event with and without an attached store, the writer's sustained
events/second, the cost of ``wait_durable`` after each step, and the checkpoint the writer
does after a run ends (so ``runs.sqlite`` alone holds the run).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from ascope_nb.events import RunContext, StepEnded, TextDelta
from ascope_nb.store import RunStore, wait_durable


def emit_deltas(run_id: str, n: int) -> float:
    ctx = RunContext(run_id)
    start = time.perf_counter()
    for _ in range(n):
        ctx.emit(TextDelta(agent="bench", msg_id="m", block_id="b", delta="token "))
    return time.perf_counter() - start


async def steps_with_durability(run_id: str, n_steps: int, deltas_per_step: int) -> float:
    ctx = RunContext(run_id)
    start = time.perf_counter()
    for step in range(n_steps):
        for _ in range(deltas_per_step):
            ctx.emit(TextDelta(agent="bench", msg_id="m", block_id="b", delta="token "))
        end = ctx.emit(StepEnded(agent="bench", step=step))
        await wait_durable(run_id, end.seq)
    return time.perf_counter() - start


def checkpoint_after_a_run(store: RunStore, repeat: int = 20) -> float:
    """Seconds of the PASSIVE checkpoint the writer does (off the agent's path, when idle)
    after a run of 10 steps x 20 deltas ends; the median of ``repeat`` runs."""
    times = []
    for i in range(repeat):
        store._conn.checkpoint()  # start from a merged -wal
        asyncio.run(steps_with_durability(f"ckpt{i}", 10, 20))
        assert store.flush()
        start = time.perf_counter()
        store._conn.checkpoint()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--steps", type=int, default=2_000)
    args = parser.parse_args()
    n = args.events
    bare = emit_deltas("bare", n)
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(str(Path(tmp) / "runs.sqlite")).attach()
        attached = emit_deltas("attached", n)
        t0 = time.perf_counter()
        assert store.flush(600)
        drain = time.perf_counter() - t0
        written = len(store.events("attached"))
        bare_steps = asyncio.run(steps_with_durability("nostore", 1, 1))  # warm-up
        store.detach()
        bare_steps = asyncio.run(steps_with_durability("nostore", args.steps, 20))
        store.attach()
        durable_steps = asyncio.run(steps_with_durability("durable", args.steps, 20))
        checkpoint = checkpoint_after_a_run(store)
        store.close()
    print(f"emit, no store:        {bare / n * 1e6:7.2f} us/event")
    print(f"emit, store attached:  {attached / n * 1e6:7.2f} us/event (agent side)")
    print(f"writer throughput:     {written / (attached + drain):9.0f} events/s ({written} events)")
    print(f"step (20 deltas), no store:               {bare_steps / args.steps * 1e6:8.1f} us")
    print(f"step (20 deltas) + wait_durable (SQLite): {durable_steps / args.steps * 1e6:8.1f} us")
    print(f"checkpoint after a 10-step run (writer):  {checkpoint * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
