"""The embedded local model: load time, tokens/s, RSS and a 4-task ReAct mini-eval.

Each task asks a question whose answer needs ``execute_python_code``; a task succeeds
when the expected number appears in the agent's final answer. Uses ``LocalModel``
(schema tool mode) with the pinned weights of ``--size``.

Example:
    $ python benchmarks/local_model_bench.py --size 1.5b --threads 2
    $ python benchmarks/local_model_bench.py --size 0.5b --json /tmp/half.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
import urllib.request
from typing import Any

TASKS = [
    ("What is 17 * 23? Use Python.", "391"),
    ("What is the sum of the integers from 1 to 100? Use Python.", "5050"),
    ("How many vowels (a, e, i, o, u) are in the word 'onomatopoeia'? Use Python.", "8"),
    ("What is the 10th Fibonacci number, with F1 = 1 and F2 = 1? Use Python.", "55"),
]
SYS_PROMPT = "You are a helpful assistant. Use tools when they help, then give a short answer."


def rss_mb() -> float:
    """Peak resident memory of this process in MB (weights are mmapped and counted)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speed(server: Any) -> dict[str, float]:
    """Prompt and generation tokens/s from llama.cpp's own timings for one request."""
    body = {
        "model": "local",
        "messages": [
            {"role": "user", "content": "Write a Python function that checks for primes."}
        ],
        "max_tokens": 128,
        "temperature": 0,
    }
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as reply:  # noqa: S310 - 127.0.0.1 only
        timings = json.loads(reply.read())["timings"]
    return {
        "prompt_tok_s": round(timings["prompt_per_second"], 1),
        "gen_tok_s": round(timings["predicted_per_second"], 1),
    }


async def run_task(model: Any, question: str, expected: str, max_iters: int) -> dict[str, Any]:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.message import Msg
    from ascope_nb.tool import Toolkit, execute_python_code

    toolkit = Toolkit()
    toolkit.register_tool_function(execute_python_code)
    agent = ReActAgent(
        name="Friday",
        sys_prompt=SYS_PROMPT,
        model=model,
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        max_iters=max_iters,
    )
    agent.set_console_output_enabled(False)
    started = time.monotonic()
    reply = await agent(Msg("user", question, "user"))
    answer = reply.get_text_content() or ""
    memory = await agent.memory.get_memory()
    calls = sum(len(m.get_content_blocks("tool_use")) for m in memory)
    return {
        "question": question,
        "expected": expected,
        "ok": expected in answer,
        "seconds": round(time.monotonic() - started, 1),
        "tool_calls": calls,
        "answer": answer[:200],
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from ascope_nb.model._local import LocalModel

    model = LocalModel(size=args.size, n_threads=args.threads, stream=True)
    started = time.monotonic()
    model.resolve_weights()
    weights_s = time.monotonic() - started
    server = await asyncio.to_thread(model.start)
    result: dict[str, Any] = {
        "size": args.size,
        "threads": server.n_threads,
        "weights_ready_s": round(weights_s, 1),
        "load_s": round(server.load_seconds, 1),
        **speed(server),
    }
    tasks = [await run_task(model, q, a, args.max_iters) for q, a in TASKS[: args.tasks]]
    result["tasks"] = tasks
    result["success"] = f"{sum(t['ok'] for t in tasks)}/{len(tasks)}"
    result["peak_rss_mb"] = round(rss_mb())
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1.5b", choices=["1.5b", "0.5b"])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tasks", type=int, default=len(TASKS))
    parser.add_argument("--max-iters", type=int, default=6)
    parser.add_argument("--json", help="also write the result here")
    ns = parser.parse_args()
    out = asyncio.run(main(ns))
    text = json.dumps(out, indent=2)
    print(text)
    if ns.json:
        with open(ns.json, "w") as fh:
            fh.write(text)
