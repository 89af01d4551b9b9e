"""Remove secrets from event data before it is stored: ``ascope_nb.redact`` applied with keys.

The store keeps no redaction rules of its own; ``scrub`` is ``redact.redact_keys`` (values
under secret-named keys, secret strings anywhere, ``raw_input`` JSON strings, error texts).
"""

from __future__ import annotations

from typing import Any

from ..redact import REDACTED, is_secret_key, may_hold_secret, redact_keys, redact_text


def scrub_text(text: str) -> str:
    """Replace credential-looking substrings of ``text`` with ``[REDACTED]``."""
    return redact_text(text)


def scrub(obj: Any) -> Any:
    """A copy of ``obj`` with secrets replaced by ``"[REDACTED]"``; ``obj`` is not changed.

    Values under secret-looking keys (``api_key``, ``authorization``, ``x-api-key``,
    ``password``, ``token``, ``secret``, ``cookie``...) are replaced whole; strings anywhere
    that hold a known secret (environment, model keys) or look like one (``sk-...``,
    ``Bearer ...``, ``http://user:pass@``, AWS, Google, GitHub, Slack, Hugging Face tokens)
    are replaced in place. Counters such as ``input_tokens`` are kept.

    Example:
        >>> scrub({"headers": {"Authorization": "Bearer abc"}, "input_tokens": 3})
        {'headers': {'Authorization': '[REDACTED]'}, 'input_tokens': 3}
        >>> scrub(["key is sk-abcdefghijklmnop1234"])
        ['key is [REDACTED]']
    """
    return redact_keys(obj)


__all__ = ["REDACTED", "is_secret_key", "may_hold_secret", "scrub", "scrub_text"]
