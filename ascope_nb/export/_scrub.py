"""Secrets never reach an export: the store's scrubber, plus a keys-kept variant for schemas.

``scrub`` (secret-named keys and secret-shaped strings) and ``scrub_text`` are
``ascope_nb.store``'s; ``scrub_strings`` only redacts secret-shaped strings and keeps every
key, for tool schemas and tool arguments whose parameter names may be "token" or "password".

Example:
    >>> scrub({"api_key": "sk-abc", "n": 1})
    {'api_key': '[REDACTED]', 'n': 1}
    >>> scrub_strings({"token": "key sk-ABCDEFGHIJKLMNOPQRSTUV1234"})
    {'token': 'key [REDACTED]'}
"""

from __future__ import annotations

from typing import Any

from ..store._scrub import REDACTED, is_secret_key, scrub, scrub_text


def scrub_strings(value: Any) -> Any:
    """A copy of ``value`` with only secret-shaped strings redacted (keys kept)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_strings(v) for v in value]
    return value


__all__ = ["scrub", "scrub_strings", "scrub_text", "is_secret_key", "REDACTED"]
