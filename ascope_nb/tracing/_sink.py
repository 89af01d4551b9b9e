"""Span parts shared by the tracer: content encoding, pending spans, the fast span sink.

Imports OpenTelemetry: load it only when tracing is switched on.
"""

from __future__ import annotations

import json
from random import getrandbits as _getrandbits
from typing import Any

from opentelemetry.trace import Span, SpanContext, SpanKind, Status, StatusCode

from .._version import __version__
from ._redact import redact

_INTERNAL = SpanKind.INTERNAL


def _ns(ts: float) -> int:
    return int(ts * 1e9)


def _json(value: Any) -> str:
    return json.dumps(redact(value), ensure_ascii=False, default=str)


def _messages(msgs: list[dict[str, Any]]) -> str:
    """Msgs (as dicts) in the GenAI message shape: role, name, parts."""
    out = []
    for msg in msgs:
        content = msg.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        parts: list[dict[str, Any]] = []
        for block in blocks or []:
            kind = block.get("type")
            if kind == "text":
                parts.append({"type": "text", "content": block.get("text", "")})
            elif kind == "thinking":
                parts.append({"type": "reasoning", "content": block.get("thinking", "")})
            elif kind == "tool_use":
                parts.append(
                    {
                        "type": "tool_call",
                        "id": block.get("id"),
                        "name": block.get("name"),
                        "arguments": block.get("input"),
                    }
                )
            elif kind == "tool_result":
                parts.append(
                    {
                        "type": "tool_call_response",
                        "id": block.get("id"),
                        "response": block.get("output"),
                    }
                )
            else:
                parts.append({"type": str(kind)})
        out.append({"role": msg.get("role"), "name": msg.get("name"), "parts": parts})
    return _json(out)


def _output_text(output: list[dict[str, Any]]) -> str:
    return "".join(str(b.get("text", "")) for b in output if b.get("type") == "text")


class _Pending:
    """A chat or tool span, made in one go when it ends (its times are the events')."""

    __slots__ = (
        "name",
        "parent",
        "context",
        "start",
        "attributes",
        "events",
        "end",
        "status",
        "cut",
    )

    def __init__(
        self,
        name: str,
        parent: Span,
        context: SpanContext | None,
        start: float,
        attributes: dict[str, Any],
    ) -> None:
        self.name = name
        self.parent = parent
        self.context = context  # the parent's span context; None: the parent is not sampled
        self.start = start
        self.attributes = attributes
        self.events: list[tuple[str, dict[str, Any], float]] | None = None  # made when needed
        self.end = 0.0
        self.status: Status | None = None
        self.cut = False  # interrupted mid-stream

    def add_event(self, name: str, attributes: dict[str, Any], ts: float) -> None:
        if self.events is None:
            self.events = []
        self.events.append((name, attributes, ts))


# ``ReadableSpan.__init__``'s parameters, in order: the sink passes them by position
# (a third of the cost of keywords); another order in a future SDK turns the sink off.
_READABLE_PARAMETERS = (
    "name",
    "context",
    "parent",
    "resource",
    "attributes",
    "events",
    "links",
    "kind",
    "instrumentation_info",
    "status",
    "start_time",
    "end_time",
    "instrumentation_scope",
)


_tuple_new = tuple.__new__


def _span_context_is_a_plain_tuple() -> bool:
    """Whether ``SpanContext`` is still the 6-tuple (trace_id, span_id, is_remote, flags,
    state, is_valid) the sink builds directly; another layout turns the sink off."""
    from opentelemetry.trace import TraceFlags, TraceState

    flags, state = TraceFlags(TraceFlags.SAMPLED), TraceState([("k", "v")])
    made = SpanContext(7, 9, False, flags, state)
    fast = _tuple_new(SpanContext, (7, 9, False, flags, state, True))
    return (
        made == fast
        and (fast.trace_id, fast.span_id, fast.is_remote) == (7, 9, False)
        and fast.trace_flags is flags
        and fast.trace_state is state
        and fast.is_valid is True
    )


class _FinishedSpanSink:
    """Hands finished chat and tool spans straight to an SDK provider's span processors.

    A chat or tool span is complete when it is written (``_Pending``), so it needs none of a
    live span's machinery (locks, per-attribute checks, start callbacks): building the
    ``ReadableSpan`` that the SDK itself would pass to ``on_end`` costs about an eighth of
    ``start_span`` + ``end`` (see ``benchmarks/bench_tracing.py``). Used only with the SDK's
    ``TracerProvider`` and a parent-based sampler (the default), so sampling is unchanged:
    a child of a sampled reply is sampled. It reads the provider's processor list, a private
    attribute of the SDK that has been stable since 1.0; without it the normal path is used.
    """

    def __init__(self, processor: Any, resource: Any, ids: Any, version: str) -> None:
        from opentelemetry.sdk.trace import Event as SpanEvent
        from opentelemetry.sdk.trace import ReadableSpan
        from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope
        from opentelemetry.trace import TraceFlags

        self._on_end = processor.on_end
        self._resource = resource
        self._span_id = ids.generate_span_id
        # The SDK's default generator is ``random.getrandbits(64)`` until non-zero: call it
        # directly (a zero, once in 2**64, falls back to the generator).
        self._random = _getrandbits if type(ids) is RandomIdGenerator else None
        self._scope = InstrumentationScope("ascope_nb", version)
        self._flags = TraceFlags(TraceFlags.SAMPLED)
        self._readable = ReadableSpan
        self._event = SpanEvent
        self._unset = Status(StatusCode.UNSET)

    @classmethod
    def of(cls, provider: Any) -> _FinishedSpanSink | None:
        try:
            from opentelemetry.sdk.trace import ReadableSpan
            from opentelemetry.sdk.trace import TracerProvider as SdkProvider
            from opentelemetry.sdk.trace.sampling import ParentBased
        except ImportError:  # the API without the SDK: live spans only
            return None
        if not isinstance(provider, SdkProvider) or not isinstance(provider.sampler, ParentBased):
            return None
        processor = getattr(provider, "_active_span_processor", None)
        if processor is None or not callable(getattr(processor, "on_end", None)):
            return None
        code = ReadableSpan.__init__.__code__
        if code.co_varnames[1 : code.co_argcount] != _READABLE_PARAMETERS:
            return None
        if not _span_context_is_a_plain_tuple():
            return None
        return cls(processor, provider.resource, provider.id_generator, __version__)

    def write(self, pending: _Pending, end: float) -> None:
        parent = pending.context
        if parent is None:  # not sampled
            return
        span_id = (self._random and self._random(64)) or self._span_id()
        events = pending.events
        self._on_end(
            self._readable(
                pending.name,
                # SpanContext(trace_id, span_id, False, flags, trace_state), built as the
                # tuple it is (its __new__ only checks the ids, valid here); see ``of``
                _tuple_new(SpanContext, (parent[0], span_id, False, self._flags, parent[4], True)),
                parent,
                self._resource,
                pending.attributes,
                [self._event(n, a, int(ts * 1e9)) for n, a, ts in events] if events else (),
                (),
                _INTERNAL,
                None,
                pending.status or self._unset,
                int(pending.start * 1e9),
                int(end * 1e9),
                self._scope,
            )
        )
