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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ..events import Event
from ..fold import ModelCallRecord, RunFold
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
    """A judgement of the run (``step`` None) or of one step: a person's, or an experiment
    metric's (``metric`` names it)."""

    score: float | None
    label: Literal["up", "down"] | None
    comment: str = ""
    step: int | None = None
    reply_id: str = ""
    metric: str = ""


@dataclass
class RunRecord:
    """One run, folded from its events: conversation, tools, steering and feedback.

    ``messages`` are ``Msg.to_dict()`` dicts in memory order (each assistant message followed
    by its tool results in call order; edited tool calls carry the edited input, as the agent
    ran them). ``msg_steps`` and ``msg_replies`` give each message's step and reply id.
    ``model_calls`` gives each model call's exact input and output (``ModelCallRecord``;
    a follow-up's calls include the earlier turns the model saw), redacted like the rest.
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
    reply_status: dict[str, str] = field(default_factory=dict)
    _fold: RunFold | None = field(default=None, repr=False, compare=False)
    _model_calls: list[ModelCallRecord] | None = field(default=None, repr=False, compare=False)

    @property
    def model_calls(self) -> list[ModelCallRecord]:
        """Each model call's exact input and output, redacted; built on first use (a long
        run's prompts are long), one redacted dict per message shared by the calls."""
        if self._model_calls is None:
            self._model_calls = list(self.iter_model_calls())
        return self._model_calls

    def iter_model_calls(self) -> Iterator[ModelCallRecord]:
        """``model_calls`` one at a time, without keeping them (for long runs)."""
        if self._model_calls is not None:
            return iter(self._model_calls)
        return _clean_calls(self._fold) if self._fold is not None else iter(())

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
        return from_fold(RunFold(timeline=False).extend(events))


def _clean(msg: dict[str, Any], msg_id: str) -> dict[str, Any]:
    clean = scrub_strings({k: v for k, v in msg.items() if k != "metadata"})
    clean["metadata"] = scrub(msg.get("metadata") or {})
    clean["id"] = msg_id
    return clean


def _clean_calls(fold: RunFold) -> Iterator[ModelCallRecord]:
    """The fold's model calls, redacted; each message is redacted once (the fold's message
    dicts are shared by the calls and live as long as the fold)."""
    cleaned: dict[int, dict[str, Any]] = {}

    def clean(msg: dict[str, Any]) -> dict[str, Any]:
        out = cleaned.get(id(msg))
        if out is None:
            out = cleaned[id(msg)] = _clean(msg, msg.get("id", ""))
        return out

    for call in fold.iter_model_calls():
        yield ModelCallRecord(
            msg_id=call.msg_id,
            reply_id=call.reply_id,
            agent=call.agent,
            step=call.step,
            model=call.model,
            input=[clean(m) for m in call.input],
            output=clean(call.output) if call.output else None,
            error=call.error,
            usage=call.usage,
            exact=call.exact,
            formatter=call.formatter,
        )


def from_fold(fold: RunFold) -> RunRecord:
    """The record of a folded run (redacted copies; the fold is not changed)."""
    fold.sync()
    info = fold.run_info
    meta = info.get("metadata") or {}
    sys_prompt = meta.get("sys_prompt")
    tools = meta.get("tools")
    rec = RunRecord(
        run_id=fold.run_id,
        agent=str(info.get("agent", "")),
        status=fold.run_status,
        model=str(info.get("model", "")),
        title=str(info.get("title", "")),
        sys_prompt=scrub_strings(sys_prompt) if isinstance(sys_prompt, str) else None,
        tools=scrub_strings(tools) if isinstance(tools, list) else [],
        metadata=scrub({k: v for k, v in meta.items() if k not in ("sys_prompt", "tools")}),
        msg_steps=dict(fold.msg_steps),
        msg_replies=dict(fold.msg_replies),
        started=info.get("ts"),
        ended=fold.run_ended,
    )
    for c in fold.call_meta.values():
        rec.tool_calls[c.id] = ToolCallRecord(
            id=c.id,
            name=c.name,
            input=scrub_strings(c.input),
            original_input=scrub_strings(c.original_input),
            msg_id=c.msg_id,
            reply_id=c.reply_id,
            step=c.step,
            output=scrub_strings(c.output) if c.output is not None else None,
            state=c.state,
            decision=c.decision,  # type: ignore[arg-type]
            reason=c.reason,
        )
    rec.hints = [
        HintRecord(
            h.get("text", ""), h.get("source", "human"), h.get("step", 0), h.get("reply_id", "")
        )
        for h in fold.hints
    ]
    rec.feedback = [
        FeedbackRecord(
            f.get("score"),
            f.get("label"),
            f.get("comment", ""),
            f.get("step"),
            f.get("reply_id", ""),
            f.get("metric") or "",
        )
        for f in fold.feedback
    ]
    messages = []
    for msg_id in fold.transcript_ids():
        clean = _clean(fold.rec_msgs[msg_id], msg_id)
        if clean.get("role") == "assistant":
            for block in _blocks(clean):
                call = (
                    rec.tool_calls.get(block.get("id", ""))
                    if block.get("type") == "tool_use"
                    else None
                )
                if call is not None and call.decision == "edited":
                    block["input"] = copy.deepcopy(call.input)
                    block.pop("raw_input", None)
        messages.append(clean)
    rec.messages = messages
    rec._fold = fold
    rec.reply_status = {rid: r.status for rid, r in fold.replies.items() if r.status}
    return rec


def _blocks(msg: dict[str, Any]) -> list[dict[str, Any]]:
    content = msg.get("content")
    return content if isinstance(content, list) else []


__all__ = ["RunRecord", "ToolCallRecord", "HintRecord", "FeedbackRecord", "from_fold"]
