"""Remove secrets (API keys, auth headers, tokens) from anything an exporter writes.

Example:
    >>> scrub({"api_key": "sk-abc", "headers": {"Authorization": "Bearer x"}, "n": 1})
    {'api_key': '[REDACTED]', 'headers': {'Authorization': '[REDACTED]'}, 'n': 1}
    >>> scrub_text("key sk-ABCDEFGHIJKLMNOPQRSTUV1234 here")
    'key [REDACTED] here'
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"(api[_-]?key|secret|password|passwd|token|authorization|auth[_-]?header|credential|cookie"
    r"|private[_-]?key|access[_-]?key)",
    re.IGNORECASE,
)
# Well-known key shapes: OpenAI / DashScope (sk-), Anthropic (sk-ant-), HF (hf_), GitHub,
# AWS access keys, Google (AIza), Slack (xox?-), bearer headers.
_SECRET_TEXT = re.compile(
    r"(sk-[A-Za-z0-9_\-]{16,}|hf_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}|xox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|Bearer\s+[A-Za-z0-9._\-]{8,})"
)
# Keys that look secret-ish but are ordinary fields of tool schemas and usage records.
_ALLOWED_KEYS = frozenset({"max_tokens", "input_tokens", "output_tokens", "total_tokens", "tokens"})


def is_secret_key(key: str) -> bool:
    """Whether a dict key names a secret (``api_key``, ``Authorization``, ``password``...)."""
    return key not in _ALLOWED_KEYS and bool(_SECRET_KEY.search(key))


def scrub_text(text: str) -> str:
    """``text`` with every well-known key shape replaced by ``[REDACTED]``."""
    if "sk-" not in text and not _maybe_secret(text):
        return text
    return _SECRET_TEXT.sub(REDACTED, text)


def _maybe_secret(text: str) -> bool:
    return any(mark in text for mark in ("hf_", "gh", "AKIA", "AIza", "xox", "Bearer"))


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret-named keys and secret-shaped strings redacted."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_key(k) and v else scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def scrub_strings(value: Any) -> Any:
    """A copy of ``value`` with only secret-shaped strings redacted (keys kept: tool schemas)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_strings(v) for v in value]
    return value


__all__ = ["scrub", "scrub_strings", "scrub_text", "is_secret_key", "REDACTED"]
