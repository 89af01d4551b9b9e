"""The event schema: every action of an agent is one typed, JSON-serialisable event.

This module is the single source of truth for the stream that the live widgets, the run
store, the tracer and the console printer all consume (schema ``ascope.event/1``).

Example:
    >>> ev = TextDelta(run_id="r1", agent="Friday", msg_id="m1", block_id="b1", delta="Hi")
    >>> event_from_dict(ev.to_dict()) == ev
    True

Ids: ``run_id`` (one run), ``reply_id`` (one agent reply inside it), ``step`` (ReAct
iteration, from 0), ``msg_id`` (the ``Msg`` being built), ``block_id`` (a streamed block),
``tool_call_id``. ``seq`` numbers the events of a run from 0, in emission order.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

from .redact import redact_event

SCHEMA = "ascope.event/1"

RunStatus = Literal["running", "completed", "interrupted", "error", "max_iters", "crashed"]
ToolState = Literal["success", "error", "interrupted", "denied"]
AgentStatus = Literal["running", "paused", "waiting_approval", "waiting_input", "idle"]

_log = logging.getLogger("ascope_nb.events")


@dataclass(kw_only=True)
class Event:
    """Fields shared by every event. ``kind`` is the discriminator of the wire format."""

    kind: ClassVar[str] = "event"
    run_id: str = ""
    agent: str = ""
    reply_id: str = ""
    seq: int = -1
    ts: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: ``{"schema": "ascope.event/1", "kind": ..., ...fields}``."""
        names = _FIELD_NAMES.get(type(self))
        if names is None:  # read once per class (``fields()`` costs more than the copy)
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))
        data: dict[str, Any] = {"schema": SCHEMA, "kind": self.kind}
        for name in names:
            data[name] = getattr(self, name)
        return data


_FIELD_NAMES: dict[type[Event], tuple[str, ...]] = {}


@dataclass(kw_only=True)
class RunStarted(Event):
    """A run began; ``input`` holds the input messages as dicts, ``title`` a short label."""

    kind: ClassVar[str] = "run_started"
    input: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    model: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class RunEnded(Event):
    """A run finished with ``status``; ``output`` is the final Msg as a dict."""

    kind: ClassVar[str] = "run_ended"
    status: RunStatus = "completed"
    error: str | None = None
    output: dict[str, Any] | None = None


@dataclass(kw_only=True)
class ReplyStarted(Event):
    """An agent began a reply (one ``await agent(msg)``).

    For agents with a memory (ReAct) it records the context the model will see, once per
    reply: ``memory_ids`` the ids of the memory's messages before ``input`` is added (None:
    not recorded, as in runs stored before this field), ``memory`` those of them that no
    earlier event of this run carried (full ``Msg`` dicts: earlier turns of a follow-up),
    ``sys_prompt`` and ``formatter`` (the formatter class name).
    """

    kind: ClassVar[str] = "reply_started"
    input: list[dict[str, Any]] = field(default_factory=list)
    memory_ids: list[str] | None = None
    memory: list[dict[str, Any]] = field(default_factory=list)
    sys_prompt: str | None = None
    formatter: str = ""
    remote: str = ""  # a remote agent's reply (A2A): where it runs, host[:port] only
    # why guidance, Pause and Step cannot reach this reply (a remote on a plain A2A server)
    unsteerable: str = ""


@dataclass(kw_only=True)
class ReplyEnded(Event):
    """An agent's reply finished; ``msg_id`` names the returned Msg (see ``MessageCompleted``)."""

    kind: ClassVar[str] = "reply_ended"
    msg_id: str = ""
    status: RunStatus = "completed"


@dataclass(kw_only=True)
class StepStarted(Event):
    """A ReAct iteration began."""

    kind: ClassVar[str] = "step_started"
    step: int = 0


@dataclass(kw_only=True)
class StepEnded(Event):
    """A ReAct iteration finished (its tool results are in memory)."""

    kind: ClassVar[str] = "step_ended"
    step: int = 0


@dataclass(kw_only=True)
class ModelCallStarted(Event):
    """A model request was sent; the answer is built into Msg ``msg_id``.

    The request was the system prompt, the first ``n_memory`` messages of the agent's memory
    (-1: not recorded) and ``extra`` (messages outside the memory, such as the max-iters
    summary request), formatted into ``n_messages`` messages.
    """

    kind: ClassVar[str] = "model_call_started"
    step: int = 0
    model: str = ""
    msg_id: str = ""
    n_messages: int = 0
    n_memory: int = -1
    extra: list[dict[str, Any]] = field(default_factory=list)


