"""A2A loopback overhead: a served scripted agent against the same agent called in-process.

One ``ReActAgent`` on a ``FunctionModel`` (no model latency, one step per reply) is served
with ``ascope_nb.a2a.serve`` on 127.0.0.1 (its own thread and loop); a twin agent is called
directly. Calls alternate (direct, ``A2AAgent``, a2a-sdk client), each from an empty memory.
Timed per round trip (median and p90 of ``--calls``):

- ``direct``: ``await agent(msg)`` in this process;
- ``A2AAgent``: ``await remote(msg)`` (card resolved once; its a2a-sdk client kept per loop);
- ``sdk client``: a2a-sdk's own client, kept open, reading the whole stream.

Time to first streamed event: from sending to the first A2A event received (the task), and to
the first step update, beside the first event of ``agent.stream`` in-process.
Targets: <= 5 ms added per round trip, first event <= 50 ms. Prints a Markdown table.

``--server process`` (the default) serves from a second Python process, as between two
kernels (the served agent is then a factory: each call a fresh A2A context, so a fresh
agent; CPU columns add the server process's CPU, read from ``/proc``). ``--server thread``
serves from a thread of this process, as ``serve()`` in the calling notebook does: client and
server then share one GIL, which adds up to a switch interval (5 ms) per hand-over.

Example:
    $ python benchmarks/a2a_bench.py              # 200 calls each, server in a process
    $ python benchmarks/a2a_bench.py --calls 20 --server thread
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["ASCOPE_STORE"] = str(Path(tempfile.mkdtemp(prefix="a2a-bench-")) / "runs.sqlite")

from ascope_nb.a2a import WellKnownAgentCardResolver, serve  # noqa: E402
from ascope_nb.agent import A2AAgent, ReActAgent  # noqa: E402
from ascope_nb.formatter import OpenAIChatFormatter  # noqa: E402
from ascope_nb.message import Msg  # noqa: E402
from ascope_nb.testing import FunctionModel  # noqa: E402

TARGET_ADDED_MS = 5.0
TARGET_FIRST_MS = 50.0


def make_agent(name: str) -> ReActAgent:
    agent = ReActAgent(
        name=name,
        sys_prompt="You answer ok.",
        model=FunctionModel(lambda messages, tools: "ok"),
        formatter=OpenAIChatFormatter(),
    )
    agent.set_console_output_enabled(False)
    return agent


def echo_server() -> Any:
    """A plain a2a-sdk server (no ascope_nb inside) answering each message with one text
    message: the floor of an A2A round trip with this SDK and uvicorn."""
    from a2a.helpers import new_text_message
    from a2a.server.agent_execution import AgentExecutor

    from ascope_nb.a2a._server import A2AServer, _bind

    class Echo(AgentExecutor):  # type: ignore[misc]
        async def execute(self, context: Any, event_queue: Any) -> None:
            await event_queue.enqueue_event(new_text_message("ok", context_id=context.context_id))

        async def cancel(self, context: Any, event_queue: Any) -> None:
            return None

    from a2a.server.request_handlers import DefaultRequestHandler
    from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
    from a2a.server.tasks import InMemoryTaskStore
    from starlette.applications import Starlette

    from ascope_nb.a2a._app import build_card

    sock = _bind("127.0.0.1", 0, "echo")
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    card = build_card(make_agent("Echo"), url=url)
    handler = DefaultRequestHandler(
        agent_executor=Echo(), task_store=InMemoryTaskStore(), agent_card=card
    )
    app = Starlette(
        routes=[*create_agent_card_routes(card), *create_jsonrpc_routes(handler, rpc_url="/")]
    )
    server = A2AServer(url=url, card=card, app=app, sock=sock)
    server._start()
    return server


class ProcessServer:
    """This script run with ``--serve KIND`` in a child process: ``.url``, ``.cpu()``."""

    def __init__(self, kind: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise SystemExit(f"the {kind} server did not start")
        self.loop = None  # nothing to reach into: each call uses a fresh context

    def cpu(self) -> float:
        """CPU seconds of the server process so far (Linux ``/proc``; 0 elsewhere)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def aclose(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await asyncio.to_thread(self.proc.wait, 30)


def serve_forever(kind: str) -> None:
    """The child of ``ProcessServer``: serve, print the URL, stop when stdin closes."""
    server = echo_server() if kind == "echo" else serve(lambda: make_agent("Served"))
    print(server.url, flush=True)
    sys.stdin.read()
    server.close()


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1e3, ordered[int(0.9 * (len(ordered) - 1))] * 1e3


async def sdk_round_trip(client: Any, text: str) -> tuple[float, float, float]:
    """(total, first event, first step update) seconds for one streamed send."""
    from a2a.types import Message, Part, Role, SendMessageRequest, TaskState

    request = SendMessageRequest(
        message=Message(message_id=text, role=Role.ROLE_USER, parts=[Part(text=text)])
    )
    start = time.perf_counter()
    first = step = 0.0
    async for event in client.send_message(request):
        now = time.perf_counter() - start
        first = first or now
        update = event.status_update if event.HasField("status_update") else None
        if (
            not step
            and update is not None
            and update.status.state == TaskState.TASK_STATE_WORKING
            and update.status.message.parts
        ):
            step = now
    return time.perf_counter() - start, first, step


async def direct_first_event(agent: ReActAgent, text: str) -> tuple[float, float]:
    start = time.perf_counter()
    first = step = 0.0
    async for event in agent.stream(Msg("user", text, "user")):
        now = time.perf_counter() - start
        first = first or now
        if not step and event.kind == "step_ended":
            step = now
    return first, step


async def bench(calls: int, where: str) -> list[tuple[str, str, float, float, str]]:
    import httpx
    from a2a.client import A2ACardResolver, ClientConfig, ClientFactory

    direct_agent, served_agent = make_agent("Direct"), make_agent("Served")
    in_process = where == "thread"
    server: Any = serve(served_agent) if in_process else ProcessServer("agent")

    def server_cpu() -> float:
        return 0.0 if in_process else float(server.cpu())

    try:
        card = await WellKnownAgentCardResolver(server.url).get_agent_card()
        remote = A2AAgent(card, timeout=30)
        remote.set_console_output_enabled(False)
        async with httpx.AsyncClient() as http:
            sdk_card = await A2ACardResolver(http, server.url).get_agent_card()
        client = ClientFactory(ClientConfig()).create(sdk_card)
        for i in range(5):  # warm up both paths (imports, connections, code paths)
            await direct_agent(Msg("user", f"warm {i}", "user"))
            await remote(Msg("user", f"warm {i}", "user"))
            await sdk_round_trip(client, f"warm {i}")
        direct, via_agent, via_sdk, first, step = [], [], [], [], []
        d_first, d_step = [], []
        cpu: dict[str, list[float]] = {"direct": [], "a2a_agent": [], "sdk_client": []}

        async def fresh() -> (
            None
        ):  # each call from an empty memory: cost per round trip, not per turn
            await direct_agent.memory.clear()
            remote._context_id = ""  # a served process: a new context is a new agent
            if in_process:
                done = asyncio.run_coroutine_threadsafe(served_agent.memory.clear(), server.loop)
                await asyncio.wrap_future(done)

        for i in range(calls):
            await fresh()
            t, c = time.perf_counter(), time.process_time()
            await direct_agent(Msg("user", f"q{i}", "user"))
            direct.append(time.perf_counter() - t)
            cpu["direct"].append(time.process_time() - c)
            await fresh()
            t, c, sc = time.perf_counter(), time.process_time(), server_cpu()
            await remote(Msg("user", f"q{i}", "user"))
            via_agent.append(time.perf_counter() - t)
            cpu["a2a_agent"].append(time.process_time() - c + server_cpu() - sc)
            await fresh()
            c, sc = time.process_time(), server_cpu()
            total, f, s = await sdk_round_trip(client, f"s{i}")
            cpu["sdk_client"].append(time.process_time() - c + server_cpu() - sc)
            via_sdk.append(total)
            first.append(f)
            step.append(s)
            await fresh()
            df, ds = await direct_first_event(direct_agent, f"d{i}")
            d_first.append(df)
            d_step.append(ds)
        await client.close()
        echo: Any = echo_server() if in_process else ProcessServer("echo")
        async with httpx.AsyncClient() as http:
            echo_card = await A2ACardResolver(http, echo.url).get_agent_card()
        echo_client = ClientFactory(ClientConfig()).create(echo_card)
        floor = []
        cpu["sdk_floor"] = []
        echo_cpu = (lambda: 0.0) if in_process else echo.cpu
        for i in range(calls + 5):
            c, sc = time.process_time(), echo_cpu()
            total, _, _ = await sdk_round_trip(echo_client, f"e{i}")
            if i >= 5:
                cpu["sdk_floor"].append(time.process_time() - c + echo_cpu() - sc)
            floor.append(total)
        await echo_client.close()
        await echo.aclose()
    finally:
        await server.aclose()
    e_med, e_p90 = ms(floor[5:])
    d_med, d_p90 = ms(direct)
    a_med, a_p90 = ms(via_agent)
    s_med, s_p90 = ms(via_sdk)
    f_med, f_p90 = ms(first)
    st_med, st_p90 = ms(step)
    df_med, df_p90 = ms(d_first)
    ds_med, ds_p90 = ms(d_step)

    cpu_ms = {k: statistics.mean(v) * 1e3 for k, v in cpu.items()}  # mean: /proc counts in ticks

    def verdict(value: float, target: float) -> str:
        return "PASS" if value <= target else "FAIL"

    return [
        ("direct", "round trip, in-process `await agent(msg)`", d_med, d_p90, ""),
        ("a2a_agent", "round trip, `A2AAgent`", a_med, a_p90, ""),
        ("sdk_client", "round trip, a2a-sdk client kept open", s_med, s_p90, ""),
        ("sdk_floor", "plain a2a-sdk echo server, same client (no agent)", e_med, e_p90, ""),
        (
            "added_a2a_agent",
            "added per round trip: A2AAgent - direct",
            a_med - d_med,
            a_p90 - d_p90,
            verdict(a_med - d_med, TARGET_ADDED_MS),
        ),
        (
            "added_sdk",
            "added per round trip: sdk client - direct",
            s_med - d_med,
            s_p90 - d_p90,
            verdict(s_med - d_med, TARGET_ADDED_MS),
        ),
        ("first_event", "first streamed A2A event", f_med, f_p90, verdict(f_med, TARGET_FIRST_MS)),
        ("first_step", "first step update over A2A", st_med, st_p90, ""),
        ("direct_first", "in-process: first event of agent.stream", df_med, df_p90, ""),
        ("direct_step", "in-process: first step_ended", ds_med, ds_p90, ""),
        *[
            (f"cpu_{key}", f"CPU per round trip (client + server): {key}", value, float("nan"), "")
            for key, value in cpu_ms.items()
        ],
        (
            "cpu_added_sdk",
            "CPU added per round trip: sdk client - direct",
            cpu_ms["sdk_client"] - cpu_ms["direct"],
            float("nan"),
            "",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--server", choices=["process", "thread"], default="process")
    parser.add_argument("--serve", choices=["agent", "echo"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve)
        return
    rows = asyncio.run(bench(args.calls, args.server))
    print(
        f"A2A loopback, {args.calls} calls each, server in a {args.server} (ms; targets: "
        f"added <= {TARGET_ADDED_MS:g}, first event <= {TARGET_FIRST_MS:g})\n"
    )
    print("| id | measure | median ms | p90 ms | result |")
    print("|---|---|---|---|---|")
    for key, label, med, p90, result in rows:
        print(f"| {key} | {label} | {med:.2f} | {p90:.2f} | {result} |")


if __name__ == "__main__":
    main()
