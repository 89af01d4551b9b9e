"""The timeline part of the run fold: ReAct steps, tool calls, decisions, hints, summary.

Shown by the live view and the HTML transcript; ``static/fold.js`` is its browser twin
(both are tested on ``tests/fixtures/fold/``). ``RunFold`` (``_run.py``) feeds it.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict

from ..message._text import content_text as block_text

Wire = dict[str, Any]


class ToolCallRecord(TypedDict):
    """One tool call of a step: arguments, the human decision, and the result."""

    id: str
    name: str
    input: dict[str, Any]
    approval: dict[str, Any] | None
    output: list[dict[str, Any]] | None
    state: str | None
    duration: float


class StepRecord(TypedDict):
    """One ReAct iteration of one reply."""

    type: str  # "step"
    reply_id: str
    agent: str
    step: int
    started: float
    ended: float | None
    thinking: str
    text: str
    tool_calls: list[ToolCallRecord]
    input_tokens: int
    output_tokens: int
    errors: list[str]
    observers: NotRequired[list[str]]  # hub agents that observed the step's answer
    timing: NotRequired[dict[str, Any]]  # the model call's ttft / tok/s when the server gave them
    remote: NotRequired[str]  # a remote (A2A) agent's step: its host[:port]


_WAITING = ("paused", "waiting_approval", "waiting_input")


class Timeline:
    """Steps and summary state; each ``_on_<kind>`` folds one wire event (a dict)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._steps: dict[tuple[str, int], StepRecord] = {}
        self._calls: dict[str, ToolCallRecord] = {}
        self._call_asked: dict[str, Wire] = {}  # tool-call id -> the event that asked it
        self._model_msgs: dict[str, StepRecord] = {}
        self._current: dict[str, StepRecord] = {}  # reply_id -> open step
        self._msg_items: dict[str, dict[str, Any]] = {}  # msg id -> its one non-step item
        self._remotes: dict[str, str] = {}  # reply_id -> host[:port] of a remote agent's reply
        self.agent = ""
        self.title = ""
        self.status = "idle"
        self.started: float | None = None
        self.ended: float | None = None
        self.error: str | None = None
        self.output: dict[str, Any] | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.pending_approvals: dict[str, dict[str, Any]] = {}
        self.pending_input: dict[str, Any] | None = None
        self.last_step = -1
        self.n_steps = 0
        self.live = True

    def _step_for(self, ev: Wire) -> StepRecord | None:
        return self._current.get(ev.get("reply_id", ""))

    def _on_run_started(self, ev: Wire) -> None:
        self.title = str(ev.get("title") or "")
        self.status = "running"
        self.live = True
        for msg in ev.get("input") or []:
            self._add_msg_item({"type": "input", "msg": msg, "observers": []})

    def _on_run_ended(self, ev: Wire) -> None:
        self.status = str(ev.get("status", "completed"))
        self.error = ev.get("error")
        self.output = ev.get("output")
        self.ended = ev.get("ts")
        self.live = False
        self.pending_approvals.clear()
        self.pending_input = None
        for step in self._current.values():
            if step["ended"] is None:
                step["ended"] = ev.get("ts")
        if self.error:
            self.items.append({"type": "error", "text": str(self.error)})

    def _on_reply_started(self, ev: Wire) -> None:
        if ev.get("remote"):
            self._remotes[str(ev.get("reply_id", ""))] = str(ev["remote"])

    def _on_step_started(self, ev: Wire) -> None:
        step: StepRecord = {
            "type": "step",
            "reply_id": str(ev.get("reply_id", "")),
            "agent": str(ev.get("agent", "")),
            "step": int(ev.get("step", 0)),
            "started": float(ev.get("ts", 0.0)),
            "ended": None,
            "thinking": "",
            "text": "",
            "tool_calls": [],
            "input_tokens": 0,
            "output_tokens": 0,
            "errors": [],
        }
        remote = self._remotes.get(step["reply_id"])
        if remote:
            step["remote"] = remote
        self._steps[(step["reply_id"], step["step"])] = step
        self._current[step["reply_id"]] = step
        self.items.append(step)  # type: ignore[arg-type]  # a TypedDict is a dict
        self.last_step = step["step"]
        self.n_steps += 1

    def _on_step_ended(self, ev: Wire) -> None:
        step = self._steps.get((str(ev.get("reply_id", "")), int(ev.get("step", 0))))
        if step is not None:
            step["ended"] = float(ev.get("ts", 0.0))

    def _on_model_call_started(self, ev: Wire) -> None:
        step = self._step_for(ev)
        if step is not None and ev.get("msg_id"):
            self._model_msgs[str(ev["msg_id"])] = step

    def _on_model_call_ended(self, ev: Wire) -> None:
        usage = ev.get("usage") or {}
        n_in, n_out = int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        self.input_tokens += n_in
        self.output_tokens += n_out
        step = self._model_msgs.get(str(ev.get("msg_id", ""))) or self._step_for(ev)
        if step is not None:
            step["input_tokens"] += n_in
            step["output_tokens"] += n_out
            if isinstance(usage.get("metadata"), dict):
                step["timing"] = dict(usage["metadata"])
            if ev.get("error"):
                step["errors"].append(str(ev["error"]))

    def _delta(self, ev: Wire, key: str) -> None:
        step = self._model_msgs.get(str(ev.get("msg_id", ""))) or self._step_for(ev)
        if step is not None:
            step[key] += str(ev.get("delta", ""))  # type: ignore[literal-required]

    def _on_text_delta(self, ev: Wire) -> None:
        self._delta(ev, "text")

    def _on_thinking_delta(self, ev: Wire) -> None:
        self._delta(ev, "thinking")

    def _on_tool_call(self, ev: Wire) -> None:
        call_id = str(ev.get("tool_call_id", ""))
        if call_id in self._calls:
            return
        record: ToolCallRecord = {
            "id": call_id,
            "name": str(ev.get("name", "")),
            "input": dict(ev.get("input") or {}),
            "approval": None,
            "output": None,
            "state": None,
            "duration": 0.0,
        }
        self._calls[call_id] = record
        self._call_asked[call_id] = ev
        step = self._model_msgs.get(str(ev.get("msg_id", ""))) or self._step_for(ev)
        if step is not None:
            step["tool_calls"].append(record)

    def _on_approval_requested(self, ev: Wire) -> None:
        call_id = str(ev.get("tool_call_id", ""))
        self.pending_approvals[call_id] = {
            "tool_call_id": call_id,
            "name": ev.get("name", ""),
            "input": ev.get("input") or {},
        }
        if call_id in self._calls:
            self._calls[call_id]["approval"] = {"decision": "pending"}
        self.status = "waiting_approval"

    def _on_approval_resolved(self, ev: Wire) -> None:
        call_id = str(ev.get("tool_call_id", ""))
        self.pending_approvals.pop(call_id, None)
        call = self._calls.get(call_id)
        if call is not None:
            call["approval"] = {
                "decision": ev.get("decision", "approved"),
                "reason": ev.get("reason", ""),
                "by": ev.get("by", "human"),
                "original_input": ev.get("original_input") or {},
            }
            if ev.get("decision") == "edited":
                call["input"] = dict(ev.get("input") or {})
        if self.status == "waiting_approval" and not self.pending_approvals:
            self.status = "running"

    def _on_tool_result(self, ev: Wire) -> None:
        call = self._calls.get(str(ev.get("tool_call_id", "")))
        if call is None:
            self._on_tool_call(ev | {"input": {}})
            call = self._calls[str(ev.get("tool_call_id", ""))]
        call["output"] = list(ev.get("output") or [])
        call["state"] = str(ev.get("state", "success"))
        call["duration"] = float(ev.get("duration", 0.0))

    def _on_hint_injected(self, ev: Wire) -> None:
        self.items.append({"type": "hint", "text": ev.get("text", ""), "source": ev.get("source")})

    def _on_knowledge_retrieved(self, ev: Wire) -> None:
        item = {
            "type": "knowledge",
            "query": ev.get("query", ""),
            "source": ev.get("source", "knowledge"),
            "via": ev.get("via", "reply"),
            "chunks": list(ev.get("chunks") or []),
        }
        if ev.get("original_query"):  # the model rewrote the query
            item["original_query"] = ev["original_query"]
        self.items.append(item)

    def _on_message_completed(self, ev: Wire) -> None:
        msg = ev.get("msg") or {}
        step = self._model_msgs.get(str(msg.get("id", "")))
        content = msg.get("content")
        if step is not None:  # the model's answer: the final blocks are authoritative
            if isinstance(content, list):
                thinking = [b.get("thinking", "") for b in content if b.get("type") == "thinking"]
                if thinking:
                    step["thinking"] = "\n".join(thinking)
            text = block_text(content)
            if text:
                step["text"] = text
            return
        spoken = bool((msg.get("metadata") or {}).get("speech_of"))  # a reply's TTS audio
        if (self._step_for(ev) is None or spoken) and msg.get("role") != "system":
            is_tool_result = isinstance(content, list) and any(
                b.get("type") == "tool_result" for b in content
            )
            known = str(msg.get("id", "")) in self._msg_items  # a hub's opening: shown once
            if not is_tool_result and not known:
                item: dict[str, Any] = {"type": "message", "msg": msg, "observers": []}
                remote = self._remotes.get(str(ev.get("reply_id", "")))
                if remote:
                    item["remote"] = remote
                self._add_msg_item(item)
        if self.pending_input is not None and ev.get("agent") == self.pending_input.get("agent"):
            self.pending_input = None

    def _on_message_observed(self, ev: Wire) -> None:
        msg = ev.get("msg") or {}
        step = self._model_msgs.get(str(msg.get("id", "")))
        if step is not None:  # who saw a step's answer (as fold.js keeps it)
            observers = step.setdefault("observers", [])  # type: ignore[typeddict-item]
            observer = str(ev.get("observer") or "")
            if observer not in observers:
                observers.append(observer)
            return
        observer = str(ev.get("observer") or "")
        item = self._msg_items.get(str(msg.get("id", "")))
        if item is None:  # a message this run did not show yet (broadcast from outside)
            self._add_msg_item(
                {"type": "observed", "observer": observer, "msg": msg, "observers": [observer]}
            )
        elif observer not in item.setdefault("observers", []):
            item["observers"].append(observer)

    def _add_msg_item(self, item: dict[str, Any]) -> None:
        """Show a message once; the agents that observe it later join its ``observers``."""
        self.items.append(item)
        msg_id = str((item.get("msg") or {}).get("id") or "")
        if msg_id:
            self._msg_items[msg_id] = item

    def _on_reply_ended(self, ev: Wire) -> None:
        step = self._current.pop(str(ev.get("reply_id", "")), None)
        msg_id = str(ev.get("msg_id") or "")
        if step is not None and msg_id and msg_id not in self._model_msgs:
            # the returned Msg is not the model's (structured output): a hub that broadcasts
            # it later adds observers to this step instead of a second row
            self._msg_items.setdefault(msg_id, step)  # type: ignore[arg-type]
        if step is not None and step["ended"] is None:
            step["ended"] = ev.get("ts")

    def _on_status_changed(self, ev: Wire) -> None:
        status = str(ev.get("status", "running"))
        if status != "waiting_input" and self.pending_input is not None:
            self.pending_input = None
        if status == "idle":
            status = "running" if self.live else self.status
        self.status = status

    def _on_input_requested(self, ev: Wire) -> None:
        self.pending_input = {
            "request_id": ev.get("request_id", ""),
            "prompt": ev.get("prompt", ""),
            "agent": ev.get("agent", ""),
        }
        self.status = "waiting_input"

    def _on_feedback(self, ev: Wire) -> None:
        self.items.append(
            {
                "type": "feedback",
                "label": ev.get("label"),
                "score": ev.get("score"),
                "comment": ev.get("comment", ""),
            }
        )

    # ------------------------------------------------------------------ views
    def steps(self) -> list[StepRecord]:
        """The steps in order."""
        return [i for i in self.items if i.get("type") == "step"]  # type: ignore[misc]

    def tool_calls(self) -> list[tuple[Wire, ToolCallRecord]]:
        """Every tool call in the order asked, with the event that asked it (its ``seq``,
        ``agent``, ``reply_id``, ``step`` and ``input``: the arguments as the model asked
        them; the record's ``input`` is what ran)."""
        return [(self._call_asked[i], call) for i, call in self._calls.items()]

    def summary(self) -> dict[str, Any]:
        """The step-level state the live view syncs as traits."""
        elapsed = 0.0
        if self.started is not None and self.ended is not None:
            elapsed = max(0.0, float(self.ended) - float(self.started))
        return {
            "status": self.status,
            "agent": self.agent,
            "title": self.title,
            "step": self.last_step,
            "n_steps": self.n_steps,
            "pending_approvals": list(self.pending_approvals.values()),
            "pending_input": self.pending_input,
            "tokens": {"input": self.input_tokens, "output": self.output_tokens},
            "started": self.started,
            "elapsed": elapsed,
            "error": self.error,
            "live": self.live,
        }


__all__ = ["Timeline", "StepRecord", "ToolCallRecord", "block_text"]
