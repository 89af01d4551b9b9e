"""Many agents on the embedded model at once: tokens/s at concurrency 1, 2, 4 with one slot
(the old server) and with several slots (continuous batching, a prompt cache per slot).

Each configuration runs in a fresh subprocess (a process keeps one server per weights file).
Every request gets its own prompt (no shared cache between them) and the same ``max_tokens``;
the prompts are the same for every configuration. Reported per configuration and
concurrency: generated tokens / wall time, and at concurrency 1 the time to the first token.

Targets (issue 33): at concurrency 4, several slots give >= 2x the one-slot throughput on 2
cores; the first token at concurrency 1 is unchanged. Run it on a quiet machine: other
processes on the same cores change every number.

Example:
    $ python benchmarks/local_concurrency_bench.py                      # 1 vs 4 slots, c = 1,2,4
    $ python benchmarks/local_concurrency_bench.py --size 0.5b --max-tokens 8 --concurrency 1,2 \\
          --slots 2 --json /tmp/conc.json                               # a quick smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from typing import Any

TOPICS = [
    "lighthouses",
    "tide pools",
    "paper airplanes",
    "sourdough bread",
    "bicycle gears",
    "honeybees",
    "glaciers",
    "chess openings",
]


def prompt(i: int) -> str:
    return f"Write a short paragraph about {TOPICS[i % len(TOPICS)]} for a ten-year-old."


async def one_request(client: Any, i: int, max_tokens: int) -> dict[str, float]:
    """Stream one completion; return its first-token time, wall time and tokens."""
    started = time.perf_counter()
    first = None
    tokens = 0
    stream = await client.chat.completions.create(
        model="local",
        messages=[{"role": "user", "content": prompt(i)}],
        max_tokens=max_tokens,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    async for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - started
        if chunk.usage is not None:
            tokens = chunk.usage.completion_tokens
    return {"ttft": first or 0.0, "wall": time.perf_counter() - started, "tokens": tokens}


async def measure(
    base_url: str, key: str, levels: list[int], max_tokens: int, repeats: int
) -> dict[str, Any]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key=key, max_retries=2, timeout=900)
    await one_request(client, 99, 4)  # load the graph, first-call costs out of the numbers
    out: dict[str, Any] = {}
    for level in levels:
        rates, ttfts = [], []
        for r in range(repeats):
            started = time.perf_counter()
            results = await asyncio.gather(
                *(one_request(client, r * level + i, max_tokens) for i in range(level))
            )
            wall = time.perf_counter() - started
            rates.append(sum(x["tokens"] for x in results) / wall)
            ttfts.append(min(x["ttft"] for x in results))
        out[str(level)] = {"tokens_per_s": max(rates), "first_token_s": min(ttfts)}
    await client.close()
    return out


def worker(args: argparse.Namespace) -> None:
    """One configuration in this process: print its numbers as one JSON line."""
    from ascope_nb.model import LocalModel

    model = LocalModel(
        size=args.size,
        n_threads=args.threads,
        n_ctx=args.n_ctx,
        n_slots=args.worker_slots,
        verbosity=0,
    )
    started = time.perf_counter()
    server = model.start()
    load = time.perf_counter() - started
    levels = [int(x) for x in args.concurrency.split(",")]
    numbers = asyncio.run(
        measure(server.base_url, server.api_key, levels, args.max_tokens, args.repeats)
    )
    print(json.dumps({"slots": args.worker_slots, "load_s": load, "levels": numbers}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1.5b", choices=["1.5b", "0.5b"])
    parser.add_argument("--slots", type=int, default=4, help="the multi-slot configuration")
    parser.add_argument("--concurrency", default="1,2,4")
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=2, help="best of N per level")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--n-ctx", type=int, default=2048, help="per slot")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--worker-slots", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_slots is not None:
        worker(args)
        return
    results = []
    for slots in (1, args.slots):
        command = [sys.executable, __file__, "--worker-slots", str(slots)]
        for flag in ("size", "concurrency", "max_tokens", "repeats", "threads", "n_ctx"):
            value = getattr(args, flag)
            if value is not None:
                command += [f"--{flag.replace('_', '-')}", str(value)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the {slots}-slot run failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    one, many = results
    print(f"{'slots':>5} {'conc':>4} {'tok/s':>8} {'first token s':>14}")
    for r in results:
        for level, n in r["levels"].items():
            print(
                f"{r['slots']:>5} {level:>4} {n['tokens_per_s']:>8.2f} {n['first_token_s']:>14.3f}"
            )
    top = max(one["levels"], key=int)
    ratio = many["levels"][top]["tokens_per_s"] / max(one["levels"][top]["tokens_per_s"], 1e-9)
    ttft = (
        many["levels"]["1"]["first_token_s"] / max(one["levels"]["1"]["first_token_s"], 1e-9)
        if "1" in one["levels"]
        else float("nan")
    )
    print(f"throughput at concurrency {top}: {ratio:.2f}x with {args.slots} slots (target >= 2x)")
    print(f"first token at concurrency 1: {ttft:.2f}x of one slot (target ~1x)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"results": results, "ratio": ratio, "ttft_ratio": ttft}, fh, indent=2)


if __name__ == "__main__":
    main()
