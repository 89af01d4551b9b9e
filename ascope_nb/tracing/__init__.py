"""OpenTelemetry tracing: every run as GenAI spans, sent to Phoenix, Langfuse, Jaeger...

``setup_tracing(endpoint)`` (AgentScope 1.x's function) sends the spans of every run over
OTLP/HTTP; ``instrument(tracer_provider=...)`` sends them to a provider you configured.
The decorators ``trace``, ``trace_llm``, ``trace_reply``, ``trace_format``,
``trace_toolkit`` and ``trace_embedding`` trace your own code inside the same traces.
Nothing here imports OpenTelemetry until tracing is switched on (extra: ``[tracing]``).

Example:
    >>> import ascope_nb.tracing as tracing
    >>> tracing.setup_tracing("http://127.0.0.1:6006/v1/traces")  # doctest: +SKIP
    >>> tracing.shutdown_tracing()
"""

from ._decorators import (
    trace,
    trace_embedding,
    trace_format,
    trace_llm,
    trace_reply,
    trace_toolkit,
)
from ._registry import trace_id_of
from ._setup import active_tracer, instrument, setup_tracing, shutdown_tracing, tracing_endpoint

__all__ = [
    "setup_tracing",
    "instrument",
    "shutdown_tracing",
    "tracing_endpoint",
    "active_tracer",
    "trace_id_of",
    "trace",
    "trace_llm",
    "trace_reply",
    "trace_format",
    "trace_toolkit",
    "trace_embedding",
]
