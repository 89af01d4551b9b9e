"""``%ascope trace URL|off``: switch tracing on (OTLP/HTTP to URL) or off from a notebook.

Example:
    >>> trace_setting(None)
    'trace: off'
"""

from __future__ import annotations

from ..redact import redact_text
from ._setup import setup_tracing, shutdown_tracing, tracing_endpoint


def trace_setting(value: str | None) -> str:
    """Apply ``%ascope trace [URL|off]`` and return the line to show."""
    if value is None:
        endpoint = tracing_endpoint()
        return f"trace: {redact_text(endpoint)}" if endpoint else "trace: off"
    if value.lower() == "off":
        shutdown_tracing()
        return "trace: off"
    setup_tracing(value)  # validates the URL: a bad one is a one-line error
    return f"trace: runs are sent to {redact_text(value)}"  # never echo a URL's password
