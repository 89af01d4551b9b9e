"""Forking from step 500 of a 1,000-step stored run (target: under 1 s).

A 1,000-step ReAct run (one tool call per step) is recorded into a fresh SQLite store by a
real agent on a ``FunctionModel``. Timed, best of ``--repeats``: ``load_run`` (read the
run's events from the store), ``fork(500)`` (fold them, rebuild the memory before step 500,
the agent and its tools, start the run), and the time until the fork's first model call
has its input, i.e. the whole "fork from here" latency. Prints a Markdown table.

Example:
    $ python benchmarks/fork_bench.py                       # 1,000 steps, fork at 500
    $ python benchmarks/fork_bench.py --steps 50 --at 25 --repeats 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["ASCOPE_STORE"] = str(Path(tempfile.mkdtemp(prefix="fork-bench-")) / "runs.sqlite")

import ascope_nb  # noqa: E402
from ascope_nb.agent import ReActAgent  # noqa: E402
from ascope_nb.store import default_store  # noqa: E402
from ascope_nb.testing import FunctionModel, tool_call  # noqa: E402
from ascope_nb.tool import Toolkit  # noqa: E402


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def _model(steps: int, first_call: asyncio.Event | None = None) -> FunctionModel:
    def answer(messages: list[dict[str, Any]], tools: Any) -> Any:
        if first_call is not None:
            first_call.set()
            return "Stopped here."
        done = sum(1 for m in messages if m.get("role") == "tool")
        if done < steps - 1:
            return ["Adding.", tool_call("add", a=done, b=1)]
        return f"Done after {done} additions."

    return FunctionModel(answer)


async def record(steps: int) -> str:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name="Counter",
        sys_prompt="Count with the add tool.",
        model=_model(steps),
        toolkit=toolkit,
        max_iters=steps + 1,
    )
    agent.set_console_output_enabled(False)
    run = ascope_nb.start(agent, "Count.")
    await run
    default_store().flush()
    return run.run_id


async def fork_once(run_id: str, at: int) -> tuple[float, float, float]:
    first = asyncio.Event()
    t0 = time.perf_counter()
    stored = ascope_nb.load_run(run_id)
    t1 = time.perf_counter()
    fork = stored.fork(at, model=_model(0, first), tools={"add": add})
    t2 = time.perf_counter()
    await first.wait()
    t3 = time.perf_counter()
    await fork
    return t1 - t0, t2 - t1, t3 - t0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--at", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    run_id = await record(args.steps)
    made = time.perf_counter() - started
    n_events = len(default_store().events(run_id))
    timings = [await fork_once(run_id, args.at) for _ in range(args.repeats)]
    load, fork, total = (min(t[i] for t in timings) * 1000 for i in range(3))
    verdict = "PASS" if total < 1000 else "FAIL"
    print(f"{args.steps}-step run, {n_events} events, recorded in {made:.1f} s; fork at {args.at}")
    print()
    print(f"| measure | ms (best of {args.repeats}) |")
    print("| --- | --- |")
    print(f"| `load_run(id)`: read the stored events | {load:.0f} |")
    print(f"| `.fork({args.at})`: fold, memory before step {args.at}, agent, start | {fork:.0f} |")
    print(f"| fork to its first model call (target < 1000) | {total:.0f} ({verdict}) |")


if __name__ == "__main__":
    asyncio.run(main())
