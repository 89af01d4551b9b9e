"""Cost of the redaction layer per event.

Run: ``python benchmarks/redact_bench.py [--n 100000]``. Prints the cost of emitting a text
delta (the common event) with and without redaction, the cost of redacting a tool result
and a completed message, and of rebuilding the pattern when a secret is added, with 20
secret environment variables set.
"""

from __future__ import annotations

import argparse
import os
import time

from ascope_nb import redact
from ascope_nb.events import RunContext, TextDelta, ToolResult


def per_call(fn: object, n: int) -> float:
    """Best of three, in µs per call."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()  # type: ignore[operator]
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    n = parser.parse_args().n
    for i in range(20):
        os.environ[f"BENCH_SERVICE_{i}_TOKEN"] = f"bench-secret-value-{i:04d}-abcdef"
    redact.refresh()
    ctx = RunContext("bench")
    delta = "token "

    def emit() -> None:
        ctx.emit(TextDelta(agent="bench", msg_id="m", block_id="b", delta=delta))

    with_redaction = per_call(emit, n)
    import ascope_nb.events as events_module

    original = events_module.redact_event
    events_module.redact_event = lambda event: event  # type: ignore[assignment]
    without = per_call(emit, n)
    events_module.redact_event = original
    output = [{"type": "text", "text": "line of tool output with no secret\n" * 50}]
    tool = per_call(lambda: redact.redact_event(ToolResult(name="t", output=output)), n // 10)
    msg = {
        "id": "m",
        "role": "assistant",
        "content": [
            {"type": "text", "text": "An answer of a few sentences. " * 10},
            {"type": "tool_use", "id": "c", "name": "f", "input": {"a": 1, "q": "x" * 100}},
        ],
    }
    store_walk = per_call(lambda: redact.redact_keys(msg), n // 10)
    known = len(redact.secrets())
    start = time.perf_counter()
    for i in range(100):
        redact.register_secret(f"registered-key-number-{i:05d}")
    rebuild = (time.perf_counter() - start) / 100 * 1e3
    tool_many = per_call(lambda: redact.redact_event(ToolResult(name="t", output=output)), n // 10)
    print(f"emit a text delta, with redaction:    {with_redaction:7.2f} µs")
    print(f"emit a text delta, without redaction: {without:7.2f} µs")
    print(f"redact a 1.8 kB tool result event:    {tool:7.2f} µs ({known} secrets known)")
    print(f"  the same with {len(redact.secrets())} secrets known:     {tool_many:7.2f} µs")
    print(f"redact_keys of a message (store):     {store_walk:7.2f} µs")
    print(f"add a secret (pattern rebuilt):       {rebuild:7.3f} ms")


if __name__ == "__main__":
    main()
