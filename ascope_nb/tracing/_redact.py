"""The one door through which span content passes the redaction layer.

Every string or structure that tracing puts on a span (message content, tool arguments and
results, error descriptions, steering text) goes through ``redact``. It calls the run
store's scrubber today; the central redaction module can be swapped in here alone.

Example:
    >>> redact({"api_key": "sk-abcdefghijklmnop1234", "q": "hi"})
    {'api_key': '[REDACTED]', 'q': 'hi'}
"""

from __future__ import annotations

from typing import Any


def redact(value: Any) -> Any:
    """A copy of ``value`` with secrets replaced by ``"[REDACTED]"``."""
    from ..store._scrub import scrub  # imported on first use: the store package is not light

    return scrub(value)