@dataclass(kw_only=True)
class ModelCallEnded(Event):
    """A model request finished; ``usage`` as ``ChatUsage.to_dict()``; ``error`` if it failed."""

    kind: ClassVar[str] = "model_call_ended"
    step: int = 0
    model: str = ""
    msg_id: str = ""
    usage: dict[str, Any] | None = None
    latency: float = 0.0
    error: str | None = None


@dataclass(kw_only=True)
class TextDelta(Event):
    """New text for block ``block_id`` of Msg ``msg_id``."""

    kind: ClassVar[str] = "text_delta"
    msg_id: str = ""
    block_id: str = ""
    delta: str = ""


@dataclass(kw_only=True)
class ThinkingDelta(Event):
    """New reasoning text for block ``block_id`` of Msg ``msg_id``."""

    kind: ClassVar[str] = "thinking_delta"
    msg_id: str = ""
    block_id: str = ""
    delta: str = ""


@dataclass(kw_only=True)
class ToolCall(Event):
    """The model asked for a tool call (complete arguments)."""

    kind: ClassVar[str] = "tool_call"
    step: int = 0
    msg_id: str = ""
    tool_call_id: str = ""
    name: str = ""
    input: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(kw_only=True)
class ApprovalRequested(Event):
    """A tool call waits for a human decision."""

    kind: ClassVar[str] = "approval_requested"
    tool_call_id: str = ""
    name: str = ""
    input: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class ApprovalResolved(Event):
    """A decision on a tool call: approved, denied, or edited (``input`` is then the new one)."""

    kind: ClassVar[str] = "approval_resolved"
    tool_call_id: str = ""
    name: str = ""
    decision: Literal["approved", "denied", "edited"] = "approved"
    input: dict[str, Any] = field(default_factory=dict)
    original_input: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    by: str = "human"


@dataclass(kw_only=True)
class ToolProgress(Event):
    """A streaming tool yielded a chunk (cumulative ``output``)."""

    kind: ClassVar[str] = "tool_progress"
    tool_call_id: str = ""
    name: str = ""
    output: list[dict[str, Any]] = field(default_factory=list)


@dataclass(kw_only=True)
class ToolResult(Event):
    """A tool call finished; ``state`` says how. ``msg_id`` is the tool-result Msg."""

    kind: ClassVar[str] = "tool_result"
    step: int = 0
    msg_id: str = ""
    tool_call_id: str = ""
    name: str = ""
    output: list[dict[str, Any]] = field(default_factory=list)
    state: ToolState = "success"
    duration: float = 0.0


@dataclass(kw_only=True)
class HintInjected(Event):
    """Guidance added before the next reasoning step (``source``: human or system)."""

    kind: ClassVar[str] = "hint_injected"
    text: str = ""
    source: Literal["human", "system"] = "human"
    step: int = 0


@dataclass(kw_only=True)
class MessageCompleted(Event):
    """A Msg is final (``msg`` is ``Msg.to_dict()``); ``added_to_memory`` if the agent kept it."""

    kind: ClassVar[str] = "message_completed"
    msg: dict[str, Any] = field(default_factory=dict)
    added_to_memory: bool = True


@dataclass(kw_only=True)
class MessageObserved(Event):
    """``observer`` received a broadcast Msg (MsgHub) without replying."""

    kind: ClassVar[str] = "message_observed"
    observer: str = ""
    msg: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class StatusChanged(Event):
    """The agent's waiting state changed (paused, waiting for approval or input, running)."""

    kind: ClassVar[str] = "status_changed"
    status: AgentStatus = "running"
    detail: str = ""


@dataclass(kw_only=True)
class InputRequested(Event):
    """A UserAgent waits for the person's input."""

    kind: ClassVar[str] = "input_requested"
    request_id: str = ""
    prompt: str = ""


@dataclass(kw_only=True)
class FeedbackGiven(Event):
    """A judgement of a run or one of its steps: a person's, or a metric's (``metric``)."""

    kind: ClassVar[str] = "feedback"
    score: float | None = None
    label: Literal["up", "down"] | None = None
    comment: str = ""
    step: int | None = None
    metric: str = ""  # set when an experiment's metric gave the score (not a person)


