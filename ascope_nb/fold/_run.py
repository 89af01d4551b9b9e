"""``RunFold``: one pass over a run's events; every consumer reads its answers from it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..events import EVENT_TYPES, Event
from ..message import Msg
from ._conversation import Conversation, ModelCallState, Wire
from ._timeline import Timeline


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


def _system(text: str) -> dict[str, Any]:
    return {"id": "", "name": "system", "role": "system", "content": text, "metadata": {}}


def _dispatch() -> dict[str, tuple[Any, ...]]:
    table = {}
    for kind in EVENT_TYPES:
        handlers = tuple(
            h
            for h in (
                getattr(Timeline, f"_on_{kind}", None),
                getattr(Conversation, f"_c_{kind}", None),
            )
            if h is not None
        )
        if handlers:
            table[kind] = handlers
    return table


class RunFold(Timeline, Conversation):
    """Incremental fold of one run's events (``Event`` objects or their wire dicts).

    ``add`` is O(1) amortised per event; the answers are built on demand: ``items`` /
    ``steps()`` / ``summary()`` (the live view and the HTML transcript), ``messages()`` and
    ``reply()`` (the returned ``Msg``), ``model_calls()`` (what each model call saw and
    produced), ``memory_at()`` (an agent's memory before a step, for forking) and
    ``transcript()`` (the run's messages in memory order, for the exporters).

    Example:
        >>> fold = RunFold()
        >>> fold.add({"kind": "run_started", "agent": "Friday", "ts": 0.0})
        >>> fold.add({"kind": "step_started", "reply_id": "r1", "step": 0, "ts": 1.0})
        >>> fold.summary()["n_steps"], fold.summary()["status"]
        (1, 'running')
    """

    _DISPATCH: ClassVar[dict[str, tuple[Any, ...]]] = _dispatch()

    def __init__(self) -> None:
        Timeline.__init__(self)
        Conversation.__init__(self)

    def add(self, ev: Event | Wire) -> None:
        """Fold one event."""
        if type(ev) is dict:
            d: Wire = ev
            kind = d.get("kind", "")
        else:
            d, kind = ev.__dict__, ev.kind  # type: ignore[union-attr]
        if self.started is None:
            self.started = d.get("ts")
        if not self.agent and d.get("agent"):
            self.agent = str(d["agent"])
        if not self.run_id and d.get("run_id"):
            self.run_id = str(d["run_id"])
        for handler in self._DISPATCH.get(kind, ()):
            handler(self, d)

    def extend(self, events: Iterable[Event | Wire]) -> RunFold:
        """Fold many events; returns ``self``."""
        add = self.add
        for ev in events:
            add(ev)
        return self

    # ------------------------------------------------------------------ messages
    def messages(self) -> dict[str, Msg]:
        """Every completed message, by id, content rebuilt from the streamed pieces."""
        out: dict[str, Msg] = {}
        for msg_id in self.msg_order:
            msg = self.rebuilt(msg_id)
            if msg is not None:
                out[msg_id] = Msg.from_dict(msg)
        return out

    def reply(self, reply_id: str | None = None) -> Msg:
        """The Msg an agent returned (the last finished reply if no ``reply_id``)."""
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

    def _call_record(self, call: ModelCallState) -> ModelCallRecord:
        reply = self.replies.get(call.reply_id)
        sys_prompt = self._system_prompt(call.agent, call.reply_id)
        seen = [self.as_seen(i) for i in call.memory[: call.n]]
        messages = [m for m in seen if m is not None]
        inputs = ([_system(sys_prompt)] if sys_prompt is not None else []) + messages
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
        """Every model call of the run, in order, with the messages it saw and produced."""
        return [self._call_record(c) for c in self.call_states]

    def memory_at(self, reply_id: str, step: int) -> list[dict[str, Any]]:
        """The agent's memory when step ``step`` of reply ``reply_id`` called the model
        (without the system prompt): the state to fork a run from."""
        reply = self.replies.get(reply_id)
        for call in reply.calls if reply is not None else ():
            if call.step == step:
                seen = (self.as_seen(i) for i in call.memory[: call.n])
                return [m for m in seen if m is not None]
        raise ValueError(f"no model call at step {step} of reply {reply_id!r}")


def fold_messages(events: Iterable[Event | Wire]) -> dict[str, Msg]:
    """Every message of the events, by id, with content rebuilt from the streamed pieces.

    Streamed messages (text / thinking deltas, tool calls, tool results) get their content
    from those events; others (user input, announcements) from ``MessageCompleted``.
    """
    return RunFold().extend(events).messages()


def fold_reply(events: Iterable[Event | Wire], reply_id: str | None = None) -> Msg:
    """The Msg an agent returned, rebuilt from its events (the last reply if no ``reply_id``)."""
    return RunFold().extend(events).reply(reply_id)


__all__ = ["RunFold", "ModelCallRecord", "fold_messages", "fold_reply"]
