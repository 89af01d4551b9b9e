"""The per-step cost of a ReAct step, guarded by counts (never by time).

A zero-latency model calls a trivial sync tool N times (the scenario of
``benchmarks/core_bench.py``). Timing on a shared machine is noise; the number of Python
function calls (cProfile's count, builtins included) and of events per step are exact, so
they are what a change that slows the loop down moves. The budgets sit a little above
today's counts (336 calls without and 454 with an event subscriber, 8 events per step at
the time of writing): raise one only with a reason in the commit message. Since the sync
tool runs on the loop once proven quick, its own calls are counted here too (cProfile sees
one thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import pstats
import subprocess
import sys
from pathlib import Path
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.events import Event, subscribe
from ascope_nb.memory import InMemoryMemory
from ascope_nb.message import Msg
from ascope_nb.model import ChatModelBase, ChatResponse
from ascope_nb.tool import ToolResponse
from tests.support.agents import scripted_agent

CALLS_PER_STEP_BUDGET = 380
"""Nobody receives the events (a script, as in AgentScope): no redaction walk."""
CALLS_PER_STEP_SUBSCRIBED_BUDGET = 500
"""A subscriber receives every event (a notebook's live view, a store): each is redacted."""
EVENTS_PER_STEP = 8  # StepStarted, ModelCall Started/Ended, ToolCall, ToolResult, 2 x
# MessageCompleted (the call, the result), StepEnded


class _ToolLoopModel(ChatModelBase):
    """A tool call until ``n_calls`` are done, then a text answer; no latency."""

    def __init__(self, n_calls: int) -> None:
        super().__init__("tool-loop", False)
        self.n_calls = n_calls
        self.done = 0

    async def __call__(self, messages: Any, tools: Any = None, **kwargs: Any) -> ChatResponse:
        if self.done < self.n_calls:
            self.done += 1
            call = {"type": "tool_use", "id": f"call_{self.done}", "name": "noop", "input": {}}
            return ChatResponse(content=[call])  # type: ignore[list-item]
        return ChatResponse(content=[{"type": "text", "text": "done"}])


def noop(i: int = 0) -> ToolResponse:
    """Do nothing and say so.

    Args:
        i (int): The step number.
    """
    return ToolResponse(content=[{"type": "text", "text": f"ok {i}"}])


def _agent(n_calls: int) -> ReActAgent:
    return scripted_agent(
        None,
        noop,
        name="Bench",
        sys_prompt="You are a benchmark.",
        model=_ToolLoopModel(n_calls),
        memory=InMemoryMemory(),
        max_iters=n_calls + 5,
    )


async def _calls(n_calls: int, *, subscribed: bool = False) -> int:
    """Function calls made by one reply with ``n_calls`` tool calls (profiled)."""
    agent = _agent(n_calls)
    with subscribe(lambda event: None) if subscribed else contextlib.nullcontext():
        profile = cProfile.Profile()
        profile.enable()
        reply = await agent(Msg("user", "go", "user"))
        profile.disable()
    assert reply.get_text_content() == "done"
    return sum(row[1] for row in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]


async def _calls_per_step(*, subscribed: bool = False) -> float:
    await _calls(3)  # warm-up: first-call costs (lazy imports, caches)
    # the marginal count of 40 more steps: the reply's fixed costs cancel out; the least of
    # three tries drops a once-a-second environment re-read that may fall in one of them
    tries = []
    for _ in range(3):
        many = await _calls(50, subscribed=subscribed)
        tries.append((many - await _calls(10, subscribed=subscribed)) / 40)
    return min(tries)


def test_calls_per_react_step_stay_within_budget() -> None:
    # a fresh interpreter: what earlier tests left subscribed or hooked is not the loop's cost
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    alone, subscribed = map(float, done.stdout.split()[-2:])
    assert 100 < alone <= CALLS_PER_STEP_BUDGET, f"{alone:.0f} calls per ReAct step"
    assert alone < subscribed <= CALLS_PER_STEP_SUBSCRIBED_BUDGET, (
        f"{subscribed:.0f} calls per ReAct step with a subscriber"
    )


async def test_events_per_react_step_are_exactly_the_eight_of_the_schema() -> None:
    seen: list[Event] = []
    with subscribe(seen.append):
        await _agent(10)(Msg("user", "go", "user"))
        small = len(seen)
        seen.clear()
        await _agent(30)(Msg("user", "go", "user"))
    per_step = (len(seen) - small) / 20
    assert per_step == EVENTS_PER_STEP
    kinds = {e.kind for e in seen}
    assert {"step_started", "tool_call", "tool_result", "step_ended"} <= kinds


if __name__ == "__main__":
    print(asyncio.run(_calls_per_step()), asyncio.run(_calls_per_step(subscribed=True)))
