"""The conversation part of the run fold: messages, each agent's memory, each model call.

Messages are kept by id as the events carry them; each agent's memory is a list of ids that
grows as the agent's own ``memory.add`` calls do (input, hints, answers, tool results in
call order, observed hub messages), restarted from the snapshot a ``ReplyStarted`` carries
(``memory_ids``/``memory``; runs recorded before those fields keep what this run showed).
A model call is then ``(memory list, length)`` at ``ModelCallStarted``: O(1) to record,
rebuilt on demand. ``RunFold`` (``_run.py``) feeds it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Wire = dict[str, Any]
_EARLIER = 1 << 40


@dataclass(slots=True)
class CallMeta:
    """One tool call as the conversation knows it: what was asked, decided and returned."""

    id: str
    name: str
    input: dict[str, Any]
    original_input: dict[str, Any]
    msg_id: str = ""
    reply_id: str = ""
    step: int = 0
    output: list[dict[str, Any]] | None = None
    state: str | None = None
    decision: str | None = None
    reason: str = ""
    order: int = 0


@dataclass(slots=True)
class ModelCallState:
    """One model request: the memory it saw (``memory[:n]``), its answer and its outcome."""

    msg_id: str
    reply_id: str
    agent: str
    step: int
    model: str
    seq: int
    memory: list[str]
    n: int
    extra: list[dict[str, Any]]
    n_memory: int = -1
    usage: dict[str, Any] | None = None
    error: str | None = None
    latency: float = 0.0
    ended: bool = False


@dataclass(slots=True)
class ReplyState:
    """One agent reply: its input, the context it started from, and how it ended."""

    reply_id: str
    agent: str
    input_ids: list[str]
    sys_prompt: str | None = None
    formatter: str = ""
    recorded: bool = False  # the memory snapshot was in the ReplyStarted event
    msg_id: str = ""
    status: str | None = None
    calls: list[ModelCallState] = field(default_factory=list)


class Conversation:
    """Messages, memories and model calls; each ``_c_<kind>`` folds one wire event."""

    def __init__(self) -> None:
        self.run_id = ""
        self.run_info: Wire = {}
        self.run_status = "running"
        self.run_ended: float | None = None
        self.headers: dict[str, Wire] = {}  # msg id -> the final Msg dict (MessageCompleted)
        self.known: dict[str, Wire] = {}  # msg id -> any dict seen (inputs, snapshots, observed)
        self.rec_order: list[str] = []  # run inputs, reply inputs and completed messages
        self.rec_msgs: dict[str, Wire] = {}
        self.msg_steps: dict[str, int] = {}
        self.msg_replies: dict[str, str] = {}
        self.call_meta: dict[str, CallMeta] = {}
        self.hints: list[Wire] = []
        self.feedback: list[Wire] = []
        self.replies: dict[str, ReplyState] = {}
        self.call_states: list[ModelCallState] = []
        self._calls_by_msg: dict[str, ModelCallState] = {}
        self._memory: dict[str, list[str]] = {}  # agent -> memory ids
        self._member: dict[str, set[str]] = {}
        self._pending: dict[str, list[tuple[int, str]]] = {}  # agent -> tool results to add
        self._result_msgs: dict[str, str] = {}  # tool-result msg id -> tool call id

    def _sync(self) -> None:
        """Fold what is not folded yet (``RunFold`` folds this part lazily)."""

    # ------------------------------------------------------------------ memory
    def _mem(self, agent: str) -> tuple[list[str], set[str]]:
        mem = self._memory.get(agent)
        if mem is None:
            mem = self._memory[agent] = []
            self._member[agent] = set()
        return mem, self._member[agent]

    def _remember(self, agent: str, msg_id: str) -> None:
        mem, member = self._mem(agent)
        if msg_id and msg_id not in member:
            member.add(msg_id)
            mem.append(msg_id)

    def _flush(self, agent: str) -> None:
        """Tool results join the memory after the calls, in call order (as ReAct adds them)."""
        pending = self._pending.get(agent)
        if pending:
            pending.sort()
            for _, msg_id in pending:
                self._remember(agent, msg_id)
            pending.clear()

    def _rec_add(self, msg: Wire, reply_id: str) -> None:
        msg_id = msg.get("id") or f"_anon{len(self.rec_order)}"
        if msg_id in self.rec_msgs:
            if reply_id and not self.msg_replies.get(msg_id):
                self.msg_replies[msg_id] = reply_id
            return
        self.rec_msgs[msg_id] = msg
        self.rec_order.append(msg_id)
        self.msg_replies.setdefault(msg_id, reply_id)

    # ------------------------------------------------------------------ events
    def _c_run_started(self, ev: Wire) -> None:
        self.run_info = ev
        for msg in ev.get("input") or []:
            self._rec_add(msg, "")
            if msg.get("id"):
                self.known.setdefault(msg["id"], msg)

    def _c_run_ended(self, ev: Wire) -> None:
        self.run_status, self.run_ended = str(ev.get("status", "completed")), ev.get("ts")

    def _c_reply_started(self, ev: Wire) -> None:
        agent, reply_id = str(ev.get("agent", "")), str(ev.get("reply_id", ""))
        known = self.known
        for msg in ev.get("memory") or []:
            if msg.get("id"):
                known.setdefault(msg["id"], msg)
        ids = ev.get("memory_ids")
        if ids is not None:  # the agent's memory as it was: restart from it
            self._memory[agent] = list(ids)
            self._member[agent] = set(ids)
        else:
            self._flush(agent)
        inputs = []
        for msg in ev.get("input") or []:
            self._rec_add(msg, reply_id)
            if msg.get("id"):
                known.setdefault(msg["id"], msg)
                inputs.append(msg["id"])
                self._remember(agent, msg["id"])
        self.replies[reply_id] = ReplyState(
            reply_id,
            agent,
            inputs,
            sys_prompt=ev.get("sys_prompt"),
            formatter=str(ev.get("formatter") or ""),
            recorded=ids is not None,
        )

    def _c_reply_ended(self, ev: Wire) -> None:
        reply_id = str(ev.get("reply_id", ""))
        self._flush(str(ev.get("agent", "")))
        reply = self.replies.get(reply_id)
        if reply is not None:
            reply.msg_id, reply.status = str(ev.get("msg_id", "")), str(ev.get("status", ""))

    def _c_step_ended(self, ev: Wire) -> None:
        self._flush(str(ev.get("agent", "")))

    def _c_model_call_started(self, ev: Wire) -> None:
        agent, msg_id = str(ev.get("agent", "")), str(ev.get("msg_id", ""))
        self._flush(agent)
        mem, _ = self._mem(agent)
        call = ModelCallState(
            msg_id=msg_id,
            reply_id=str(ev.get("reply_id", "")),
            agent=agent,
            step=int(ev.get("step", 0)),
            model=str(ev.get("model", "")),
            seq=int(ev.get("seq", -1)),
            memory=mem,
            n=len(mem),
            extra=list(ev.get("extra") or []),
            n_memory=int(ev.get("n_memory", -1)),
        )
        self.call_states.append(call)
        self._calls_by_msg[msg_id] = call
        self.msg_steps[msg_id] = call.step
        reply = self.replies.get(call.reply_id)
        if reply is not None:
            reply.calls.append(call)

    def _c_model_call_ended(self, ev: Wire) -> None:
        call = self._calls_by_msg.get(str(ev.get("msg_id", "")))
        if call is not None:
            call.usage, call.error = ev.get("usage"), ev.get("error")
            call.latency, call.ended = float(ev.get("latency", 0.0)), True

    def _c_tool_call(self, ev: Wire) -> None:
        call_id = str(ev.get("tool_call_id", ""))
        given = ev.get("input") or {}  # shared, never changed (an edit replaces ``input``)
        self.call_meta[call_id] = CallMeta(
            call_id,
            str(ev.get("name", "")),
            given,
            given,
            msg_id=str(ev.get("msg_id", "")),
            reply_id=str(ev.get("reply_id", "")),
            step=int(ev.get("step", 0)),
            order=len(self.call_meta),
        )

    def _c_approval_resolved(self, ev: Wire) -> None:
        call_id = str(ev.get("tool_call_id", ""))
        call = self.call_meta.get(call_id)
        if call is None:
            original = dict(ev.get("original_input") or {})
            call = CallMeta(call_id, str(ev.get("name", "")), {}, original)
            call.order = len(self.call_meta)
            self.call_meta[call_id] = call
        call.decision, call.reason = ev.get("decision", "approved"), str(ev.get("reason", ""))
        if ev.get("original_input"):
            call.original_input = dict(ev["original_input"])
        if call.decision == "edited":
            call.input = dict(ev.get("input") or {})

    def _c_tool_result(self, ev: Wire) -> None:
        call_id, msg_id = str(ev.get("tool_call_id", "")), str(ev.get("msg_id", ""))
        output = list(ev.get("output") or [])
        if msg_id:
            self.msg_steps[msg_id] = int(ev.get("step", 0))
            self._result_msgs[msg_id] = call_id
        call = self.call_meta.get(call_id)
        if call is None:  # a call asked in an earlier run (answered when a stop repairs memory)
            call = CallMeta(call_id, str(ev.get("name", "")), {}, {})
            call.reply_id = str(ev.get("reply_id", ""))
            call.order = len(self.call_meta) - _EARLIER  # earlier calls come first in memory
            self.call_meta[call_id] = call
        call.output, call.state = output, str(ev.get("state", "success"))
        call.step = int(ev.get("step", 0))

    def _c_hint_injected(self, ev: Wire) -> None:
        self.hints.append(ev)

    def _c_message_completed(self, ev: Wire) -> None:
        msg = ev.get("msg") or {}
        reply_id = str(ev.get("reply_id", ""))
        self._rec_add(msg, reply_id)
        msg_id = msg.get("id")
        if not msg_id:
            return
        self.headers[msg_id] = msg
        self.known[msg_id] = msg
        if not ev.get("added_to_memory", True):
            return
        agent = str(ev.get("agent", ""))
        call_id = self._result_msgs.get(msg_id)
        if call_id is not None:
            meta = self.call_meta.get(call_id)
            order = meta.order if meta is not None else len(self.call_meta)
            self._pending.setdefault(agent, []).append((order, msg_id))
        else:
            self._flush(agent)
            self._remember(agent, msg_id)

    def _c_message_observed(self, ev: Wire) -> None:
        msg = ev.get("msg") or {}
        if msg.get("id"):
            self.known.setdefault(msg["id"], msg)
            self._remember(str(ev.get("observer") or ev.get("agent") or ""), msg["id"])

    def _c_feedback(self, ev: Wire) -> None:
        self.feedback.append(ev)

    # ------------------------------------------------------------------ derived views
    def message(self, msg_id: str) -> Wire | None:
        """The final dict of message ``msg_id`` (as completed, else as first seen)."""
        self._sync()
        return self.headers.get(msg_id) or self.known.get(msg_id)

    def as_seen(self, msg_id: str) -> Wire | None:
        """Message ``msg_id`` as the agent's memory held it: edited tool calls carry the
        edited input (the agent changes the call in place before running it)."""
        msg = self.message(msg_id)
        if msg is None or msg.get("role") != "assistant":
            return msg
        content = msg.get("content")
        if not isinstance(content, list):
            return msg
        edited = False
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                meta = self.call_meta.get(block.get("id", ""))
                if meta is not None and meta.decision == "edited":
                    edited = True
                    break
        if not edited:
            return msg
        msg = copy.deepcopy(msg)
        for block in msg["content"]:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                meta = self.call_meta.get(block.get("id", ""))
                if meta is not None and meta.decision == "edited":
                    block["input"] = copy.deepcopy(meta.input)
                    block.pop("raw_input", None)
        return msg

    def transcript(self) -> list[Wire]:
        """The run's messages in memory order: tool results right after their call."""
        return [self.rec_msgs[i] for i in self.transcript_ids()]

    def transcript_ids(self) -> list[str]:
        """The ids of ``transcript()`` (``_anon<n>`` for a message without an id)."""
        self._sync()
        msgs = self.rec_msgs
        result_of: dict[str, str] = {}
        for msg_id in self.rec_order:
            for block in _blocks(msgs[msg_id]):
                if block.get("type") == "tool_result":
                    result_of.setdefault(block.get("id", ""), msg_id)
        placed: set[str] = set()
        out: list[str] = []
        for msg_id in self.rec_order:
            if msg_id in placed:
                continue
            placed.add(msg_id)
            out.append(msg_id)
            if msgs[msg_id].get("role") != "assistant":
                continue
            for block in _blocks(msgs[msg_id]):
                if block.get("type") != "tool_use":
                    continue
                res_id = result_of.get(block.get("id", ""))
                if res_id is not None and res_id not in placed:
                    placed.add(res_id)
                    out.append(res_id)
        return out


def _blocks(msg: Wire) -> list[Wire]:
    content = msg.get("content")
    return content if isinstance(content, list) else []


__all__ = ["Conversation", "CallMeta", "ModelCallState", "ReplyState"]
