"""Live-view traffic and large-run opening (issue 5 benchmarks).

1. A real ReActAgent streams 5,000 tokens at about 1,000 tokens/s into a RunView whose comm
   records every message: prints the messages per second (target: at most 35 in any second)
   and checks that the coalesced deltas rebuild the exact text.
2. A 10,000-step run (a real agent, zero-latency model, one tool call per step) is re-opened
   with ``RunView.from_events``: prints the time to build the view and to send the snapshot a
   newly opened browser view asks for, and the snapshot's size.

Run: ``python benchmarks/view_traffic.py [--tokens 5000] [--rate 1000] [--steps 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model import ChatModelBase, ChatResponse
from ascope_nb.views import RunView
from ascope_nb.testing import Reply, ScriptedModel, tool_call
from ascope_nb.tool import Toolkit


class RecordingComm:
    """Stands in for the kernel's comm: keeps (time, message) of everything sent."""

    comm_id = "bench"
    kernel = object()

    def __init__(self) -> None:
        self.sent: list[tuple[float, dict[str, Any]]] = []
        self.bytes = 0

    def send(self, data: dict[str, Any], buffers: Any = None, **kw: Any) -> None:
        self.bytes += len(json.dumps(data))
        self.sent.append((time.perf_counter(), data))

    def on_msg(self, callback: Any) -> None:
        self.handler = callback

    def close(self, *a: Any, **kw: Any) -> None:
        pass


async def stream_benchmark(tokens: int, rate: float) -> dict[str, Any]:
    text = " ".join(f"t{i}" for i in range(tokens))
    agent = ReActAgent(
        name="Streamer",
        sys_prompt="s",
        model=ScriptedModel([Reply(text=text)], token_delay=1.0 / rate),
        formatter=OpenAIChatFormatter(),
    )
    agent.set_console_output_enabled(False)
    view = RunView(title="bench")
    comm = RecordingComm()
    view.comm = comm
    agent.subscribe(view.push)
    started = time.perf_counter()
    reply = await agent(Msg("user", "stream", "user"))
    streamed = time.perf_counter() - started
    await asyncio.sleep(0.2)
    view.flush()
    custom = [(t, m["content"]) for t, m in comm.sent if m.get("method") == "custom"]
    per_second = Counter(int(t - started) for t, _ in custom)
    deltas = "".join(
        e["delta"]
        for _, c in custom
        if c.get("type") == "events"
        for e in c["events"]
        if e["kind"] == "text_delta"
    )
    return {
        "tokens": tokens,
        "seconds": round(streamed, 2),
        "tokens_per_s": round(tokens / streamed),
        "messages": len(comm.sent),
        "max_messages_in_a_second": max(Counter(int(t - started) for t, _ in comm.sent).values()),
        "max_custom_in_a_second": max(per_second.values()),
        "text_rebuilt_exactly": deltas == reply.get_text_content(),
    }


async def big_run_events(steps: int) -> list[Any]:
    def noop(i: int) -> str:
        """Do nothing.

        Args:
            i: The step.
        """
        return "ok"

    class Marathon(ChatModelBase):
        """Zero latency, no call recording (a test model keeps every request)."""

        def __init__(self) -> None:
            super().__init__("marathon", stream=False)
            self.done = 0

        async def __call__(
            self, messages: Any, tools: Any = None, tool_choice: Any = None, **kw: Any
        ) -> ChatResponse:
            if self.done >= steps:
                return ChatResponse(content=[{"type": "text", "text": "finished"}])
            self.done += 1
            return ChatResponse(
                content=[
                    {"type": "text", "text": f"step {self.done}"},
                    tool_call("noop", i=self.done),
                ]
            )

    toolkit = Toolkit()
    toolkit.register_tool_function(noop)
    agent = ReActAgent(
        name="Marathon",
        sys_prompt="s",
        model=Marathon(),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        max_iters=steps + 1,
    )
    agent.set_console_output_enabled(False)
    return [e async for e in agent.stream(Msg("user", "go", "user"))]


def open_benchmark(events: list[Any]) -> dict[str, Any]:
    started = time.perf_counter()
    view = RunView.from_events(events)
    built = time.perf_counter() - started
    comm = RecordingComm()
    view.comm = comm
    started = time.perf_counter()
    view._handle_custom_msg({"cmd": "snapshot", "nonce": "n"}, [])
    snapshot = time.perf_counter() - started
    return {
        "steps": view.n_steps,
        "events": len(events),
        "build_view_s": round(built, 3),
        "snapshot_s": round(snapshot, 3),
        "snapshot_messages": len(comm.sent),
        "snapshot_mb": round(comm.bytes / 1e6, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--steps", type=int, default=10000)
    args = parser.parse_args()
    stream = await stream_benchmark(args.tokens, args.rate)
    print("stream:", json.dumps(stream))
    verdict = (
        "PASS"
        if stream["max_messages_in_a_second"] <= 35 and stream["text_rebuilt_exactly"]
        else "FAIL"
    )
    print(
        f"  at most {stream['max_messages_in_a_second']} comm messages in any second (target <= 35): {verdict}"
    )
    started = time.perf_counter()
    events = await big_run_events(args.steps)
    print(f"big run: {args.steps} steps produced in {time.perf_counter() - started:.1f} s")
    print("open:", json.dumps(open_benchmark(events)))


if __name__ == "__main__":
    asyncio.run(main())
