"""Which trace each run was exported to (run id -> trace id), without importing OpenTelemetry.

The run view reads it to show the trace id; the tracer fills it.

Example:
    >>> remember("run-1", "4bf92f3577b34da6a3ce929d0e0e4736")
    >>> trace_id_of("run-1")
    '4bf92f3577b34da6a3ce929d0e0e4736'
"""

from __future__ import annotations

from .. import hooks

_MAX = 10_000
_trace_ids: dict[str, str] = {}


def remember(run_id: str, trace_id: str) -> None:
    """Record that run ``run_id`` is traced as ``trace_id`` (32 hex digits)."""
    if len(_trace_ids) >= _MAX:
        _trace_ids.pop(next(iter(_trace_ids)))
    _trace_ids[run_id] = trace_id


def trace_id_of(run_id: str) -> str | None:
    """The trace id of run ``run_id`` as 32 hex digits, or None if it was not traced."""
    return _trace_ids.get(run_id)


hooks.trace_id_of.set(trace_id_of)  # the run view shows it
