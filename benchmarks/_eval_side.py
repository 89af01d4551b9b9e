"""The evaluator scenario inside one framework (ascope_nb or AgentScope 1.0.21): prints JSON.

``GeneralEvaluator(n_workers=W)`` over N tasks whose solution runs a ReActAgent with a model
that answers after ``--sleep`` seconds; the same code for both frameworks (only the package
name differs). Started by ``experiment_bench.py``; standard library only.

Example:
    $ python benchmarks/_eval_side.py --framework ascope_nb --tasks 20 --workers 8
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import tempfile
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", required=True)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--sleep", type=float, default=0.2)
    args = parser.parse_args()
    fw = args.framework
    ev = importlib.import_module(f"{fw}.evaluate")
    agent_mod = importlib.import_module(f"{fw}.agent")
    model_mod = importlib.import_module(f"{fw}.model")
    formatter_mod = importlib.import_module(f"{fw}.formatter")
    message_mod = importlib.import_module(f"{fw}.message")

    class SleepyModel(model_mod.ChatModelBase):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__("sleepy", False)

        async def __call__(
            self, messages: Any, tools: Any = None, tool_choice: Any = None, **kw: Any
        ) -> Any:
            await asyncio.sleep(args.sleep)
            return model_mod.ChatResponse(content=[{"type": "text", "text": "42"}])

    class Exact(ev.MetricBase):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__(
                name="exact", metric_type=ev.MetricType.NUMERICAL, description="", categories=None
            )

        async def __call__(self, solution: Any) -> Any:
            return ev.MetricResult(name="exact", result=1.0 if solution.output == "42" else 0.0)

    class Bench(ev.BenchmarkBase):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__(name="b", description="")
            self.tasks = [
                ev.Task(id=f"t{i}", input="q", ground_truth="42", metrics=[Exact()])
                for i in range(args.tasks)
            ]

        def __iter__(self) -> Any:
            return iter(self.tasks)

        def __len__(self) -> int:
            return len(self.tasks)

        def __getitem__(self, i: int) -> Any:
            return self.tasks[i]

    async def solution(task: Any, pre_print_hook: Any) -> Any:
        agent = agent_mod.ReActAgent(
            name="A",
            sys_prompt="s",
            model=SleepyModel(),
            formatter=formatter_mod.OpenAIChatFormatter(),
        )
        if hasattr(agent, "set_console_output_enabled"):
            agent.set_console_output_enabled(False)
        else:
            agent.disable_console_output()
        reply = await agent(message_mod.Msg("user", task.input, "user"))
        return ev.SolutionOutput(success=True, output=reply.get_text_content(), trajectory=[])

    async def run() -> float:
        storage = ev.FileEvaluatorStorage(tempfile.mkdtemp())
        evaluator = ev.GeneralEvaluator(
            name="bench", benchmark=Bench(), n_repeat=1, storage=storage, n_workers=args.workers
        )
        start = time.perf_counter()
        await evaluator.run(solution)
        return time.perf_counter() - start

    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # AgentScope prints its aggregation
        wall = asyncio.run(run())
    print(json.dumps({"framework": fw, "tasks": args.tasks, "workers": args.workers, "wall": wall}))


if __name__ == "__main__":
    main()
