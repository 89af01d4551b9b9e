"""``EventTracer``: a subscriber of the event stream that writes OpenTelemetry GenAI spans.

One run is one trace:

- ``invoke_agent {agent}`` per reply (the first reply of an agent run is the trace's root;
  replies inside a reply nest under it);
- a sample of an experiment (``ascope_nb.experiment``): its run hangs off one
  ``experiment {name}`` span, so an experiment is one trace;
- a MsgHub run: a ``MsgHub`` root, one ``round {n}`` span per round of speakers, the replies
  under their round;
- ``chat {model}`` per model call, ``execute_tool {tool}`` per tool call, under their reply;
- steering, approvals, denials, interrupts, pauses and feedback as span events;
- errors as span status.

Attributes follow the OpenTelemetry GenAI semantic conventions (``gen_ai.*``); our own are
under ``ascope.*``. Message content (``gen_ai.input.messages``, ``gen_ai.output.messages``,
tool arguments and results, steering text) is recorded only with ``capture_content=True``,
and always after redaction. Span times are the events' times, so a stored run can be
traced after the fact by feeding it its events.

This module imports OpenTelemetry: load it only when tracing is switched on.

Example:
    >>> from opentelemetry.sdk.trace import TracerProvider
    >>> tracer = EventTracer(tracer_provider=TracerProvider())
    >>> from ascope_nb.events import RunStarted
    >>> tracer(RunStarted(run_id="r1", agent="Friday"))
    >>> tracer.trace_id("r1") is not None
    True
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace as otel
from opentelemetry.trace import Span, SpanContext, SpanKind, Status, StatusCode, TracerProvider

from .. import hooks
from .._version import __version__
from ..events import (
    ApprovalRequested,
    ApprovalResolved,
    Event,
    FeedbackGiven,
    HintInjected,
    InputRequested,
    MessageCompleted,
    ModelCallEnded,
    ModelCallStarted,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    StatusChanged,
    ToolCall,
    ToolResult,
)
from . import _registry
from ._redact import redact
from ._sink import _FinishedSpanSink, _json, _messages, _ns, _output_text, _Pending

HUB = "MsgHub"
_PROVIDERS = {
    "DashScopeChatModel": "dashscope",
    "OllamaChatModel": "ollama",
    "OpenAIChatModel": "openai",
    "AnthropicChatModel": "anthropic",
    "GeminiChatModel": "gemini",
    "OpenAIResponseModel": "openai",
}


@dataclass
class _Trace:
    """The open spans of one traced run."""

    root: Span
    kind: str  # "agent" or "hub"
    agent: str
    root_reply: str = ""  # the reply id the root span stands for (agent runs)
    replies: dict[str, Span] = field(default_factory=dict)
    stack: list[str] = field(default_factory=list)  # open reply ids, innermost last
    chats: dict[str, _Pending] = field(default_factory=dict)  # by msg id
    tools: dict[str, _Pending] = field(default_factory=dict)  # by tool call id
    participants: int = 1
    top_replies: int = 0
    round: Span | None = None
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # msg id -> msg
    # reply id -> (the span chat and tool spans hang off, its context if sampled, else None)
    parents: dict[str, tuple[Span, SpanContext | None]] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)  # agent name -> provider
    experiment: str = ""  # the experiment this run is a sample of (its span is the parent)


@dataclass
class _Experiment:
    """The span of an experiment: parent of its samples' runs, one trace for all of them.

    It ends when the experiment ends (``experiment_ended``), after its last sample; if
    that never comes (tracing switched off first), at its last sample's end.
    """

    span: Span
    context: SpanContext
    running: int = 0
    last_end: float = 0.0  # when its last sample ended (where an unfinished one is cut)


class EventTracer:
    """Turns the events of every run into spans (a subscriber: ``events.subscribe(tracer)``).

    Args:
        tracer_provider: where spans go; default: OpenTelemetry's global provider.
        capture_content: also record message content, tool arguments and results
            (redacted). Off by default, as the GenAI conventions ask.

    Example:
        >>> from opentelemetry.sdk.trace import TracerProvider
        >>> from ascope_nb.events import subscribe
        >>> subscription = subscribe(EventTracer(tracer_provider=TracerProvider()))
        >>> subscription.close()
    """

    def __init__(
        self, *, tracer_provider: TracerProvider | None = None, capture_content: bool = False
    ) -> None:
        provider = tracer_provider or otel.get_tracer_provider()
        self.otel_tracer = provider.get_tracer("ascope_nb", __version__)
        self.capture_content = capture_content
        sink = _FinishedSpanSink.of(provider)
        self._finish = sink.write if sink is not None else self._finish_live
        self._runs: dict[str, _Trace] = {}
        self._ended: dict[str, SpanContext] = {}  # root span of ended runs (late feedback)
        self._experiments: dict[str, _Experiment] = {}  # by experiment name

    # ------------------------------------------------------------------ public
    def trace_id(self, run_id: str) -> str | None:
        """The trace id of run ``run_id`` (32 hex digits), or None if not traced."""
        return _registry.trace_id_of(run_id)

    def span_of_reply(self, run_id: str, reply_id: str) -> Span | None:
        """The open ``invoke_agent`` span of a reply (parent of user-decorated spans)."""
        run = self._runs.get(run_id)
        return run.replies.get(reply_id) if run is not None else None

    @property
    def event_types(self) -> frozenset[type[Event]]:
        """The event classes this tracer reads (``subscribe`` delivers only these)."""
        return _EVENT_TYPES

    def __call__(self, event: Event) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is None:  # deltas, progress, observations: nothing to trace
            return
        run = self._runs.get(event.run_id)
        if run is not None:
            handler(self, run, event)
        elif type(event) is RunStarted and event.run_id:
            self._run_started(event)
        elif type(event) is FeedbackGiven and event.run_id in self._ended:
            self._late_feedback(event)

    # ------------------------------------------------------------------ helpers
    def _start(self, name: str, parent: Span | None, ts: float, attributes: dict[str, Any]) -> Span:
        context = otel.set_span_in_context(parent) if parent is not None else None
        return self.otel_tracer.start_span(
            name,
            context=context,
            kind=SpanKind.INTERNAL,
            attributes=attributes,
            start_time=_ns(ts),
        )

    def _common(self, event: Event) -> dict[str, Any]:
        return {"gen_ai.conversation.id": event.run_id}

    def _finish_live(self, pending: _Pending, end: float) -> None:
        """Write the span of a finished chat or tool call, with every attribute at once.

        (``_finish``: this, or the SDK sink's ``write`` where the provider allows it.)
        """
        span = self.otel_tracer.start_span(
            pending.name,
            context=otel.set_span_in_context(pending.parent),
            kind=SpanKind.INTERNAL,
            attributes=pending.attributes,
            start_time=_ns(pending.start),
        )
        for name, attributes, ts in pending.events or ():
            span.add_event(name, attributes, timestamp=_ns(ts))
        if pending.status is not None:
            span.set_status(pending.status)
        span.end(end_time=_ns(end))

    def _reply_span(self, run: _Trace, reply_id: str) -> Span:
        return run.replies.get(reply_id) or run.root

    def _parent(self, run: _Trace, reply_id: str) -> tuple[Span, SpanContext | None]:
        """The parent of a chat or tool span of reply ``reply_id``, and its context when
        sampled (looked up once per reply)."""
        parent = run.parents.get(reply_id)
        if parent is None:
            span = run.replies.get(reply_id) or run.root
            context = span.get_span_context()
            parent = run.parents[reply_id] = (
                span,
                context if context.trace_flags.sampled else None,
            )
        return parent

    # ------------------------------------------------------------------ runs
    def _run_started(self, event: RunStarted) -> None:
        hub = event.agent == HUB
        attributes = {
            **self._common(event),
            "ascope.run.title": event.title,
        }
        if hub:
            name = HUB
            attributes["ascope.span.kind"] = "hub"
            participants = event.metadata.get("participants") or []
            attributes["ascope.hub.participants"] = [str(p) for p in participants]
        else:
            name = f"invoke_agent {event.agent}"
            attributes.update(
                {
                    "gen_ai.operation.name": "invoke_agent",
                    "gen_ai.agent.name": event.agent,
                    "ascope.span.kind": "agent",
                }
            )
            if event.model:
                attributes["gen_ai.request.model"] = event.model
        if self.capture_content and event.input:
            attributes["gen_ai.input.messages"] = _messages(event.input)
        experiment = str((event.metadata or {}).get("experiment") or "")
        parent = self._experiment_parent(experiment, event) if experiment else None
        root = self._start(name, parent, event.ts, attributes)
        run = _Trace(
            root=root, kind="hub" if hub else "agent", agent=event.agent, experiment=experiment
        )
        if hub:
            run.participants = max(len(event.metadata.get("participants") or []), 1)
        self._runs[event.run_id] = run
        _registry.remember(event.run_id, format(root.get_span_context().trace_id, "032x"))

    def _experiment_parent(self, name: str, event: RunStarted) -> Span:
        """The span of experiment ``name`` (started with its first sample)."""
        exp = self._experiments.get(name)
        if exp is None:
            span = self._start(
                f"experiment {name}",
                None,
                event.ts,
                {"ascope.span.kind": "experiment", "ascope.experiment.name": name},
            )
            exp = self._experiments[name] = _Experiment(span, span.get_span_context())
        exp.running += 1
        return exp.span if exp.span.is_recording() else otel.NonRecordingSpan(exp.context)

    def _sample_ended(self, name: str, ts: float) -> None:
        exp = self._experiments.get(name)
        if exp is not None:  # the span ends with the experiment, not between two samples
            exp.running -= 1
            exp.last_end = max(exp.last_end, ts)

    def experiment_ended(self, name: str, ts: float) -> None:
        """End the span of experiment ``name`` at ``ts`` (the experiment's end)."""
        exp = self._experiments.pop(name, None)
        if exp is not None and exp.span.is_recording():
            exp.span.end(end_time=_ns(max(ts, exp.last_end)))

    def close(self) -> None:
        """End the spans of experiments still open (tracing is being switched off)."""
        for name, exp in list(self._experiments.items()):
            self.experiment_ended(name, exp.last_end or time.time())

    def _run_ended(self, run: _Trace, event: RunEnded) -> None:
        for chat in run.chats.values():
            self._finish(chat, chat.end or event.ts)
        for tool in run.tools.values():
            tool.add_event("ascope.interrupted", {}, event.ts)
            tool.attributes["ascope.tool.state"] = "interrupted"
            self._finish(tool, event.ts)
        for reply_id in reversed(run.stack):
            span = run.replies[reply_id]
            if span is not run.root:
                span.end(end_time=_ns(event.ts))
        if run.round is not None:
            run.round.end(end_time=_ns(event.ts))
        root = run.root
        root.set_attribute("ascope.run.status", event.status)
        if event.status == "error":
            description = str(redact(event.error or "error"))
            root.set_status(Status(StatusCode.ERROR, description))
            root.set_attribute("error.type", description.split(":", 1)[0])
        elif event.status == "interrupted":
            root.add_event("ascope.interrupted", timestamp=_ns(event.ts))
        if self.capture_content and event.output:
            root.set_attribute("gen_ai.output.messages", _messages([event.output]))
        root.end(end_time=_ns(event.ts))
        del self._runs[event.run_id]
        if run.experiment:
            self._sample_ended(run.experiment, event.ts)
        if len(self._ended) >= 1000:
            self._ended.pop(next(iter(self._ended)))
        self._ended[event.run_id] = root.get_span_context()

    # ------------------------------------------------------------------ replies
    def _reply_started(self, run: _Trace, event: ReplyStarted) -> None:
        run.parents.pop(event.reply_id, None)
        if run.kind == "agent" and not run.root_reply and event.agent == run.agent:
            run.root_reply = event.reply_id
            run.root.set_attribute("ascope.reply.id", event.reply_id)
            run.replies[event.reply_id] = run.root
            run.stack.append(event.reply_id)
            return
        parent: Span = run.root
        if run.stack:
            parent = run.replies[run.stack[-1]]
        elif run.kind == "hub":
            index = run.top_replies // run.participants
            if run.top_replies % run.participants == 0:
                if run.round is not None:
                    run.round.end(end_time=_ns(event.ts))
                run.round = self._start(
                    f"round {index}",
                    run.root,
                    event.ts,
                    {**self._common(event), "ascope.span.kind": "round", "ascope.round": index},
                )
            run.top_replies += 1
            parent = run.round or run.root
        attributes = {
            **self._common(event),
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": event.agent,
            "ascope.span.kind": "agent",
            "ascope.reply.id": event.reply_id,
        }
        if self.capture_content and event.input:
            attributes["gen_ai.input.messages"] = _messages(event.input)
        run.replies[event.reply_id] = self._start(
            f"invoke_agent {event.agent}", parent, event.ts, attributes
        )
        run.stack.append(event.reply_id)

    def _reply_ended(self, run: _Trace, event: ReplyEnded) -> None:
        span = run.replies.pop(event.reply_id, None)
        run.parents.pop(event.reply_id, None)
        if span is None:
            return
        if event.reply_id in run.stack:
            run.stack.remove(event.reply_id)
        span.set_attribute("ascope.reply.status", event.status)
        if event.status == "error":
            span.set_status(Status(StatusCode.ERROR, "the reply raised an error"))
        elif event.status == "interrupted":
            span.add_event("ascope.interrupted", timestamp=_ns(event.ts))
        output = run.outputs.pop(event.msg_id, None)
        if output is not None:
            span.set_attribute("gen_ai.output.messages", _messages([output]))
        if span is not run.root:
            span.end(end_time=_ns(event.ts))

    # ------------------------------------------------------------------ model calls
    def _model_started(self, run: _Trace, event: ModelCallStarted) -> None:
        provider = run.providers.get(event.agent) or self._provider(run, event)
        parent, context = run.parents.get(event.reply_id) or self._parent(run, event.reply_id)
        run.chats[event.msg_id] = _Pending(
            f"chat {event.model}",
            parent,
            context,
            event.ts,
            {
                "gen_ai.conversation.id": event.run_id,
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": provider,
                "gen_ai.request.model": event.model,
                "ascope.step": event.step,
            },
        )

    def _provider(self, run: _Trace, event: Event) -> str:
        provider = run.providers.get(event.agent)
        if provider is None:
            provider = run.providers[event.agent] = _provider(event.run_id, event.agent)
        return provider

    def _model_ended(self, run: _Trace, event: ModelCallEnded) -> None:
        chat = run.chats.get(event.msg_id)
        if chat is None:
            return
        chat.end = event.ts
        usage = event.usage
        if usage:
            if "input_tokens" in usage:
                chat.attributes["gen_ai.usage.input_tokens"] = int(usage["input_tokens"])
            if "output_tokens" in usage:
                chat.attributes["gen_ai.usage.output_tokens"] = int(usage["output_tokens"])
        if event.error == "interrupted":
            chat.cut = True
            chat.add_event("ascope.interrupted", {}, event.ts)
            chat.attributes["gen_ai.response.finish_reasons"] = ("interrupted",)
        elif event.error:
            description = str(redact(event.error))
            chat.status = Status(StatusCode.ERROR, description)
            chat.attributes["error.type"] = description.split(":", 1)[0]
            chat.attributes["gen_ai.response.finish_reasons"] = ("error",)
            del run.chats[event.msg_id]
            self._finish(chat, event.ts)
        # else: it ends when its message is complete (then the finish reason is known)

    def _message_completed(self, run: _Trace, event: MessageCompleted) -> None:
        msg_id: str = event.msg.get("id", "")
        if self.capture_content:
            run.outputs[msg_id] = event.msg
        chat = run.chats.pop(msg_id, None)
        if chat is None:
            return
        if not chat.cut:
            content = event.msg.get("content")
            calls = isinstance(content, list) and any(b.get("type") == "tool_use" for b in content)
            chat.attributes["gen_ai.response.finish_reasons"] = ("tool_calls" if calls else "stop",)
        if self.capture_content:
            chat.attributes["gen_ai.output.messages"] = _messages([event.msg])
        self._finish(chat, chat.end or event.ts)

    # ------------------------------------------------------------------ tools
    def _tool_call(self, run: _Trace, event: ToolCall) -> None:
        attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": event.name,
            "gen_ai.tool.call.id": event.tool_call_id,
            "gen_ai.tool.type": "function",
        }
        if event.source:
            attributes["ascope.tool.source"] = event.source
        if self.capture_content:
            attributes["gen_ai.tool.call.arguments"] = _json(event.input)
        parent, context = run.parents.get(event.reply_id) or self._parent(run, event.reply_id)
        run.tools[event.tool_call_id] = _Pending(
            f"execute_tool {event.name}",
            parent,
            context,
            event.ts,
            attributes,
        )

    def _approval_requested(self, run: _Trace, event: ApprovalRequested) -> None:
        tool = run.tools.get(event.tool_call_id)
        if tool is not None:
            tool.add_event("ascope.approval_requested", {}, event.ts)

    def _approval_resolved(self, run: _Trace, event: ApprovalResolved) -> None:
        tool = run.tools.get(event.tool_call_id)
        if tool is None:
            return
        attributes: dict[str, Any] = {"ascope.decision": event.decision, "ascope.by": event.by}
        if self.capture_content and event.reason:
            attributes["ascope.reason"] = str(redact(event.reason))
        if self.capture_content and event.decision == "edited":
            attributes["gen_ai.tool.call.arguments"] = _json(event.input)
        tool.add_event(f"ascope.{event.decision}", attributes, event.ts)

    def _tool_result(self, run: _Trace, event: ToolResult) -> None:
        tool = run.tools.pop(event.tool_call_id, None)
        if tool is None:
            return
        tool.attributes["ascope.tool.state"] = event.state
        if event.state == "error":
            tool.status = Status(StatusCode.ERROR, "the tool returned an error")
            tool.attributes["error.type"] = "tool_error"
        elif event.state == "interrupted":
            tool.add_event("ascope.interrupted", {}, event.ts)
        if self.capture_content:
            tool.attributes["gen_ai.tool.call.result"] = _json(_output_text(event.output))
        self._finish(tool, event.ts)

    # ------------------------------------------------------------------ steering
    def _hint(self, run: _Trace, event: HintInjected) -> None:
        attributes: dict[str, Any] = {"ascope.source": event.source, "ascope.step": event.step}
        if self.capture_content:
            attributes["ascope.text"] = str(redact(event.text))
        self._reply_span(run, event.reply_id).add_event(
            "ascope.steering", attributes, timestamp=_ns(event.ts)
        )

    def _status(self, run: _Trace, event: StatusChanged) -> None:
        self._reply_span(run, event.reply_id).add_event(
            "ascope.status", {"ascope.status": event.status}, timestamp=_ns(event.ts)
        )

    def _input(self, run: _Trace, event: InputRequested) -> None:
        self._reply_span(run, event.reply_id).add_event(
            "ascope.input_requested",
            {"ascope.request.id": event.request_id},
            timestamp=_ns(event.ts),
        )

    def _feedback(self, run: _Trace, event: FeedbackGiven) -> None:
        attributes = _feedback_attributes(event, self.capture_content)
        run.root.add_event("ascope.feedback", attributes, timestamp=_ns(event.ts))

    def _late_feedback(self, event: FeedbackGiven) -> None:
        """Feedback on an ended run: a short ``feedback`` span in the run's trace."""
        parent = otel.NonRecordingSpan(self._ended[event.run_id])
        span = self._start(
            "feedback", parent, event.ts, {**self._common(event), "ascope.span.kind": "feedback"}
        )
        attributes = _feedback_attributes(event, self.capture_content)
        span.add_event("ascope.feedback", attributes, timestamp=_ns(event.ts))
        span.end(end_time=_ns(event.ts))


def _feedback_attributes(event: FeedbackGiven, content: bool) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if event.score is not None:
        attributes["ascope.score"] = float(event.score)
    if event.label is not None:
        attributes["ascope.label"] = event.label
    if event.step is not None:
        attributes["ascope.step"] = event.step
    if content and event.comment:
        attributes["ascope.comment"] = str(redact(event.comment))
    return attributes


def _provider(run_id: str, agent_name: str) -> str:
    """``gen_ai.provider.name`` from the class of the agent's model (found through its run)."""
    run = hooks.find_run(run_id)
    for agent in getattr(run, "agents", None) or []:
        if agent.name == agent_name:
            model = getattr(agent, "model", None)
            for klass in type(model).__mro__:
                if klass.__name__ in _PROVIDERS:
                    return _PROVIDERS[klass.__name__]
            return type(model).__module__.split(".")[0] if model is not None else "ascope_nb"
    return "ascope_nb"


_HANDLERS: dict[type[Event], Any] = {
    RunStarted: lambda tracer, run, event: None,  # a new run starts in __call__
    RunEnded: EventTracer._run_ended,
    ReplyStarted: EventTracer._reply_started,
    ReplyEnded: EventTracer._reply_ended,
    ModelCallStarted: EventTracer._model_started,
    ModelCallEnded: EventTracer._model_ended,
    MessageCompleted: EventTracer._message_completed,
    ToolCall: EventTracer._tool_call,
    ApprovalRequested: EventTracer._approval_requested,
    ApprovalResolved: EventTracer._approval_resolved,
    ToolResult: EventTracer._tool_result,
    HintInjected: EventTracer._hint,
    StatusChanged: EventTracer._status,
    InputRequested: EventTracer._input,
    FeedbackGiven: EventTracer._feedback,
}
_EVENT_TYPES = frozenset(_HANDLERS)
