"""``RunRecord``: a typed view over one run's events, the input of every exporter.

Example:
    >>> from ascope_nb.events import MessageCompleted, ReplyStarted, RunEnded, RunStarted
    >>> user = {"id": "u1", "name": "user", "role": "user", "content": "Hi",
    ...         "metadata": {}, "timestamp": "t"}
    >>> answer = {"id": "a1", "name": "Friday", "role": "assistant", "content": "Hello!",
    ...           "metadata": {}, "timestamp": "t"}
    >>> record = RunRecord.from_events([
    ...     RunStarted(run_id="r1", agent="Friday", input=[user], metadata={"sys_prompt": "Be kind."}),
    ...     ReplyStarted(run_id="r1", agent="Friday", reply_id="p1", input=[user]),
    ...     MessageCompleted(run_id="r1", agent="Friday", reply_id="p1", msg=answer),
    ...     RunEnded(run_id="r1", agent="Friday", status="completed"),
    ... ])
    >>> [m["id"] for m in record.messages], record.sys_prompt, record.status
    (['u1', 'a1'], 'Be kind.', 'completed')
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..events import (
    ApprovalResolved,
    Event,
    FeedbackGiven,
    HintInjected,
    MessageCompleted,
    ModelCallEnded,
    ModelCallStarted,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    ToolCall,
    ToolResult,
)
from ._scrub import scrub, scrub_strings

Decision = Literal["approved", "denied", "edited"]


@dataclass
class ToolCallRecord:
    """One tool call: what the model asked (``original_input``), what ran (``input``), the result."""

    id: str
    name: str
    input: dict[str, Any]
    original_input: dict[str, Any]
    msg_id: str = ""
    reply_id: str = ""
    step: int = 0
    output: list[dict[str, Any]] | None = None
    state: str | None = None
    decision: Decision | None = None
    reason: str = ""


@dataclass
class HintRecord:
    """Guidance injected before step ``step`` of reply ``reply_id``."""

    text: str
    source: str
    step: int
    reply_id: str = ""


@dataclass
class FeedbackRecord:
    """A person's judgement of the run (``step`` None) or of one step."""

    score: float | None
    label: Literal["up", "down"] | None
    comment: str = ""
    step: int | None = None
    reply_id: str = ""


@dataclass
class ModelCallInfo:
    """One model call: who called, in which reply and step, and whether it ended cleanly.

    ``input`` is what the model received (OpenAI-style chat messages) when the run recorded
    it, else None (older runs: exporters rebuild it from the memory order).
    """

    msg_id: str
    agent: str = ""
    reply_id: str = ""
    step: int = 0
    ended: bool = False
    error: str | None = None
    input: list[dict[str, Any]] | None = None


@dataclass
class RunRecord:
    """One run, folded from its events: conversation, tools, steering and feedback.

    ``messages`` are ``Msg.to_dict()`` dicts in memory order (each assistant message followed
    by its tool results in call order; edited tool calls carry the edited input, as the agent
    ran them). ``msg_steps`` and ``msg_replies`` give each message's step and reply id.
    """

    run_id: str
    agent: str = ""
    status: str = "running"
    model: str = ""
    title: str = ""
    sys_prompt: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    msg_steps: dict[str, int] = field(default_factory=dict)
    msg_replies: dict[str, str] = field(default_factory=dict)
    tool_calls: dict[str, ToolCallRecord] = field(default_factory=dict)
    hints: list[HintRecord] = field(default_factory=list)
    feedback: list[FeedbackRecord] = field(default_factory=list)
    started: float | None = None
    ended: float | None = None
    model_calls: dict[str, ModelCallInfo] = field(default_factory=dict)
    reply_status: dict[str, str] = field(default_factory=dict)
    reply_agent: dict[str, str] = field(default_factory=dict)

    @property
    def approvals(self) -> list[ToolCallRecord]:
        """The tool calls a person decided on (approved, denied or edited)."""
        return [c for c in self.tool_calls.values() if c.decision is not None]

    @property
    def run_feedback(self) -> FeedbackRecord | None:
        """The latest feedback on the whole run (not on a step), if any."""
        for item in reversed(self.feedback):
            if item.step is None:
                return item
        return None

    def reward(self, *, up: float = 1.0, down: float = 0.0) -> float | None:
        """The run's reward: the latest run-level score, else ``up``/``down`` for a thumb."""
        item = self.run_feedback
        if item is None:
            return None
        if item.score is not None:
            return float(item.score)
        if item.label is not None:
            return up if item.label == "up" else down
        return None

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> RunRecord:
        """Fold one run's events (in ``seq`` order) into a record; secrets are redacted."""
        return _Folder().fold(events)


