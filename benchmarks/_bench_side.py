"""One benchmark pass inside one framework; prints a JSON object as its last stdout line.

The same code runs against ``ascope_nb`` and against AgentScope 1.0.21: both expose the
same module paths and classes, so only the package name differs. ``core_bench.py`` starts
this script once per repetition and framework (AgentScope in its own virtualenv), so the
two are measured side by side with identical scenarios. Standard library only.

Example:
    $ python benchmarks/_bench_side.py --framework ascope_nb --steps 10,50 --adds 1000
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import statistics
import time
from types import SimpleNamespace
from typing import Any


def load(framework: str) -> SimpleNamespace:
    """The classes a scenario needs, imported from ``framework`` (same names in both)."""
    agent = importlib.import_module(f"{framework}.agent")
    model = importlib.import_module(f"{framework}.model")
    formatter = importlib.import_module(f"{framework}.formatter")
    tool = importlib.import_module(f"{framework}.tool")
    memory = importlib.import_module(f"{framework}.memory")
    pipeline = importlib.import_module(f"{framework}.pipeline")
    message = importlib.import_module(f"{framework}.message")
    return SimpleNamespace(
        ReActAgent=agent.ReActAgent,
        ChatModelBase=model.ChatModelBase,
        ChatResponse=model.ChatResponse,
        OpenAIChatFormatter=formatter.OpenAIChatFormatter,
        Toolkit=tool.Toolkit,
        ToolResponse=tool.ToolResponse,
        InMemoryMemory=memory.InMemoryMemory,
        MsgHub=pipeline.MsgHub,
        sequential_pipeline=pipeline.sequential_pipeline,
        fanout_pipeline=pipeline.fanout_pipeline,
        Msg=message.Msg,
    )


def build_classes(ns: SimpleNamespace) -> SimpleNamespace:
    """The benchmark's models and formatter, written once over either framework's bases."""

    class ToolLoopModel(ns.ChatModelBase):  # type: ignore[misc, name-defined]
        """Zero latency: a tool call until ``n_calls`` are done, then a text answer."""

        def __init__(self, n_calls: int) -> None:
            super().__init__("tool-loop", False)
            self.n_calls = n_calls
            self.done = 0

        async def __call__(
            self, messages: Any, tools: Any = None, tool_choice: Any = None, **kwargs: Any
        ) -> Any:
            if self.done < self.n_calls:
                self.done += 1
                call = {
                    "type": "tool_use",
                    "id": f"call_{self.done}",
                    "name": "noop",
                    "input": {"i": self.done},
                }
                return ns.ChatResponse(content=[call])
            return ns.ChatResponse(content=[{"type": "text", "text": "done"}])

    class TextModel(ns.ChatModelBase):  # type: ignore[misc, name-defined]
        """Answers a fixed text, optionally after ``delay`` seconds (``asyncio.sleep``)."""

        def __init__(self, text: str, delay: float = 0.0) -> None:
            super().__init__("text", False)
            self.text = text
            self.delay = delay

        async def __call__(
            self, messages: Any, tools: Any = None, tool_choice: Any = None, **kwargs: Any
        ) -> Any:
            if self.delay:
                await asyncio.sleep(self.delay)
            return ns.ChatResponse(content=[{"type": "text", "text": self.text}])

    class TimedFormatter(ns.OpenAIChatFormatter):  # type: ignore[misc, name-defined]
        """The framework's OpenAI formatter, adding up the seconds spent formatting."""

        def __init__(self) -> None:
            super().__init__()
            self.seconds = 0.0

        async def format(self, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await super().format(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

    def noop(i: int) -> Any:
        """Do nothing and say so.

        Args:
            i (int): The step number.
        """
        return ns.ToolResponse(content=[{"type": "text", "text": f"ok {i}"}])

    return SimpleNamespace(
        ToolLoopModel=ToolLoopModel, TextModel=TextModel, TimedFormatter=TimedFormatter, noop=noop
    )


def quiet(agent: Any) -> Any:
    agent.set_console_output_enabled(False)
    return agent


async def run_steps(ns: SimpleNamespace, cls: SimpleNamespace, n: int) -> dict[str, float]:
    """One agent reply with ``n`` tool calls (``n + 1`` ReAct steps)."""
    toolkit = ns.Toolkit()
    toolkit.register_tool_function(cls.noop)
    model = cls.ToolLoopModel(n)
    formatter = cls.TimedFormatter()
    agent = quiet(
        ns.ReActAgent(
            name="Bench",
            sys_prompt="You are a benchmark.",
            model=model,
            formatter=formatter,
            toolkit=toolkit,
            memory=ns.InMemoryMemory(),
            parallel_tool_calls=False,
            max_iters=n + 5,
        )
    )
    cpu_started, started = time.process_time(), time.perf_counter()
    reply = await agent(ns.Msg("user", "go", "user"))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started  # all threads; robust to a busy machine
    if model.done != n or reply.get_text_content() != "done":
        raise RuntimeError(f"steps scenario went wrong: {model.done} calls, reply {reply!r}")
    steps = n + 1
    return {
        "us_per_step": seconds / steps * 1e6,
        "us_per_step_excl_format": (seconds - formatter.seconds) / steps * 1e6,
        "cpu_us_per_step": cpu_seconds / steps * 1e6,
        "memory_size": float(len(await agent.memory.get_memory())),
    }


async def bench_steps(ns: SimpleNamespace, cls: SimpleNamespace, sizes: list[int]) -> dict:
    await run_steps(ns, cls, 5)  # warm-up: first-call costs (lazy imports, caches)
    out: dict[str, dict[str, float]] = {}
    for n in sizes:
        runs = [await run_steps(ns, cls, n) for _ in range(max(1, 400 // (n + 1)))]
        out[str(n)] = {
            key: statistics.median(r[key] for r in runs) for key in runs[0] if key != "memory_size"
        }
        out[str(n)]["memory_size"] = runs[0]["memory_size"]
    return out


async def bench_memory(ns: SimpleNamespace, count: int, budget: float) -> dict[str, float]:
    """``count`` distinct ``memory.add`` calls then one ``get_memory`` (stops at ``budget`` s)."""
    msgs = [ns.Msg("user", f"message {i}", "user") for i in range(count)]
    memory = ns.InMemoryMemory()
    done = 0
    started = time.perf_counter()
    for msg in msgs:
        await memory.add(msg)
        done += 1
        if done % 1000 == 0 and time.perf_counter() - started > budget:
            break
    got = await memory.get_memory()
    seconds = time.perf_counter() - started
    if len(got) != done:
        raise RuntimeError(f"memory scenario went wrong: {len(got)} of {done} messages")
    return {"seconds": seconds, "done": float(done), "count": float(count)}


async def bench_hub(ns: SimpleNamespace, cls: SimpleNamespace, n_agents: int) -> dict[str, float]:
    """One MsgHub round: announcement, then ``sequential_pipeline`` of ``n_agents`` agents."""

    def make() -> list[Any]:
        return [
            quiet(
                ns.ReActAgent(
                    name=f"Agent{i}",
                    sys_prompt=f"You are agent {i}.",
                    model=cls.TextModel(f"Hello from agent {i}."),
                    formatter=ns.OpenAIChatFormatter(),
                    memory=ns.InMemoryMemory(),
                )
            )
            for i in range(n_agents)
        ]

    async def round_once() -> float:
        agents = make()
        announcement = ns.Msg("Host", "Introduce yourselves.", "assistant")
        started = time.perf_counter()
        async with ns.MsgHub(participants=agents, announcement=announcement):
            await ns.sequential_pipeline(agents)
        seconds = time.perf_counter() - started
        seen = len(await agents[0].memory.get_memory())
        if seen != n_agents + 1:  # announcement + own reply + the others' replies
            raise RuntimeError(f"hub scenario went wrong: first agent holds {seen} messages")
        return seconds

    await round_once()
    return {"ms_per_round": statistics.median([await round_once() for _ in range(15)]) * 1e3}


async def bench_fanout(
    ns: SimpleNamespace, cls: SimpleNamespace, n_agents: int, delay: float
) -> dict[str, float]:
    """``fanout_pipeline`` over ``n_agents`` agents whose model sleeps ``delay`` s."""

    def make(count: int) -> list[Any]:
        return [
            quiet(
                ns.ReActAgent(
                    name=f"Worker{i}",
                    sys_prompt="You are a worker.",
                    model=cls.TextModel("finished", delay=delay),
                    formatter=ns.OpenAIChatFormatter(),
                    memory=ns.InMemoryMemory(),
                )
            )
            for i in range(count)
        ]

    async def once(count: int) -> float:
        agents = make(count)
        started = time.perf_counter()
        replies = await ns.fanout_pipeline(agents, ns.Msg("user", "work", "user"))
        seconds = time.perf_counter() - started
        if len(replies) != count or any(r.get_text_content() != "finished" for r in replies):
            raise RuntimeError("fanout scenario went wrong")
        return seconds

    await once(2)
    single = statistics.median([await once(1) for _ in range(3)])
    wall = statistics.median([await once(n_agents) for _ in range(3)])
    return {"wall_s": wall, "single_agent_s": single, "delay_s": delay}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    ns = load(args.framework)
    cls = build_classes(ns)
    sizes = [int(s) for s in args.steps.split(",") if s]
    return {
        "framework": args.framework,
        "steps": await bench_steps(ns, cls, sizes),
        "memory": await bench_memory(ns, args.adds, args.add_budget),
        "hub": await bench_hub(ns, cls, args.hub_agents),
        "fanout": await bench_fanout(ns, cls, args.fanout, args.sleep),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, choices=["ascope_nb", "agentscope"])
    parser.add_argument("--steps", default="10,50,200")
    parser.add_argument("--adds", type=int, default=100_000)
    parser.add_argument("--add-budget", type=float, default=15.0)
    parser.add_argument("--hub-agents", type=int, default=8)
    parser.add_argument("--fanout", type=int, default=16)
    parser.add_argument("--sleep", type=float, default=0.2)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)  # AgentScope logs at INFO/WARNING; keep stdout clean
    result = asyncio.run(main_async(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
