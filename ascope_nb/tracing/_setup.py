"""Switching tracing on and off: ``setup_tracing``, ``instrument``, ``shutdown_tracing``.

OpenTelemetry is imported inside these functions only, so ``import ascope_nb.tracing`` (and
every agent run while tracing is off) costs nothing.

Example:
    >>> from opentelemetry.sdk.trace import TracerProvider  # doctest: +SKIP
    >>> tracer = instrument(tracer_provider=TracerProvider())  # doctest: +SKIP
    >>> shutdown_tracing()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .. import _config
from ..events import Subscription, current_reply, current_run, subscribe
from ..exceptions import ConfigError

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.trace import TracerProvider

    from ._spans import EventTracer

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
INSTALL_HINT = "tracing needs OpenTelemetry: pip install 'ascope-nb[tracing]'"

_active: dict[str, Any] = {}  # "tracer", "subscription", "processor", "endpoint"


def _content_default(capture_content: bool | None) -> bool:
    if capture_content is not None:
        return capture_content
    return os.environ.get(CONTENT_ENV, "").strip().lower() in ("1", "true", "yes")


def instrument(
    *, tracer_provider: TracerProvider | None = None, capture_content: bool | None = None
) -> EventTracer:
    """Trace every run of this process into ``tracer_provider`` (default: the global one).

    Replaces an earlier ``instrument``/``setup_tracing``. ``capture_content`` defaults to
    ``$OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (off).

    Example:
        >>> from opentelemetry.sdk.trace import TracerProvider  # doctest: +SKIP
        >>> tracer = instrument(tracer_provider=TracerProvider(), capture_content=True)  # doctest: +SKIP
    """
    try:
        from ._spans import EventTracer
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    _unsubscribe()
    tracer = EventTracer(
        tracer_provider=tracer_provider, capture_content=_content_default(capture_content)
    )
    _active["tracer"] = tracer
    _active["subscription"] = subscribe(tracer, event_types=tracer.event_types)
    _config.trace_enabled = True
    return tracer


def setup_tracing(endpoint: str, *, capture_content: bool | None = None) -> EventTracer:
    """Send traces to an OTLP/HTTP collector (Phoenix, Langfuse, Jaeger...) at ``endpoint``.

    AgentScope 1.x's function: if the process already has an SDK ``TracerProvider`` it is
    reused (a batch span processor is added to it), else one is made and set globally.

    Args:
        endpoint: the collector's traces URL, e.g. ``"http://127.0.0.1:6006/v1/traces"``.
        capture_content: also record message content (redacted); default off.

    Example:
        >>> setup_tracing("http://127.0.0.1:6006/v1/traces")  # doctest: +SKIP
    """
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"tracing endpoint must be an http(s) URL, got {endpoint!r}")
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    shutdown_tracing()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, SdkTracerProvider):
        provider = SdkTracerProvider(resource=Resource.create({"service.name": "ascope_nb"}))
        trace.set_tracer_provider(provider)
    processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))
    provider.add_span_processor(processor)
    tracer = instrument(tracer_provider=provider, capture_content=capture_content)
    _active["processor"] = processor
    _active["endpoint"] = endpoint
    return tracer


def shutdown_tracing() -> None:
    """Stop tracing: no more spans from runs or decorators; spans sent so far are flushed."""
    _unsubscribe()
    _config.trace_enabled = False
    processor: SpanProcessor | None = _active.pop("processor", None)
    _active.pop("endpoint", None)
    if processor is not None:
        processor.force_flush()
        processor.shutdown()


def _unsubscribe() -> None:
    subscription: Subscription | None = _active.pop("subscription", None)
    if subscription is not None:
        subscription.close()
    _active.pop("tracer", None)


def tracing_endpoint() -> str | None:
    """The collector URL given to ``setup_tracing``, while tracing is on; else None."""
    return _active.get("endpoint")  # type: ignore[no-any-return]


def active_tracer() -> EventTracer | None:
    """The tracer that receives the events now, or None when tracing is off."""
    return _active.get("tracer")  # type: ignore[no-any-return]


def reply_context() -> Context | None:
    """The OTel context of the reply running now (parent of spans from the decorators)."""
    tracer = active_tracer()
    ctx = current_run.get()
    if tracer is None or ctx is None:
        return None
    span = tracer.span_of_reply(ctx.run_id, current_reply.get())
    if span is None:
        return None
    from opentelemetry import trace

    return trace.set_span_in_context(span)
