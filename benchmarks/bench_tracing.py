"""Tracing overhead per ReAct step: tracing off vs on (batch span processor, content off).

Each measurement is a fresh process (``--child MODE``), modes alternate, the table shows
medians. A zero-latency model asks for one trivial tool call per step until ``--steps``
calls are done, then answers; one reply = steps + 1 model calls. With tracing on, spans go
through the SDK's ``BatchSpanProcessor`` to an exporter that drops them (the network is not
measured). With tracing off the child also reports whether any ``opentelemetry`` module
was imported (the target: none).

Targets (printed, never asserted): CPU time per step on ≤ 1.2 × off (CPU time, not wall
time: on a shared machine wall time mostly measures the neighbours); off imports no
OpenTelemetry. Wall time is printed too.

``--instructions`` adds a count of the machine instructions per step (valgrind's
cachegrind, ``PYTHONHASHSEED=0``, median of 3): the work tracing adds, much less affected
by what else the machine runs (CPU time on a shared machine varies by ±10 % between
identical processes). Per step = (count of a reply of ``--steps`` steps − count of a
one-step reply) / steps.

Usage:
    python benchmarks/bench_tracing.py                    # full run (about a minute)
    python benchmarks/bench_tracing.py --instructions     # + instruction counts (~4 min more)
    python benchmarks/bench_tracing.py --steps 20 --repeats 1   # smoke
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _agent(steps: int) -> Any:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.model import ChatModelBase, ChatResponse, ChatUsage

    class ZeroLatency(ChatModelBase):
        def __init__(self) -> None:
            super().__init__("zero", stream=False)
            self.calls = 0

        async def __call__(
            self, messages: Any, tools: Any = None, tool_choice: Any = None, **kw: Any
        ) -> ChatResponse:
            self.calls += 1
            usage = ChatUsage(input_tokens=10, output_tokens=2, time=0.0)
            if self.calls <= steps:
                block = {
                    "type": "tool_use",
                    "id": f"c{self.calls}",
                    "name": "echo",
                    "input": {"x": self.calls},
                }
                return ChatResponse(content=[block], usage=usage)  # type: ignore[list-item]
            return ChatResponse(content=[{"type": "text", "text": "done"}], usage=usage)

    def echo(x: int) -> str:
        """Echo.

        Args:
            x: A number.
        """
        return str(x)

    agent = ReActAgent("Bench", "s", ZeroLatency(), OpenAIChatFormatter(), max_iters=steps + 5)
    agent.toolkit.register_tool_function(echo)
    agent.set_console_output_enabled(False)
    return agent


def child(mode: str, steps: int) -> dict[str, Any]:
    """One measurement in this process: µs per step of one reply of ``steps`` + 1 steps."""
    from ascope_nb.message import Msg

    if mode == "on":
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            SpanExporter,
            SpanExportResult,
        )

        class Drop(SpanExporter):
            exported = 0

            def export(self, spans: Any) -> SpanExportResult:
                Drop.exported += len(spans)
                return SpanExportResult.SUCCESS

        from ascope_nb.tracing import instrument, shutdown_tracing

        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(Drop()))
        instrument(tracer_provider=provider, capture_content=False)
    warm = _agent(3)
    asyncio.run(warm(Msg("user", "go", "user")))  # imports and caches warm
    if mode == "on":
        provider.force_flush()
        Drop.exported = 0
    agent = _agent(steps)
    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(agent(Msg("user", "go", "user")))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    out: dict[str, Any] = {
        "us_per_step": wall / (steps + 1) * 1e6,
        "cpu_us_per_step": cpu / (steps + 1) * 1e6,
    }
    if mode == "on":
        provider.force_flush()
        out["spans"] = Drop.exported
        shutdown_tracing()
    out["otel_modules"] = sum(1 for m in sys.modules if m.startswith("opentelemetry"))
    return out


def measure(mode: str, steps: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--steps", str(steps)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def instructions(mode: str, steps: int) -> int:
    """Instructions executed by one child process (valgrind, deterministic hashing)."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
        + [sys.executable, __file__, "--child", mode, "--steps", str(steps)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output: {done.stderr[-300:]!r}")
    return int(found.group(1).replace(",", ""))


def instruction_row(steps: int, repeats: int = 3) -> str:
    """Median over ``repeats`` of (count of a ``steps``-step reply − a one-step reply) / steps.

    Under valgrind the worker threads of the tool calls still interleave by the clock, so
    single counts vary by a few per cent; the median of three is stable to about 1 %.
    """
    per_step: dict[str, list[float]] = {"off": [], "on": []}
    for i in range(repeats):
        for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
            per_step[mode].append((instructions(mode, steps) - instructions(mode, 0)) / steps)
    off, on = statistics.median(per_step["off"]), statistics.median(per_step["on"])
    added = statistics.median(b - a for a, b in zip(per_step["off"], per_step["on"], strict=True))
    runs = ", ".join(
        f"{a / 1e3:,.0f}/{b / 1e3:,.0f}"
        for a, b in zip(per_step["off"], per_step["on"], strict=True)
    )
    return (
        f"| step_instr | instructions per ReAct step (thousands; runs off/on: {runs}; "
        f"tracing adds {added / 1e3:,.0f}, the median of the runs' differences) | "
        f"{off / 1e3:,.0f} | {on / 1e3:,.0f} | {on / off:.3f} |  |  |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--child", choices=["off", "on"])
    parser.add_argument("--instructions", action="store_true", help="also count instructions")
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    if args.child:
        print(json.dumps(child(args.child, args.steps)))
        return
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for i in range(args.repeats):
        for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
            runs[mode].append(measure(mode, args.steps))
    off = statistics.median(r["us_per_step"] for r in runs["off"])
    on = statistics.median(r["us_per_step"] for r in runs["on"])
    cpu_off = statistics.median(r["cpu_us_per_step"] for r in runs["off"])
    cpu_on = statistics.median(r["cpu_us_per_step"] for r in runs["on"])
    ratio = cpu_on / cpu_off
    otel_off = max(r["otel_modules"] for r in runs["off"])
    spans = runs["on"][0].get("spans", 0)
    print(
        f"steps per reply: {args.steps + 1}, repeats: {args.repeats}, spans per traced reply: {spans}"
    )
    print()
    print("| id | measure | tracing off | tracing on | ratio | target | result |")
    print("|---|---|---|---|---|---|---|")
    verdict = "PASS" if ratio <= 1.2 else "FAIL"
    print(
        f"| step_cpu | CPU µs per ReAct step | {cpu_off:,.0f} | {cpu_on:,.0f} | {ratio:.3f} | ≤ 1.2 | {verdict} |"
    )
    print(
        f"| step_wall |   wall µs per ReAct step | {off:,.0f} | {on:,.0f} | {on / off:.3f} |  |  |"
    )
    if args.instructions:
        print(instruction_row(args.steps))
    verdict = "PASS" if otel_off == 0 else "FAIL"
    print(
        f"| import | opentelemetry modules loaded | {otel_off} | {runs['on'][0]['otel_modules']} |  | off: 0 | {verdict} |"
    )


if __name__ == "__main__":
    main()
