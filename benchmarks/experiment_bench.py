"""Experiments at scale (issue 16 benchmark).

1. ``experiment()`` over N samples (default 1,000) with a model that answers after 0.2 s,
   concurrency 64, a live ExperimentView attached to a recording comm: wall time against the
   ideal N / 64 × 0.2 s (target ≤ 1.15×), resident memory at each quarter of the run (flat
   = the same KB per finished sample), and the most comm messages sent in any one second
   (target ≤ 30). Every sample is stored in a temporary run store, as in a notebook.
2. The same on ``backend="ray"`` (``--ray-samples``, default 200; a local Ray started before
   the clock starts): wall time and the overhead per sample beyond the ideal.
3. AgentScope 1.0.21's ``GeneralEvaluator`` against ours on the same scenario through the
   AgentScope API (``_eval_side.py``, ``--as-tasks`` tasks, n_workers=64), as a ratio;
   AgentScope is installed on first use into ``benchmarks/.venv-agentscope``.

Run: ``python benchmarks/experiment_bench.py [--samples 1000] [--ray-samples 200] [--as-tasks 100]``
(``--ray-samples 0`` / ``--as-tasks 0`` skip those parts; ``--profile FILE`` writes a cProfile
of the asyncio part, ``python -m pstats FILE`` reads it). The asyncio part also reports the
process CPU time per sample and the time the event loop spent in garbage collection.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
os.environ.setdefault(
    "ASCOPE_STORE", os.path.join(tempfile.mkdtemp(prefix="ascope-bench-"), "runs.sqlite")
)


def rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class RecordingComm:
    """Stands in for the kernel's comm: keeps the time of every message sent."""

    comm_id = "bench"
    kernel = object()

    def __init__(self) -> None:
        self.times: list[float] = []

    def send(self, data: dict[str, Any], buffers: Any = None, **kw: Any) -> None:
        self.times.append(time.perf_counter())

    def on_msg(self, callback: Any) -> None:
        self.handler = callback

    def close(self, *a: Any, **kw: Any) -> None:
        pass


def _answer_after(delay: float) -> Any:
    from ascope_nb.testing import FunctionModel

    async def answer(messages: list[dict[str, Any]], tools: Any) -> str:
        await asyncio.sleep(delay)
        return "42"

    model = FunctionModel(answer)
    model.calls = _NoLog()  # a real model client keeps no log of its calls: no memory growth
    return model


class _NoLog(list):  # type: ignore[type-arg]
    """A call log that keeps nothing."""

    def append(self, item: Any) -> None:
        pass


class GCPauses:
    """The garbage collector's runs by generation and the time they took (they stop the loop)."""

    def __init__(self) -> None:
        self.seconds, self.runs, self._start = 0.0, [0, 0, 0], 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.runs[info["generation"]] += 1