@dataclass(kw_only=True)
class KnowledgeRetrieved(Event):
    """Chunks were retrieved for ``query`` from a knowledge base or the long-term memory.

    ``source``: ``"knowledge"`` (RAG) or ``"long_term_memory"``; ``chunks``: one dict per
    chunk, best first: ``{"text", "score", "doc_id", "chunk_id", "source"}`` (``source`` is
    the file or label it came from, "" if unknown); ``via``: ``"reply"`` (before reasoning)
    or ``"tool"`` (the model called a retrieval tool). ``original_query``: the user's text
    when ``query`` is the model's rewrite of it (``enable_rewrite_query``), else "".
    """

    kind: ClassVar[str] = "knowledge_retrieved"
    query: str = ""
    source: Literal["knowledge", "long_term_memory"] = "knowledge"
    chunks: list[dict[str, Any]] = field(default_factory=list)
    via: Literal["reply", "tool", "user"] = "reply"
    step: int = 0
    original_query: str = ""


@dataclass(kw_only=True)
class PlanChanged(Event):
    """An agent's plan changed (``ascope_nb.plan``): ``plan`` is the whole current plan after
    the change (``Plan.model_dump()``, None once finished); ``op`` the tool or edit that
    changed it (``create_plan``, ``finish_subtask``, ``edit``, ``approve``...); ``by``
    ``"agent"`` or ``"human"``; ``detail`` one line saying what changed; ``finished`` the
    plan that left for the history (finished or replaced), if any. ``step`` is the first
    ReAct step whose model call sees this plan (a change made by a tool in step s: s + 1; a
    person's edit applied before step s: s), so a fork from step k restores the last change
    with ``step <= k``.
    """

    kind: ClassVar[str] = "plan_changed"
    plan: dict[str, Any] | None = None
    op: str = ""
    by: Literal["agent", "human"] = "agent"
    detail: str = ""
    finished: dict[str, Any] | None = None
    step: int = 0


@dataclass(kw_only=True)
class SpeechStarted(Event):
    """An agent began speaking ``text`` (the text of Msg ``msg_id``) as ``speech_id``.

    The audio follows as ``SpeechChunk`` events (16-bit mono PCM at ``sample_rate``, base64)
    and ends with ``SpeechEnded``; the whole audio is then one ``MessageCompleted`` audio
    message (``metadata["speech_of"] == msg_id``), which is what transcripts and saved
    outputs keep.
    """

    kind: ClassVar[str] = "speech_started"
    speech_id: str = ""
    msg_id: str = ""
    text: str = ""
    sample_rate: int = 24000


@dataclass(kw_only=True)
class SpeechChunk(Event):
    """More audio of ``speech_id``: ``data`` is base64 16-bit mono PCM (``index`` from 0);
    it speaks ``text[text_start:text_end]`` of the ``SpeechStarted`` text."""

    kind: ClassVar[str] = "speech_chunk"
    speech_id: str = ""
    index: int = 0
    data: str = ""
    text_start: int = 0
    text_end: int = 0


@dataclass(kw_only=True)
class SpeechEnded(Event):
    """``speech_id`` finished: ``status`` completed, interrupted (Stop, barge-in) or error;
    ``duration`` seconds of audio produced."""

    kind: ClassVar[str] = "speech_ended"
    speech_id: str = ""
    msg_id: str = ""
    status: Literal["completed", "interrupted", "error"] = "completed"
    duration: float = 0.0
    error: str | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        RunStarted,
        RunEnded,
        ReplyStarted,
        ReplyEnded,
        StepStarted,
        StepEnded,
        ModelCallStarted,
        ModelCallEnded,
        TextDelta,
        ThinkingDelta,
        ToolCall,
        ApprovalRequested,
        ApprovalResolved,
        ToolProgress,
        ToolResult,
        HintInjected,
        MessageCompleted,
        MessageObserved,
        StatusChanged,
        InputRequested,
        FeedbackGiven,
        KnowledgeRetrieved,
        PlanChanged,
        SpeechStarted,
        SpeechChunk,
        SpeechEnded,
    )
}


