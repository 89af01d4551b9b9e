"""Switching tracing on and off: ``setup_tracing``, ``instrument``, ``shutdown_tracing``.

OpenTelemetry is imported inside these functions only, so ``import ascope_nb.tracing`` (and
every agent run while tracing is off) costs nothing.

Example:
    >>> from opentelemetry.sdk.trace import TracerProvider  # doctest: +SKIP
    >>> tracer = instrument(tracer_provider=TracerProvider())  # doctest: +SKIP
    >>> shutdown_tracing()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any

from .. import _config, hooks
from ..events import Subscription, current_reply, current_run, subscribe
from ..exceptions import ConfigError
from ..redact import redact_text

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.trace import TracerProvider

    from ._spans import EventTracer

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
INSTALL_HINT = "tracing needs OpenTelemetry: pip install 'ascope-nb[tracing]'"

_active: dict[str, Any] = {}  # "tracer", "subscription", "processor", "endpoint"
_log = logging.getLogger("ascope_nb.tracing")

SHUTDOWN_WAIT = 1.5
"""Seconds ``shutdown_tracing`` waits for the collector before dropping unsent spans."""
EXPORT_TIMEOUT = 5.0
"""Seconds one OTLP export request may take (the exporter's default is 10)."""
OTEL_LOGGERS = (
    "opentelemetry.sdk._shared_internal",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.exporter.http_transport",
    "opentelemetry.exporter.otlp.common.http",
)
_said: dict[str, bool] = {"said": False}  # one line per tracing session about the collector


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
        raise ConfigError(
            f"tracing endpoint must be an http(s) URL, got {redact_text(str(endpoint))!r}"
        )
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
    processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, timeout=EXPORT_TIMEOUT))
    _quiet_transport_errors()
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
    endpoint = _active.pop("endpoint", None)
    if processor is not None:
        _stop_within(processor, str(endpoint), SHUTDOWN_WAIT)


def _stop_within(processor: SpanProcessor, endpoint: str, seconds: float) -> None:
    """Flush and shut ``processor`` down on a daemon thread; give up waiting after
    ``seconds`` (a collector that is down or never answers must not block the kernel)."""
    done = threading.Event()

    def stop() -> None:
        try:
            processor.force_flush(timeout_millis=int(seconds * 1000))
            processor.shutdown()
        except Exception:  # reported below in one line, never as a traceback
            pass
        finally:
            done.set()

    threading.Thread(target=stop, name="ascope-tracing-shutdown", daemon=True).start()
    if not done.wait(seconds) and not _said["said"]:
        _said["said"] = True  # the exporter's own line about it is then dropped
        _log.warning(
            "ascope_nb tracing: the collector at %s did not answer in %.1f s; "
            "unsent spans were dropped",
            redact_text(endpoint),
            seconds,
        )


class _OneLine(logging.Filter):
    """The OTLP exporter's transport errors as one line per tracing session: retries are
    not reported, the first failure is (without its traceback, URL credentials redacted),
    later ones are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno < logging.ERROR and message.startswith(("Transient error", "Shutdown")):
            return False
        if _said["said"]:
            return False
        _said["said"] = True
        exc = record.exc_info[1] if record.exc_info else None
        reason = f": {type(exc).__name__}: {exc}" if exc is not None else ""
        lines = redact_text(f"{message}{reason}").splitlines()
        record.msg = f"ascope_nb tracing: {lines[0] if lines else 'export failed'}"
        record.args, record.exc_info, record.exc_text, record.stack_info = None, None, None, None
        return True


def _quiet_transport_errors() -> None:
    _said["said"] = False
    for name in OTEL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _OneLine) for f in logger.filters):
            logger.addFilter(_OneLine())


def _unsubscribe() -> None:
    subscription: Subscription | None = _active.pop("subscription", None)
    if subscription is not None:
        subscription.close()
    tracer = _active.pop("tracer", None)
    if tracer is not None:
        tracer.close()


def end_experiment_span(name: str, ts: float) -> None:
    """Tell the active tracer that experiment ``name`` ended at ``ts`` (its span ends then);
    nothing when tracing is off.

    Example:
        >>> end_experiment_span("capitals", 0.0)
    """
    tracer = active_tracer()
    if tracer is not None:
        tracer.experiment_ended(name, ts)


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


hooks.end_experiment_span.set(end_experiment_span)  # experiments close their span through it
