"""``RunFold``: one pass over a run's events; every consumer reads its answers from it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..events import EVENT_TYPES, Event
from ..message import Msg
from ._conversation import Conversation, ModelCallState, Wire
from ._plan import PlanFold, PlanState
from ._streamed import Streamed
from ._timeline import StepRecord, Timeline, ToolCallRecord


@dataclass
class ModelCallRecord:
    """One model request: exactly the messages the model was sent and what it answered.

    ``input`` is the prompt before formatting, as ``Msg`` dicts: the system prompt, the
    agent's memory at the call (earlier turns and observed hub messages included, edited tool
    calls as they ran) and any extra instruction (the max-iters summary request).
    ``output`` is the answer as produced (tool calls as the model asked them), None when the
    call failed before any content. ``exact`` is True when the events recorded the memory
    the reply started from (runs recorded before that rebuild it from this run alone).
    ``formatter`` names the formatter class that turned ``input`` into the request.
    """

    msg_id: str
    reply_id: str
    agent: str
    step: int
    model: str
    input: list[dict[str, Any]]
    output: dict[str, Any] | None
    error: str | None
    usage: dict[str, Any] | None
    exact: bool
    formatter: str = ""


_MISSING: Any = object()


def _system(text: str) -> dict[str, Any]:
    return {"id": "", "name": "system", "role": "system", "content": text, "metadata": {}}


def _handlers(cls: type, prefix: str) -> dict[str, Any]:
    found = {kind: getattr(cls, f"{prefix}{kind}", None) for kind in EVENT_TYPES}
    return {kind: h for kind, h in found.items() if h is not None}


class RunFold(Timeline, Conversation, Streamed, PlanFold):
    """Incremental fold of one run's events (``Event`` objects or their wire dicts).

    ``add`` is O(1) per event: it folds the timeline (which a live view reads after every
    event) and logs the event; the conversation part folds the log when first asked, then
    goes on from where it stopped (O(1) amortised per event). Answers: ``items`` /
    ``steps()`` / ``summary()`` (the live view and the HTML transcript), ``messages()`` and
    ``reply()`` (the returned ``Msg``), ``model_calls()`` (what each model call saw and
    produced), ``memory_at()`` (an agent's memory before a step, for forking) and
    ``transcript()`` (the run's messages in memory order, for the exporters).
    ``timeline=False`` skips the steps and summary (for consumers that only need messages).

    Example:
        >>> fold = RunFold()
        >>> fold.add({"kind": "run_started", "agent": "Friday", "ts": 0.0})
        >>> fold.add({"kind": "step_started", "reply_id": "r1", "step": 0, "ts": 1.0})
        >>> fold.summary()["n_steps"], fold.summary()["status"]
        (1, 'running')
    """

    _TIMELINE: ClassVar[dict[str, Any]] = _handlers(Timeline, "_on_")
    _CONVERSATION: ClassVar[dict[str, Any]] = {
        **_handlers(Conversation, "_c_"),
        **_handlers(PlanFold, "_c_"),  # the plan after each change (``plan_state``)
    }
    _STREAMED: ClassVar[dict[str, Any]] = _handlers(Streamed, "_s_")

    def __init__(self, *, timeline: bool = True) -> None:
        Timeline.__init__(self)
        Conversation.__init__(self)
        Streamed.__init__(self)
        PlanFold.__init__(self)
        self._log: list[Event | Wire] = []
        self._logged = self._log.append
        self._folded = 0  # how much of the log the conversation part has folded
        self._streamed_to = 0  # and the streamed part
        self._timeline = timeline

    def add(self, ev: Event | Wire) -> None:
        """Fold one event."""
        self.extend((ev,))

    def extend(self, events: Iterable[Event | Wire]) -> RunFold:
        """Fold many events; returns ``self``."""
        logged, table = self._logged, self._TIMELINE if self._timeline else None
        for ev in events:
            logged(ev)
            if table is None:
                continue
            if type(ev) is dict:
                d: Wire = ev
                handler = table.get(d.get("kind", ""))
            else:
                d = ev.__dict__
                handler = table.get(ev.kind)  # type: ignore[union-attr]
            if self.started is None:
                self.started = d.get("ts")
            if not self.agent and d.get("agent"):
                self.agent = str(d["agent"])
            if handler is not None:
                handler(self, d)
        return self

    def _fold_log(self, start: int, table: dict[str, Any], run_id: bool) -> int:
        log = self._log
        for i in range(start, len(log)):
            ev = log[i]
            if type(ev) is dict:
                d: Wire = ev
                handler = table.get(d.get("kind", ""))
            else:
                d = ev.__dict__
                handler = table.get(ev.kind)  # type: ignore[union-attr]
            if run_id and not self.run_id and d.get("run_id"):
                self.run_id = str(d["run_id"])
            if handler is not None:
                handler(self, d)
        return len(log)

    def _sync(self) -> None:
        if self._folded != len(self._log):
            self._folded = self._fold_log(self._folded, self._CONVERSATION, True)

    def _sync_streamed(self) -> None:
        if self._streamed_to != len(self._log):
            self._streamed_to = self._fold_log(self._streamed_to, self._STREAMED, False)

    def rebuilt(self, msg_id: str) -> Wire | None:
        """Message ``msg_id`` with its content rebuilt from the streamed pieces (None: it
        never completed, e.g. a crash mid-stream)."""
        self._sync_streamed()
        header = self.completed.get(msg_id)
        if header is None:
            return None
        content = self.content_of(msg_id)
        return header if content is None else {**header, "content": content}

    def steps(self) -> list[StepRecord]:
        """The steps in order."""
        self._need_timeline()
        return Timeline.steps(self)

    def summary(self) -> dict[str, Any]:
        """The step-level state the live view syncs as traits."""
        self._need_timeline()
        return Timeline.summary(self)

    def tool_calls(self) -> list[tuple[Wire, ToolCallRecord]]:
        """Every tool call with the event that asked it (see ``Timeline.tool_calls``)."""
        self._need_timeline()
        return Timeline.tool_calls(self)

    def _need_timeline(self) -> None:
        if not self._timeline:
            raise ValueError("this RunFold was made with timeline=False: it has no steps")

    def sync(self) -> RunFold:
        """Bring the conversation state up to the last event (the accessors do it)."""
        self._sync()
        return self

    # ------------------------------------------------------------------ messages
    def messages(self) -> dict[str, Msg]:
        """Every completed message, by id, content rebuilt from the streamed pieces."""
        self._sync_streamed()
        out: dict[str, Msg] = {}
        for msg_id in self.msg_order:
            msg = self.rebuilt(msg_id)
            if msg is not None:
                out[msg_id] = Msg.from_dict(msg)
        return out

    def reply(self, reply_id: str | None = None) -> Msg:
        """The Msg an agent returned (the last finished reply if no ``reply_id``)."""
        self._sync_streamed()
        ends = [e for e in self.reply_ends if reply_id is None or e[0] == reply_id]
        if not ends:
            raise ValueError(
                f"no finished reply {reply_id!r} in these events"
                if reply_id
                else "no finished reply in these events"
            )
        msg_id = ends[-1][1]
        msg = self.rebuilt(msg_id)
        if msg is None:
            raise ValueError(f"reply message {msg_id!r} is not in these events")
        return Msg.from_dict(msg)

    # ------------------------------------------------------------------ model calls
    def _system_prompt(self, agent: str, reply_id: str) -> str | None:
        reply = self.replies.get(reply_id)
        if reply is not None and reply.sys_prompt is not None:
            return reply.sys_prompt
        meta = self.run_info.get("metadata") or {}
        if agent == self.run_info.get("agent") and isinstance(meta.get("sys_prompt"), str):
            return str(meta["sys_prompt"])
        return None

    def _call_record(
        self, call: ModelCallState, seen_cache: dict[str, Wire | None]
    ) -> ModelCallRecord:
        reply = self.replies.get(call.reply_id)
        sys_prompt = self._system_prompt(call.agent, call.reply_id)
        messages = []
        for msg_id in call.memory[: call.n]:
            msg = seen_cache.get(msg_id, _MISSING)
            if msg is _MISSING:
                msg = seen_cache[msg_id] = self.as_seen(msg_id)
            if msg is not None:
                messages.append(msg)
        system: list[Wire] = []
        if sys_prompt is not None:  # one dict per prompt text, shared like the messages
            key = "\0system:" + sys_prompt
            cached = seen_cache.get(key)
            if cached is None:
                cached = seen_cache[key] = _system(sys_prompt)
            system.append(cached)
        inputs = system + messages
        exact = (
            reply is not None
            and reply.recorded
            and len(messages) == call.n
            and call.n_memory in (-1, call.n)
        )
        return ModelCallRecord(
            msg_id=call.msg_id,
            reply_id=call.reply_id,
            agent=call.agent,
            step=call.step,
            model=call.model,
            input=inputs + list(call.extra),
            output=self.headers.get(call.msg_id),
            error=call.error,
            usage=call.usage,
            exact=exact,
            formatter=reply.formatter if reply is not None else "",
        )

    def model_calls(self) -> list[ModelCallRecord]:
        """Every model call of the run, in order, with the messages it saw and produced.

        Calls share their message dicts (a long run's prompts overlap): copy before changing.
        """
        return list(self.iter_model_calls())

    def iter_model_calls(self) -> Iterator[ModelCallRecord]:
        """``model_calls()`` one at a time (each call's list is built when reached)."""
        self._sync()
        cache: dict[str, Wire | None] = {}
        for call in self.call_states:
            yield self._call_record(call, cache)

    def memory_at(self, reply_id: str, step: int) -> list[dict[str, Any]]:
        """The agent's memory when step ``step`` of reply ``reply_id`` called the model
        (without the system prompt): the state to fork a run from."""
        self._sync()
        reply = self.replies.get(reply_id)
        for call in reply.calls if reply is not None else ():
            if call.step == step:
                seen = (self.as_seen(i) for i in call.memory[: call.n])
                return [m for m in seen if m is not None]
        raise ValueError(f"no model call at step {step} of reply {reply_id!r}")

    def plan_at(self, reply_id: str, step: int) -> PlanState:
        """The agent's plan when step ``step`` of reply ``reply_id`` called the model (a
        fork from that step starts from it)."""
        self._sync()
        reply = self.replies.get(reply_id)
        for call in reply.calls if reply is not None else ():
            if call.step == step:
                return self.plan_state(agent=call.agent, before_seq=call.seq)
        raise ValueError(f"no model call at step {step} of reply {reply_id!r}")


def fold_messages(events: Iterable[Event | Wire]) -> dict[str, Msg]:
    """Every message of the events, by id, with content rebuilt from the streamed pieces.

    Streamed messages (text / thinking deltas, tool calls, tool results) get their content
    from those events; others (user input, announcements) from ``MessageCompleted``.
    """
    return RunFold(timeline=False).extend(events).messages()


def fold_reply(events: Iterable[Event | Wire], reply_id: str | None = None) -> Msg:
    """The Msg an agent returned, rebuilt from its events (the last reply if no ``reply_id``)."""
    return RunFold(timeline=False).extend(events).reply(reply_id)


__all__ = ["RunFold", "ModelCallRecord", "fold_messages", "fold_reply"]