def ended_by(exc: BaseException | None) -> tuple[RunStatus, str | None]:
    """How a run ended, from the exception that ended it (None: it completed).

    Example:
        >>> ended_by(ValueError("bad"))
        ('error', 'ValueError: bad')
    """
    if exc is None:
        return "completed", None
    if type(exc).__name__ == "CancelledError":
        return "interrupted", None
    return "error", f"{type(exc).__name__}: {exc}"


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its wire form; unknown fields are ignored for forward compatibility."""
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise ValueError(f"unsupported event schema {schema!r}; this version reads {SCHEMA!r}")
    try:
        cls = EVENT_TYPES[data["kind"]]
    except KeyError:
        raise ValueError(f"unknown event kind {data.get('kind')!r}") from None
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


# --------------------------------------------------------------------------- emission

Subscriber = Callable[[Event], None]


class Subscription:
    """Handle returned by ``subscribe``; ``close()`` (or ``with``) stops delivery."""

    __slots__ = ("_subscribers", "_callback")

    def __init__(self, subscribers: list[Subscriber], callback: Subscriber) -> None:
        self._subscribers = subscribers
        self._callback = callback

    def close(self) -> None:
        if self._callback in self._subscribers:
            self._subscribers.remove(self._callback)
        if self._subscribers is _global_subscribers:
            _wanted.pop(id(self._callback), None)
            _reroute()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_global_subscribers: list[Subscriber] = []
# Process-wide delivery by event type: the subscribers that want each type (filled on
# first use, replaced by an empty table when a subscriber comes or goes, so a route
# computed while that happens lands in the old table), and the types each one declared.
_routes: dict[type[Event], tuple[Subscriber, ...]] = {}
_wanted: dict[int, frozenset[type[Event]]] = {}


def _reroute() -> None:
    global _routes
    _routes = {}


def subscribe(
    callback: Subscriber, *, event_types: Iterable[type[Event]] | None = None
) -> Subscription:
    """Receive every event of every run in this process (used by the store and tracers).

    ``event_types``: deliver only events of these classes (default: all). Events of other
    types then cost this subscriber nothing (no call).

    Example:
        >>> seen = []
        >>> with subscribe(seen.append, event_types=[RunStarted, RunEnded]):
        ...     pass
    """
    if event_types is not None:
        _wanted[id(callback)] = frozenset(event_types)
    else:  # (an entry left by a callback removed without close() must not apply to this one)
        _wanted.pop(id(callback), None)
    _global_subscribers.append(callback)
    _reroute()
    return Subscription(_global_subscribers, callback)


def _route(kind: type[Event]) -> tuple[Subscriber, ...]:
    """The process-wide subscribers that want events of class ``kind`` (then cached)."""
    routes = _routes
    route = tuple(
        callback for callback in _global_subscribers if kind in _wanted.get(id(callback), (kind,))
    )
    routes[kind] = route
    return route


def _deliver(subscribers: Iterable[Subscriber], event: Event) -> None:
    for callback in tuple(subscribers):
        try:
            callback(event)
        except Exception:  # a broken consumer must never break the agent
            _log.exception("event subscriber %r failed on %s", callback, event.kind)


class RunContext:
    """The emitter of one run: numbers events and delivers them to the run's subscribers."""

    __slots__ = ("run_id", "subscribers", "_seq", "events", "keep_events", "call_ids", "steerable")

    def __init__(self, run_id: str, *, keep_events: bool = False) -> None:
        self.run_id = run_id
        self.subscribers: list[Subscriber] = []
        self._seq = 0
        self.keep_events = keep_events
        self.events: list[Event] = []
        self.call_ids: set[str] = set()  # tool-call ids in use: a repeated one is renamed
        self.steerable = False  # a Run's: its controls (buttons, run.approve) can answer

    def emit(self, event: Event, agent_subscribers: Iterable[Subscriber] = ()) -> Event:
        if self.keep_events or self.subscribers or _global_subscribers or agent_subscribers:
            redact_event(event)  # secrets never reach a subscriber, the store or run.events
        # else nobody sees the payload (the emitter keeps only ids and seq): no walk needed
        event.run_id = self.run_id
        event.seq = self._seq
        self._seq += 1
        if self.keep_events:
            self.events.append(event)
        if self.subscribers:
            _deliver(self.subscribers, event)
        if _global_subscribers:
            route = _routes.get(type(event))
            if route is None:
                route = _route(type(event))
            for callback in route:  # _deliver, inlined: the hot path of every subscriber
                try:
                    callback(event)
                except Exception:
                    _log.exception("event subscriber %r failed on %s", callback, event.kind)
        if agent_subscribers:
            _deliver(agent_subscribers, event)
        return event


current_run: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar(
    "ascope_current_run", default=None
)
current_reply: contextvars.ContextVar[str] = contextvars.ContextVar(
    "ascope_current_reply", default=""
)


__all__ = [
    "SCHEMA",
    "Event",
    "EVENT_TYPES",
    "event_from_dict",
    "ended_by",
    "subscribe",
    "Subscription",
    "Subscriber",
    "RunContext",
    "current_run",
    "current_reply",
    *[cls.__name__ for cls in EVENT_TYPES.values()],
]