class _Folder:
    """Single pass over the events; linear in their number."""

    def __init__(self) -> None:
        self.record = RunRecord(run_id="")
        self.order: list[str] = []
        self.msgs: dict[str, dict[str, Any]] = {}

    def add(self, msg: dict[str, Any], reply_id: str) -> None:
        msg_id = msg.get("id") or f"_anon{len(self.order)}"
        if msg_id in self.msgs:
            if reply_id and not self.record.msg_replies.get(msg_id):
                self.record.msg_replies[msg_id] = reply_id
            return
        clean = scrub_strings({k: v for k, v in msg.items() if k != "metadata"})
        clean["metadata"] = scrub(msg.get("metadata") or {})
        clean["id"] = msg_id
        self.msgs[msg_id] = clean
        self.order.append(msg_id)
        self.record.msg_replies.setdefault(msg_id, reply_id)

    def fold(self, events: Iterable[Event]) -> RunRecord:
        rec = self.record
        calls = rec.tool_calls
        for ev in events:
            if not rec.run_id and ev.run_id:
                rec.run_id = ev.run_id
            if isinstance(ev, RunStarted):
                self._run_started(ev)
            elif isinstance(ev, ReplyStarted):
                rec.reply_agent[ev.reply_id] = ev.agent
                for msg in ev.input:
                    self.add(msg, ev.reply_id)
            elif isinstance(ev, ModelCallStarted):
                rec.msg_steps[ev.msg_id] = ev.step
                recorded = getattr(ev, "input", None)
                rec.model_calls[ev.msg_id] = ModelCallInfo(
                    ev.msg_id,
                    ev.agent,
                    ev.reply_id,
                    ev.step,
                    input=scrub_strings(recorded) if isinstance(recorded, list) else None,
                )
            elif isinstance(ev, ModelCallEnded):
                info = rec.model_calls.get(ev.msg_id)
                if info is not None:
                    info.ended, info.error = True, ev.error
            elif isinstance(ev, ReplyEnded):
                rec.reply_status[ev.reply_id] = ev.status
            elif isinstance(ev, MessageCompleted):
                self.add(ev.msg, ev.reply_id)
            elif isinstance(ev, ToolCall):
                calls[ev.tool_call_id] = ToolCallRecord(
                    id=ev.tool_call_id,
                    name=ev.name,
                    input=scrub_strings(ev.input),
                    original_input=scrub_strings(ev.input),
                    msg_id=ev.msg_id,
                    reply_id=ev.reply_id,
                    step=ev.step,
                )
            elif isinstance(ev, ApprovalResolved):
                self._approval(ev)
            elif isinstance(ev, ToolResult):
                self._tool_result(ev)
            elif isinstance(ev, HintInjected):
                rec.hints.append(HintRecord(ev.text, ev.source, ev.step, ev.reply_id))
            elif isinstance(ev, FeedbackGiven):
                rec.feedback.append(
                    FeedbackRecord(ev.score, ev.label, ev.comment, ev.step, ev.reply_id)
                )
            elif isinstance(ev, RunEnded):
                rec.status, rec.ended = ev.status, ev.ts
        rec.messages = self._memory_order()
        return rec

    def _run_started(self, ev: RunStarted) -> None:
        rec = self.record
        rec.agent, rec.model, rec.title, rec.started = ev.agent, ev.model, ev.title, ev.ts
        meta = ev.metadata or {}
        sys_prompt = meta.get("sys_prompt")
        rec.sys_prompt = scrub_strings(sys_prompt) if isinstance(sys_prompt, str) else None
        tools = meta.get("tools")
        rec.tools = scrub_strings(tools) if isinstance(tools, list) else []
        rec.metadata = scrub({k: v for k, v in meta.items() if k not in ("sys_prompt", "tools")})
        for msg in ev.input:
            self.add(msg, "")

    def _approval(self, ev: ApprovalResolved) -> None:
        call = self.record.tool_calls.get(ev.tool_call_id)
        if call is None:
            call = ToolCallRecord(ev.tool_call_id, ev.name, {}, scrub_strings(ev.original_input))
            self.record.tool_calls[ev.tool_call_id] = call
        call.decision, call.reason = ev.decision, ev.reason
        if ev.original_input:
            call.original_input = scrub_strings(ev.original_input)
        if ev.decision == "edited":
            call.input = scrub_strings(ev.input)

    def _tool_result(self, ev: ToolResult) -> None:
        rec = self.record
        call = rec.tool_calls.get(ev.tool_call_id)
        if call is None:
            call = ToolCallRecord(ev.tool_call_id, ev.name, {}, {}, reply_id=ev.reply_id)
            rec.tool_calls[ev.tool_call_id] = call
        call.output, call.state, call.step = scrub_strings(ev.output), ev.state, ev.step
        if ev.msg_id:
            rec.msg_steps[ev.msg_id] = ev.step

    def _memory_order(self) -> list[dict[str, Any]]:
        """Messages in memory order: tool results right after their call, in call order."""
        result_of: dict[str, str] = {}
        for msg_id in self.order:
            for block in _blocks(self.msgs[msg_id]):
                if block.get("type") == "tool_result":
                    result_of.setdefault(block.get("id", ""), msg_id)
        placed: set[str] = set()
        out: list[dict[str, Any]] = []
        calls = self.record.tool_calls
        for msg_id in self.order:
            if msg_id in placed:
                continue
            msg = self.msgs[msg_id]
            placed.add(msg_id)
            out.append(msg)
            if msg.get("role") != "assistant":
                continue
            for block in _blocks(msg):
                if block.get("type") != "tool_use":
                    continue
                call = calls.get(block.get("id", ""))
                if call is not None and call.decision == "edited":
                    block["input"] = copy.deepcopy(call.input)
                    block.pop("raw_input", None)
                res_id = result_of.get(block.get("id", ""))
                if res_id is not None and res_id not in placed:
                    placed.add(res_id)
                    out.append(self.msgs[res_id])
        return out


def _blocks(msg: dict[str, Any]) -> list[dict[str, Any]]:
    content = msg.get("content")
    return content if isinstance(content, list) else []


__all__ = ["RunRecord", "ToolCallRecord", "HintRecord", "FeedbackRecord", "ModelCallInfo"]