async def run_experiment(n: int, concurrency: int, delay: float, backend: str) -> dict[str, Any]:
    import pandas  # noqa: F401  (a notebook has these loaded before its first experiment)

    import ascope_nb.evaluate._asyncio_backend  # noqa: F401
    import ascope_nb.evaluate._view  # noqa: F401
    import ascope_nb.store
    from ascope_nb import ReActAgent
    from ascope_nb.evaluate import experiment

    agent = ReActAgent("Bench", "s", _answer_after(delay))
    agent.set_console_output_enabled(False)
    rows = [{"id": f"s{i}", "input": f"q{i}", "target": 42} for i in range(n)]
    ascope_nb.store.default_store()  # opened by the notebook's first run, as the imports are
    if backend == "ray":  # Ray's own start-up (tens of seconds) is not a per-sample cost
        from ascope_nb.evaluate._ray_pool import ensure_ray

        ensure_ray()
    # the imports above leave the collector a debt that its next full pass pays (a tenth of a
    # second here, whoever allocates next); a notebook that ran a while has paid it already
    gc.collect()
    before = rss_kb()
    pauses = GCPauses()
    gc.callbacks.append(pauses)
    cpu = time.process_time()
    start = time.perf_counter()
    exp = experiment(
        agent=agent,
        dataset=rows,
        metrics=["numeric"],
        concurrency=concurrency,
        backend=backend,
        name=f"bench-{backend}-{int(start)}",
    )
    comm = RecordingComm()
    view = exp.view
    view.comm = comm  # type: ignore[assignment]
    marks: dict[int, int] = {}
    while not exp.done:
        quarter = exp.finished * 4 // n
        if quarter and quarter not in marks:
            marks[quarter] = rss_kb() - before
        await asyncio.sleep(0.02)
    await exp
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    gc.callbacks.remove(pauses)
    marks[4] = rss_kb() - before
    per_second = Counter(int(t - start) for t in comm.times)
    ideal = n / concurrency * delay
    return {
        "backend": backend,
        "samples": n,
        "wall": wall,
        "ideal": ideal,
        "ratio": wall / ideal,
        "overhead_ms_per_sample": (wall - ideal) / n * 1000,
        "cpu_ms_per_sample": cpu / n * 1000,
        "gc_pauses": pauses.runs,
        "gc_seconds": round(pauses.seconds, 3),
        "rss_growth_mb_by_quarter": {q: round(kb / 1024, 1) for q, kb in sorted(marks.items())},
        "rss_kb_per_sample_after_first_quarter": round(
            (marks[4] - marks.get(1, 0)) / max(1, n - n // 4), 1
        ),
        "max_comm_msgs_per_second": max(per_second.values()) if per_second else 0,
        "status": exp.status,
        "mean": exp.summary()["mean"].tolist(),
    }


def agentscope_side(tasks: int, workers: int, delay: float) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from core_bench import agentscope_python

    results = {}
    for framework, python in (
        ("ascope_nb", sys.executable),
        ("agentscope", str(agentscope_python(HERE / ".venv-agentscope"))),
    ):
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        if framework == "ascope_nb":
            env["PYTHONPATH"] = str(HERE.parent)
        cmd = [
            python,
            str(HERE / "_eval_side.py"),
            f"--framework={framework}",
            f"--tasks={tasks}",
            f"--workers={workers}",
            f"--sleep={delay}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE)
        if done.returncode != 0:
            raise SystemExit(f"{framework} side failed:\n{done.stderr[-3000:]}")
        results[framework] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--ray-samples", type=int, default=200)
    parser.add_argument("--as-tasks", type=int, default=100)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the asyncio part into FILE")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    result = asyncio.run(run_experiment(args.samples, args.concurrency, args.delay, "asyncio"))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(json.dumps(result))
    verdict = (
        "PASS" if result["ratio"] <= 1.15 and result["max_comm_msgs_per_second"] <= 30 else "FAIL"
    )
    print(
        f"asyncio: {result['samples']} samples in {result['wall']:.2f} s, ideal {result['ideal']:.2f} s, "
        f"ratio {result['ratio']:.3f}, max {result['max_comm_msgs_per_second']} comm msgs/s, "
        f"CPU {result['cpu_ms_per_sample']:.2f} ms/sample, GC {result['gc_seconds']:.3f} s "
        f"in {result['gc_pauses']} runs (gen 0/1/2), RSS growth by quarter "
        f"{result['rss_growth_mb_by_quarter']} MB -> {verdict}"
    )
    if args.ray_samples:
        ray_result = asyncio.run(
            run_experiment(args.ray_samples, args.concurrency, args.delay, "ray")
        )
        print(json.dumps(ray_result))
        print(
            f"ray: {ray_result['samples']} samples in {ray_result['wall']:.2f} s (ideal {ray_result['ideal']:.2f} s), "
            f"{ray_result['overhead_ms_per_sample']:.1f} ms overhead per sample"
        )
    if args.as_tasks:
        sides = agentscope_side(args.as_tasks, args.concurrency, args.delay)
        ours, theirs = sides["ascope_nb"]["wall"], sides["agentscope"]["wall"]
        print(json.dumps(sides))
        print(
            f"GeneralEvaluator, {args.as_tasks} tasks, n_workers={args.concurrency}: ascope_nb {ours:.2f} s, "
            f"AgentScope 1.0.21 {theirs:.2f} s, ratio {ours / theirs:.3f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
