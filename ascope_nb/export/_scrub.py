"""Secrets never reach an export: ``ascope_nb.redact``, with and without secret-named keys.

``scrub`` (secret-named keys, ``raw_input`` strings and secret strings) and ``scrub_text``
are ``ascope_nb.redact``'s; ``scrub_strings`` only redacts secret strings and keeps every
key, for tool schemas and tool arguments whose parameter names may be "token" or "password".

Example:
    >>> scrub({"api_key": "sk-abc", "n": 1})
    {'api_key': '[REDACTED]', 'n': 1}
    >>> scrub_strings({"token": "key sk-ABCDEFGHIJKLMNOPQRSTUV1234"})
    {'token': 'key [REDACTED]'}
"""

from __future__ import annotations

from typing import Any

from ..redact import REDACTED, is_secret_key, redact_keys, redact_text

scrub = redact_keys
scrub_text = redact_text


def scrub_strings(value: Any) -> Any:
    """A copy of ``value`` with only secret strings redacted (keys kept)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: scrub_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_strings(v) for v in value]
    return value


__all__ = ["scrub", "scrub_strings", "scrub_text", "is_secret_key", "REDACTED"]
