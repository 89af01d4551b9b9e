"""Synthetic runs for the store tests, and a writer process (``python -m tests.support.store_runs``).

Example:
    events = synthetic_run("r1", agent="Friday", n_steps=2)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from ascope_nb.events import (
    ApprovalRequested,
    ApprovalResolved,
    Event,
    HintInjected,
    MessageCompleted,
    ModelCallEnded,
    ModelCallStarted,
    ReplyEnded,
    ReplyStarted,
    RunContext,
    RunEnded,
    RunStarted,
    StepEnded,
    StepStarted,
    TextDelta,
    ToolCall,
    ToolResult,
)


def step_events(step: int, *, agent: str, run_id: str, tokens: int = 10) -> list[Event]:
    """One ReAct step: a model call with streamed text, a tool call and its result."""
    msg_id, call_id = f"{run_id}-m{step}", f"{run_id}-c{step}"
    text = f"thinking about step {step}"
    return [
        StepStarted(step=step),
        ModelCallStarted(step=step, model="scripted", msg_id=msg_id, n_messages=2 + step),
        TextDelta(msg_id=msg_id, block_id=f"b{step}", delta=text[:8]),
        TextDelta(msg_id=msg_id, block_id=f"b{step}", delta=text[8:]),
        ModelCallEnded(
            step=step,
            model="scripted",
            msg_id=msg_id,
            usage={"input_tokens": tokens * (step + 1), "output_tokens": tokens, "time": 0.01},
            latency=0.01,
        ),
        MessageCompleted(
            msg={
                "id": msg_id,
                "name": agent,
                "role": "assistant",
                "content": [
                    {"type": "text", "text": text},
                    {
                        "type": "tool_use",
                        "id": call_id,
                        "name": "add",
                        "input": {"a": step, "b": 1},
                    },
                ],
                "metadata": {},
                "timestamp": "2025-01-01 00:00:00.000",
            }
        ),
        ToolCall(
            step=step, msg_id=msg_id, tool_call_id=call_id, name="add", input={"a": step, "b": 1}
        ),
        ToolResult(
            step=step,
            msg_id=f"{msg_id}-r",
            tool_call_id=call_id,
            name="add",
            output=[{"type": "text", "text": str(step + 1)}],
            state="success",
            duration=0.001,
        ),
        StepEnded(step=step),
    ]


def synthetic_run(
    run_id: str, *, agent: str = "Friday", n_steps: int = 2, status: str = "completed"
) -> list[Event]:
    """The events of a whole run, numbered like ``RunContext`` numbers them."""
    events: list[Event] = [
        RunStarted(
            input=[{"name": "user", "role": "user", "content": "hi"}], title=agent, model="scripted"
        ),
        ReplyStarted(input=[{"name": "user", "role": "user", "content": "hi"}]),
    ]
    for step in range(n_steps):
        events += step_events(step, agent=agent, run_id=run_id)
    events += [ReplyEnded(msg_id=f"{run_id}-final"), RunEnded(status=status)]  # type: ignore[arg-type]
    base = time.time()
    for seq, event in enumerate(events):
        event.run_id, event.seq, event.agent, event.reply_id = run_id, seq, agent, f"{run_id}-reply"
        event.ts = base + seq * 0.001
    return events


def steering_run(run_id: str, *, agent: str = "Friday") -> list[Event]:
    """A run with a hint, an edited and a denied tool call."""
    events: list[Event] = [
        RunStarted(title=agent, model="scripted"),
        ToolCall(step=0, tool_call_id="c1", name="shell", input={"cmd": "rm -rf /"}),
        ApprovalRequested(tool_call_id="c1", name="shell", input={"cmd": "rm -rf /"}),
        ApprovalResolved(tool_call_id="c1", name="shell", decision="denied", reason="dangerous"),
        ToolResult(
            step=0,
            tool_call_id="c1",
            name="shell",
            state="denied",
            output=[{"type": "text", "text": "denied"}],
        ),
        HintInjected(text="list the files instead", source="human", step=1),
        ToolCall(step=1, tool_call_id="c2", name="shell", input={"cmd": "ls -la"}),
        ApprovalRequested(tool_call_id="c2", name="shell", input={"cmd": "ls -la"}),
        ApprovalResolved(
            tool_call_id="c2",
            name="shell",
            decision="edited",
            input={"cmd": "ls"},
            original_input={"cmd": "ls -la"},
        ),
        ToolResult(
            step=1, tool_call_id="c2", name="shell", output=[{"type": "text", "text": "a b"}]
        ),
        RunEnded(status="completed"),
    ]
    for seq, event in enumerate(events):
        event.run_id, event.seq, event.agent = run_id, seq, agent
    return events


async def _emit_forever(target: str, run_id: str, durable_steps: int) -> None:
    """Emit a run through the global stream: steps made durable one by one, then deltas."""
    from ascope_nb.store import RunStore, wait_durable

    store = RunStore(target).attach()
    print(f"store {store.degraded or 'ok'}", flush=True)
    ctx = RunContext(run_id)
    first = synthetic_run(run_id, n_steps=durable_steps)[:-2]  # no ReplyEnded / RunEnded
    for event in first:
        event.seq = -1
        ctx.emit(event)
        if isinstance(event, StepEnded):
            await wait_durable(run_id, event.seq)
            print(f"durable {event.step} {event.seq}", flush=True)
    print("streaming", flush=True)
    while True:  # the parent kills us in here
        ctx.emit(TextDelta(agent="Friday", msg_id="m-last", block_id="b", delta="x" * 50))
        await asyncio.sleep(0)


def _write_runs(target: str, prefix: str, n_runs: int, n_steps: int) -> None:
    from ascope_nb.store import RunStore

    store = RunStore(target)
    for i in range(n_runs):
        store.append(synthetic_run(f"{prefix}-{i}", n_steps=n_steps))
    ok = store.flush(120)
    store.close()
    print("ok" if ok else "flush failed", flush=True)


def _start_only(target: str, run_id: str) -> None:
    from ascope_nb.store import RunStore

    store = RunStore(target)
    store.append(synthetic_run(run_id, n_steps=1)[:-2])
    store.close()
    print("ok", flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["kill-me", "write", "start-only"])
    parser.add_argument("target")
    parser.add_argument("name")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args(argv)
    if args.mode == "kill-me":
        asyncio.run(_emit_forever(args.target, args.name, args.steps))
    elif args.mode == "write":
        _write_runs(args.target, args.name, args.runs, args.steps)
    else:
        _start_only(args.target, args.name)


if __name__ == "__main__":
    main(sys.argv[1:])
