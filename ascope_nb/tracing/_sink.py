"""Span parts shared by the tracer: content encoding, pending spans, the fast span sink.

Imports OpenTelemetry: load it only when tracing is switched on.
"""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.trace import Span, SpanContext, SpanKind, Status, StatusCode

from .. import __version__
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

    __slots__ = ("name", "parent", "start", "attributes", "events", "end", "status", "cut")

    def __init__(self, name: str, parent: Span, start: float, attributes: dict[str, Any]) -> None:
        self.name = name
        self.parent = parent
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
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope
        from opentelemetry.trace import TraceFlags

        self._on_end = processor.on_end
        self._resource = resource
        self._span_id = ids.generate_span_id
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
        return cls(processor, provider.resource, provider.id_generator, __version__)

    def write(self, pending: _Pending, end: float) -> None:
        parent = pending.parent.get_span_context()
        if not parent.trace_flags.sampled:
            return
        events = pending.events
        self._on_end(
            self._readable(
                pending.name,
                SpanContext(
                    parent.trace_id, self._span_id(), False, self._flags, parent.trace_state
                ),
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
