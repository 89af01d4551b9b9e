"""What one sample's run produced, read from its events: status, answer, tool trajectory,
tokens and time. Both backends (asyncio and Ray) end in the same ``Outcome``.

Example:
    >>> from ascope_nb.events import RunEnded, ToolCall
    >>> o = outcome_of([ToolCall(name="calc", tool_call_id="c1", input={"x": 1}),
    ...                 RunEnded(status="completed", output={"content": "4", "name": "A", "role": "assistant"})])
    >>> o.status, o.answer, [b["name"] for b in o.trajectory]
    ('completed', '4', ['calc'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..events import Event, ModelCallEnded, RunEnded, RunStarted, ToolCall, ToolResult


def _answer(output: dict[str, Any] | None) -> str:
    if not output:
        return ""
    content = output.get("content", "")
    if isinstance(content, str):
        return content
    return "\n".join(
        b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"
    )


@dataclass
class Outcome:
    """The facts about one finished run that metrics and the experiment table need."""

    run_id: str = ""
    status: str = "running"
    answer: str = ""
    error: str | None = None
    trajectory: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0
    started: float = 0.0
    ended: float = 0.0
    last_seq: int = -1
    # what the task's environment gives the metrics instead of the answer (see _environment)
    solution_output: Any = None
    has_solution_output: bool = False

    @property
    def duration(self) -> float:
        return max(0.0, self.ended - self.started) if self.ended else 0.0


def outcome_of(events: Iterable[Event]) -> Outcome:
    """Fold a run's events into its ``Outcome`` (one pass)."""
    out = Outcome()
    for event in events:
        out.last_seq = max(out.last_seq, event.seq)
        if not out.run_id:
            out.run_id = event.run_id
        if isinstance(event, RunStarted):
            out.started = event.ts
        elif isinstance(event, ToolCall):
            out.trajectory.append(
                {
                    "type": "tool_use",
                    "id": event.tool_call_id,
                    "name": event.name,
                    "input": event.input,
                }
            )
        elif isinstance(event, ToolResult):
            out.trajectory.append(
                {
                    "type": "tool_result",
                    "id": event.tool_call_id,
                    "name": event.name,
                    "output": event.output,
                }
            )
        elif isinstance(event, ModelCallEnded) and event.usage:
            out.tokens += int(event.usage.get("input_tokens") or 0) + int(
                event.usage.get("output_tokens") or 0
            )
        elif isinstance(event, RunEnded):
            out.status, out.error, out.ended = event.status, event.error, event.ts
            out.answer = _answer(event.output)
    return out


__all__ = ["Outcome", "outcome_of"]
