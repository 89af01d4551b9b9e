"""The one door through which span content passes the redaction layer.

Every string or structure that tracing puts on a span (message content, tool arguments and
results, error descriptions, steering text) goes through ``redact``, the package's one
redaction layer (``ascope_nb.redact``: secret environment values, model keys, URL
credentials, key shapes, and secret-named keys).

Example:
    >>> redact({"api_key": "sk-abcdefghijklmnop1234", "q": "hi"})
    {'api_key': '[REDACTED]', 'q': 'hi'}
"""

from __future__ import annotations

from typing import Any


def redact(value: Any) -> Any:
    """A copy of ``value`` with secrets replaced by ``"[REDACTED]"``."""
    from ..redact import redact_keys

    return redact_keys(value)
