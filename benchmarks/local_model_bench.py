"""The embedded local model: load time, tokens/s, RSS, a 4-task ReAct mini-eval, and the
latency a person sees after the agent is warm.

Each task asks a question whose answer needs ``execute_python_code``; a task succeeds
when the expected number appears in the agent's final answer. Uses ``LocalModel``
(schema tool mode) with the pinned weights of ``--size``.

Latency (``--latency N``): N times, a fresh agent (``make_agent``, which warms the
system prompt + tools prefix), waited until ready, then "What is 17 * 23? Use Python."
from the call to the server's first token and to the answer, with per-step prompt and
generation speed and how many prompt tokens came from llama.cpp's cache. Overhead: the
same requests (rebuilt from the agent's memory, same seed) sent again with plain HTTP,
model-call time in the package vs raw.

Example:
    $ python benchmarks/local_model_bench.py --size 1.5b --threads 2
    $ python benchmarks/local_model_bench.py --latency 5 --tasks 4 --json /tmp/warm.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
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


def post(server: Any, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Send one request like the package does (streamed); seconds and the last timings."""
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    timings: dict[str, Any] = {}
    with urllib.request.urlopen(request, timeout=600) as reply:  # noqa: S310 - 127.0.0.1 only
        for line in reply:
            if line.startswith(b"data: {"):
                timings = json.loads(line[6:]).get("timings") or timings
    return time.perf_counter() - started, timings


async def step_requests(agent: Any, model: Any) -> list[dict[str, Any]]:
    """The bodies the package sent for each step, rebuilt from the agent's memory."""
    from ascope_nb.model._schema_tools import response_format, schema_messages, step_schema

    delegate = model._delegate  # the SchemaToolModel over the OpenAIChatModel
    tools = agent.toolkit.get_json_schemas()
    memory = await agent.memory.get_memory()
    bodies, upto = [], [i for i, m in enumerate(memory) if m.role == "assistant"]
    for end in upto:
        formatted = await agent.formatter.format([agent._system_msg(), *memory[:end]])
        messages = schema_messages(formatted, tools, said=delegate._said)
        body = delegate.inner._build_request(messages, None, None, None, {})
        body["response_format"] = response_format(step_schema(tools))
        bodies.append(body)
    return bodies


async def latency_once(model: Any, question: str) -> dict[str, Any]:
    """One warm question: time to the first token and to the answer, per-step speeds."""
    import ascope_nb
    from ascope_nb.message import Msg

    agent = ascope_nb.make_agent(
        "Friday", SYS_PROMPT, model=model, tools=["execute_python_code"], max_iters=6
    )
    agent.set_console_output_enabled(False)
    await asyncio.wrap_future(model.warming)  # the warmed agent: now the person asks
    calls: list[tuple[float, Any]] = []
    agent.subscribe(lambda e: calls.append((time.perf_counter(), e)))
    started = time.perf_counter()
    reply = await agent(Msg("user", question, "user"))
    answer_s = time.perf_counter() - started
    begun = [t for t, e in calls if e.kind == "model_call_started"]
    ended = [e for _, e in calls if e.kind == "model_call_ended"]
    meta = [((e.usage or {}).get("metadata") or {}) for e in ended]
    steps = [
        {
            "prompt_tokens": (e.usage or {}).get("input_tokens"),
            "cached": m.get("cached_tokens"),
            "gen_tokens": (e.usage or {}).get("output_tokens"),
            "prompt_tok_s": m.get("prompt_tok_s"),
            "gen_tok_s": m.get("gen_tok_s"),
            "ttft_s": m.get("ttft"),
            "call_s": round(e.latency, 3),
        }
        for e, m in zip(ended, meta, strict=True)
    ]
    bodies = await step_requests(agent, model)
    return {
        "first_token_s": round(begun[0] - started + float(meta[0].get("ttft") or 0), 3),
        "answer_s": round(answer_s, 3),
        "ok": "391" in (reply.get_text_content() or ""),
        "steps": steps,
        "package_model_s": sum(e.latency for e in ended),
        "bodies": bodies,
    }


async def latency(model: Any, server: Any, runs: int) -> dict[str, Any]:
    question = TASKS[0][0]
    samples = [await latency_once(model, question) for _ in range(runs)]
    raw_s, package_s = [], []
    for sample in samples:  # the same requests again, raw, after the same warming
        warm_body = dict(sample["bodies"][0], max_tokens=1, stream=False)
        warm_body["messages"] = [warm_body["messages"][0], {"role": "user", "content": ""}]
        warm_body.pop("stream_options", None)
        post(server, {**warm_body, "stream": False})
        raw_s.append(sum(post(server, body)[0] for body in sample.pop("bodies")))
        package_s.append(sample.pop("package_model_s"))
    return {
        "question": question,
        "runs": samples,
        "median_first_token_s": statistics.median(s["first_token_s"] for s in samples),
        "median_answer_s": statistics.median(s["answer_s"] for s in samples),
        "correct": f"{sum(s['ok'] for s in samples)}/{len(samples)}",
        "model_calls_package_s": round(statistics.median(package_s), 3),
        "model_calls_raw_s": round(statistics.median(raw_s), 3),
        "overhead_pct": round(100 * (sum(package_s) / sum(raw_s) - 1), 1),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from ascope_nb.model._local import LocalModel

    generate = {"temperature": 0.2, "max_tokens": 1024, "seed": args.seed}
    model = LocalModel(
        size=args.size, n_threads=args.threads, stream=True, generate_kwargs=generate
    )
    started = time.monotonic()
    model.resolve_weights()
    weights_s = time.monotonic() - started
    server = await asyncio.to_thread(model.start)
    result: dict[str, Any] = {
        "load_average_before": os.getloadavg(),
        "size": args.size,
        "threads": server.n_threads,
        "weights_ready_s": round(weights_s, 1),
        "load_s": round(server.load_seconds, 1),
        **speed(server),
    }
    if args.latency:
        result["latency"] = await latency(model, server, args.latency)
    tasks = [await run_task(model, q, a, args.max_iters) for q, a in TASKS[: args.tasks]]
    result["tasks"] = tasks
    result["success"] = f"{sum(t['ok'] for t in tasks)}/{len(tasks)}"
    result["peak_rss_mb"] = round(rss_mb())
    result["load_average_after"] = os.getloadavg()
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1.5b", choices=["1.5b", "0.5b"])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tasks", type=int, default=len(TASKS))
    parser.add_argument("--max-iters", type=int, default=6)
    parser.add_argument("--latency", type=int, default=0, help="warm-agent runs (e.g. 5)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", help="also write the result here")
    ns = parser.parse_args()
    out = asyncio.run(main(ns))
    text = json.dumps(out, indent=2)
    print(text)
    if ns.json:
        with open(ns.json, "w") as fh:
            fh.write(text)
