"""a2a-sdk's OpenTelemetry spans made only while tracing is on.

a2a-sdk 1.x wraps most methods of its request handler, event queues and client transports
in an OpenTelemetry span (about 50 per streamed request), even when no tracer provider is
set and every span is a no-op: that alone is about half the CPU of a loopback round trip.
``gate_a2a_sdk_spans()`` puts a gate in front of the SDK's ``trace`` module: while the
global tracer provider is OpenTelemetry's default (nothing would record), the SDK gets a
tracer that makes nothing; once the user sets a provider (``trace.set_tracer_provider``,
``ascope_nb.tracing.setup_tracing``), its spans are made exactly as before. The user's
environment (``OTEL_INSTRUMENTATION_A2A_SDK_ENABLED``) is not touched; when it turns the
SDK's spans off, the SDK's own no-op stays in place.

Example:
    >>> gate_a2a_sdk_spans()  # doctest: +SKIP
    >>> import a2a.utils.telemetry as t; type(t.trace).__name__  # doctest: +SKIP
    '_TracingGate'
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any


class _NoSpan:
    """A span that records nothing (what the SDK's wrappers call on it)."""

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def set_attribute(self, *args: Any, **kwargs: Any) -> None:
        return None

    def set_attributes(self, *args: Any, **kwargs: Any) -> None:
        return None

    def set_status(self, *args: Any, **kwargs: Any) -> None:
        return None

    def record_exception(self, *args: Any, **kwargs: Any) -> None:
        return None

    def add_event(self, *args: Any, **kwargs: Any) -> None:
        return None

    def is_recording(self) -> bool:
        return False


_NO_SPAN = _NoSpan()


class _NoTracer:
    def start_as_current_span(self, *args: Any, **kwargs: Any) -> _NoSpan:
        return _NO_SPAN

    def start_span(self, *args: Any, **kwargs: Any) -> _NoSpan:
        return _NO_SPAN


_NO_TRACER = _NoTracer()


class _TracingGate:
    """Stands in for ``opentelemetry.trace`` inside a2a-sdk: the real tracer once a tracer
    provider is set, else one that makes nothing."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._on = False  # a provider, once set, stays set (OpenTelemetry sets it once)
        self._defaults = (real.ProxyTracerProvider, real.NoOpTracerProvider)
        # the provider named by the environment is made on the first get_tracer_provider()
        self._by_env = bool(os.environ.get("OTEL_PYTHON_TRACER_PROVIDER"))
        self._quick = hasattr(real, "_TRACER_PROVIDER")  # None until a provider is set

    def tracing_on(self) -> bool:
        """Whether a tracer provider that records is set (checked on each span until one is)."""
        if not self._on:
            if self._quick and not self._by_env and self._real._TRACER_PROVIDER is None:
                return False
            self._on = not isinstance(self._real.get_tracer_provider(), self._defaults)
        return self._on

    def get_tracer(self, *args: Any, **kwargs: Any) -> Any:
        if self._on or self.tracing_on():
            return self._real.get_tracer(*args, **kwargs)
        return _NO_TRACER

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def gate_a2a_sdk_spans() -> bool:
    """Make a2a-sdk's spans only while a tracer provider is set (idempotent); False when the
    SDK makes none anyway (OpenTelemetry absent, or turned off by its environment variable)."""
    try:
        import a2a.utils.telemetry as telemetry
    except ImportError:  # a2a-sdk 0.3 or none
        return False
    current = getattr(telemetry, "trace", None)
    if isinstance(current, _TracingGate):
        return True
    if not (
        getattr(telemetry, "otel_installed", False) and getattr(telemetry, "otel_enabled", False)
    ):
        return False
    if not hasattr(current, "get_tracer_provider") or not hasattr(current, "ProxyTracerProvider"):
        return False
    telemetry.trace = _TracingGate(current)  # type: ignore[assignment]
    return True


def a2a_sdk_spans_on() -> bool:
    """Whether a2a-sdk's spans record now (a tracer provider is set, or the SDK is not gated
    and its spans are enabled)."""
    try:
        import a2a.utils.telemetry as telemetry
    except ImportError:
        return False
    current = getattr(telemetry, "trace", None)
    if isinstance(current, _TracingGate):
        return current.tracing_on()
    return bool(getattr(telemetry, "otel_installed", False) and telemetry.otel_enabled)


__all__ = ["gate_a2a_sdk_spans", "a2a_sdk_spans_on"]
