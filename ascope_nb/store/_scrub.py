"""Remove secrets (API keys, auth headers, passwords) from event data before it is stored."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

# Key names are split into lower-case words ("X-Api-Key" -> x api key, "accessToken" ->
# access token); a key is secret if its words contain one of these runs of words.
_SECRET_WORDS: tuple[tuple[str, ...], ...] = (
    ("api", "key"),
    ("apikey",),
    ("access", "key"),
    ("private", "key"),
    ("secret",),
    ("secrets",),
    ("password",),
    ("passwd",),
    ("token",),
    ("authorization",),
    ("auth",),
    ("cookie",),
    ("credential",),
    ("credentials",),
)
_WORD_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

# Values that look like credentials, wherever they appear in a string.
_SECRET_VALUE = re.compile(
    r"(?:\bsk-[A-Za-z0-9_\-]{16,}"  # OpenAI / Anthropic / DashScope style keys
    r"|\bAKIA[0-9A-Z]{16}\b"  # AWS access key ids
    r"|\bAIza[0-9A-Za-z_\-]{35}"  # Google API keys
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|\bxox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack tokens
    r"|\bhf_[A-Za-z0-9]{30,}"  # Hugging Face tokens
    r"|(?<=Bearer )[A-Za-z0-9._~+/\-]{8,}=*"  # Authorization: Bearer <token>
    r"|(?<=Basic )[A-Za-z0-9+/]{8,}=*)"
)

# A cheap superset test on serialised JSON: none of these substrings (in the lower-cased
# text) means ``scrub`` would change nothing. Plain substring tests beat one regex here.
_HINTS = (
    "key", "token", "secret", "passw", "auth", "cookie", "credential", "bearer", "basic ",
    "sk-", "akia", "aiza", "gh", "xox", "hf_",
)  # fmt: skip

_key_cache: dict[str, bool] = {}


def may_hold_secret(json_text: str) -> bool:
    """False when ``scrub`` of the object serialised as ``json_text`` would change nothing."""
    lower = json_text.lower()
    for hint in _HINTS:
        if hint in lower:
            return True
    return False


def is_secret_key(key: str) -> bool:
    """Whether a mapping key names a credential (``api_key``, ``Authorization``, ``token``...).

    Example:
        >>> is_secret_key("X-Api-Key"), is_secret_key("input_tokens")
        (True, False)
    """
    found = _key_cache.get(key)
    if found is None:
        words = tuple(w.lower() for w in _WORD_SPLIT.split(key) if w)
        found = any(
            words[i : i + len(pattern)] == pattern
            for pattern in _SECRET_WORDS
            for i in range(len(words) - len(pattern) + 1)
        )
        if len(_key_cache) < 10_000:
            _key_cache[key] = found
    return found


def _redactable(value: Any) -> bool:
    # numbers and flags under a "token" key are counters or ids, not credentials
    return isinstance(value, (str, bytes, dict, list, tuple)) and bool(value)


def scrub_text(text: str) -> str:
    """Replace credential-looking substrings of ``text`` with ``[REDACTED]``."""
    return _SECRET_VALUE.sub(REDACTED, text) if _SECRET_VALUE.search(text) else text


def scrub(obj: Any) -> Any:
    """A copy of ``obj`` with secrets replaced by ``"[REDACTED]"``; ``obj`` is not changed.

    Values under secret-looking keys (``api_key``, ``authorization``, ``x-api-key``,
    ``password``, ``token``, ``secret``, ``cookie``...) are replaced whole; strings anywhere
    that look like keys (``sk-...``, ``Bearer ...``, AWS, Google, GitHub, Slack, Hugging
    Face tokens) are replaced in place. Counters such as ``input_tokens`` are kept.

    Example:
        >>> scrub({"headers": {"Authorization": "Bearer abc"}, "input_tokens": 3})
        {'headers': {'Authorization': '[REDACTED]'}, 'input_tokens': 3}
        >>> scrub(["key is sk-abcdefghijklmnop1234"])
        ['key is [REDACTED]']
    """
    if isinstance(obj, str):
        return scrub_text(obj)
    if isinstance(obj, dict):
        return {
            k: (
                REDACTED if isinstance(k, str) and _redactable(v) and is_secret_key(k) else scrub(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, (list, tuple)):
        return [scrub(v) for v in obj]
    return obj
