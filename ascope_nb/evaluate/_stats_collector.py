"""Usage counts of one solution, taken from the event stream (no tracer needed).

Inside ``collect_stats()`` every model call, tool call, agent reply and token count emitted
by the current task (and the tasks it starts) is counted, in AgentScope 1.x's stats shape:
``{"llm": {model: n}, "agent": n, "tool": {name: n}, "embedding": {}, "chat_usage":
{model: {"input_tokens": n, "output_tokens": n}}}``.

Example:
    >>> import asyncio
    >>> from ascope_nb import ReActAgent, Msg
    >>> from ascope_nb.testing import ScriptedModel
    >>> async def solve():
    ...     with collect_stats() as stats:
    ...         await ReActAgent("A", "", ScriptedModel(["hi"]))(Msg("user", "q", "user"))
    ...     return stats.as_dict()["agent"]
    >>> asyncio.run(solve())
    1
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..events import Event, ModelCallEnded, ModelCallStarted, ReplyStarted, ToolCall, subscribe

_current: contextvars.ContextVar[SolutionStats | None] = contextvars.ContextVar(
    "ascope_eval_stats", default=None
)


class SolutionStats:
    """Counts for one solution; filled by the event subscriber while it is current."""

    def __init__(self) -> None:
        self.llm: defaultdict[str, int] = defaultdict(int)
        self.tool: defaultdict[str, int] = defaultdict(int)
        self.agent = 0
        self.usage: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._model_of_call: dict[str, str] = {}

    def add(self, event: Event) -> None:
        if isinstance(event, ModelCallStarted):
            self.llm[event.model or "model"] += 1
        elif isinstance(event, ModelCallEnded):
            usage = event.usage or {}
            model = getattr(event, "model", "") or "model"
            self.usage[model]["input_tokens"] += int(usage.get("input_tokens") or 0)
            self.usage[model]["output_tokens"] += int(usage.get("output_tokens") or 0)
        elif isinstance(event, ToolCall):
            self.tool[event.name] += 1
        elif isinstance(event, ReplyStarted):
            self.agent += 1

    @property
    def tokens(self) -> int:
        return sum(u["input_tokens"] + u["output_tokens"] for u in self.usage.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "llm": dict(self.llm),
            "agent": self.agent,
            "tool": dict(self.tool),
            "embedding": {},
            "chat_usage": {m: dict(u) for m, u in self.usage.items()},
        }


def _on_event(event: Event) -> None:
    stats = _current.get()
    if stats is not None:
        stats.add(event)


_subscribed = False


@contextmanager
def collect_stats() -> Iterator[SolutionStats]:
    """Count what the current task emits until the block ends."""
    global _subscribed
    if not _subscribed:
        subscribe(_on_event)
        _subscribed = True
    stats = SolutionStats()
    token = _current.set(stats)
    try:
        yield stats
    finally:
        _current.reset(token)


__all__ = ["SolutionStats", "collect_stats"]
