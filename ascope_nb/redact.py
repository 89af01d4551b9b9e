"""One redaction layer: secrets are replaced by ``[REDACTED]`` before anything leaves the process.

Everything that leaves the kernel goes through here: events as they are emitted (so the live
view, the console printer, the tracer and a ``Run``'s event list), the run store, every
export and the saved notebook outputs (HTML transcript, ``application/vnd.ascope.run+json``).

What is removed:

- the values of environment variables whose names contain ``KEY``, ``TOKEN``, ``SECRET``,
  ``PASSWORD``/``PASSWD`` or ``CREDENTIAL``, and of the known provider variables
  (values shorter than ``MIN_SECRET_LENGTH`` characters are left alone);
- the keys given to model clients (``register_secret``, called when a model is built);
- credentials in URLs (``http://user:pass@host``) and in headers or assignments
  (``Authorization: Bearer ...``, ``x-api-key: ...``, ``password=...``);
- known key shapes (``sk-...``, AWS, Google, GitHub, Slack, Hugging Face tokens).

The patterns are one precompiled regex, rebuilt only when the set of secrets changes (the
environment is looked at again at most once a second, or at once after ``refresh()``).

Example:
    >>> register_secret("hunter2-correct-horse")
    >>> redact_text("pw is hunter2-correct-horse, url http://bob:pw@db:5432/x")
    'pw is [REDACTED], url http://[REDACTED]@db:5432/x'
    >>> redact({"out": ["key sk-abcdefghijklmnop1234"], "n": 1})
    {'out': ['key [REDACTED]'], 'n': 1}
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8
"""Registered or environment values shorter than this are not redacted (too common)."""

SECRET_NAME_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL")
"""An environment variable whose upper-cased name contains one of these holds a secret."""

PROVIDER_VARIABLES = frozenset(
    {
        "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN", "DASHSCOPE_API_KEY",
        "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "MISTRAL_API_KEY",
        "DEEPSEEK_API_KEY", "GROQ_API_KEY", "TOGETHER_API_KEY", "OPENROUTER_API_KEY",
        "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "PGPASSWORD", "MYSQL_PWD", "REDIS_PASSWORD",
    }
)  # fmt: skip
"""Provider variables redacted whatever their name says (most also match the name rule)."""

KEEP_SECRETS_ENV = "ASCOPE_TOOLS_KEEP_SECRETS"
"""Set to ``1`` to let the built-in code tools see the secret environment variables."""

# Shapes of credentials wherever they appear in a string. ``keep`` is text kept before the
# redacted part (a header name, ``://`` of a URL).
_SHAPES = (
    # Each branch starts with a literal (no leading ``\b``), so the regex engine can skip
    # quickly to the places where a branch may start; word boundaries are lookbehinds.
    r"sk-(?<!\wsk-)[A-Za-z0-9_\-]{16,}"  # OpenAI / Anthropic / DashScope style keys
    r"|AKIA(?<!\wAKIA)[0-9A-Z]{16}\b"  # AWS access key ids
    r"|AIza(?<!\wAIza)[0-9A-Za-z_\-]{35}"  # Google API keys
    r"|gh[pousr]_(?<!\wgh[pousr]_)[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|github_pat_(?<!\wgithub_pat_)[A-Za-z0-9_]{30,}"
    r"|xox[abprs]-(?<!\wxox[abprs]-)[A-Za-z0-9\-]{10,}"  # Slack tokens
    r"|hf_(?<!\whf_)[A-Za-z0-9]{30,}"  # Hugging Face tokens
    r"|(?P<url>://)[^\s/?#@:'\"<>]+:[^\s/?#@'\"<>]+@"  # http://user:pass@host
    r"|(?P<keep>(?:Bearer|bearer|BEARER) )[A-Za-z0-9._~+/\-]{8,}=*"
    r"|(?P<basic>Basic )(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}=*"
    r"|(?P<head>(?<![\w-])(?i:(?:proxy-)?authorization|x-api-key|api[-_]?key|password|passwd"
    r"|client[-_]secret|access[-_]token)[\"']?\s*[:=]\s*[\"']?)"
    r"(?!\[REDACTED\])(?:(?i:bearer|basic|token)\s+)?[^\s\"',;}&]{4,}"
)

_WORD_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_SECRET_WORDS: tuple[tuple[str, ...], ...] = (
    ("api", "key"), ("apikey",), ("access", "key"), ("private", "key"), ("secret",),
    ("secrets",), ("password",), ("passwd",), ("token",), ("authorization",), ("auth",),
    ("cookie",), ("credential",), ("credentials",),
)  # fmt: skip
_HINTS = (
    "key", "token", "secret", "passw", "auth", "cookie", "credential", "bearer", "basic ",
    "sk-", "akia", "aiza", "gh", "xox", "hf_", "://",
)  # fmt: skip


def is_secret_name(name: str) -> bool:
    """Whether an environment variable of this name holds a secret.

    Example:
        >>> is_secret_name("OPENAI_API_KEY"), is_secret_name("FOO_TOKEN"), is_secret_name("HOME")
        (True, True, False)
    """
    upper = name.upper()
    return upper in PROVIDER_VARIABLES or any(part in upper for part in SECRET_NAME_PARTS)


@functools.cache
def _shape_re() -> re.Pattern[str]:
    """The credential shapes, compiled on first use (keeps ``import`` cheap)."""
    return re.compile(_SHAPES)


# Lower-cased substrings one of which every shape match contains: a clean text skips the
# (slower) shape regex after a few substring tests.
_SHAPE_HINTS = (
    "sk-", "akia", "aiza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "hf_",
    "://", "bearer ", "basic ", "authorization", "api-key", "api_key", "apikey", "passw",
    "client_secret", "client-secret", "access_token", "access-token",
)  # fmt: skip


def _trie_regex(words: Iterable[str]) -> str:
    """One regex for many literal strings, shaped as a trie (one test per character).

    Example:
        >>> _trie_regex(["abcd", "abef"])
        'ab(?:cd|ef)'
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class _Redactor:
    """The compiled pattern and the secrets it was built from (rebuilt when they change)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._registered: set[str] = set()
        self._env: frozenset[str] = frozenset()
        self._env_checked = float("-inf")
        self._secrets: tuple[str, ...] = ()
        self.forget_clean()
        self.literal: re.Pattern[str] | None = None  # the known secrets, as a trie
        self.pattern: re.Pattern[str] | None = None  # secrets and shapes, for ``sub``
        self.rebuilds = 0

    def add(self, value: str) -> None:
        if len(value) >= MIN_SECRET_LENGTH and value not in self._registered:
            with self._lock:
                self._registered.add(value)
                self._build()

    def check_env(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._env_checked < 1.0:
            return
        self._env_checked = now
        env = frozenset(
            v.strip()
            for k, v in os.environ.items()
            if len(v.strip()) >= MIN_SECRET_LENGTH and is_secret_name(k)
        )
        if env != self._env:
            with self._lock:
                self._env = env
                self._build()

    def _build(self) -> None:
        secrets = tuple(sorted(self._registered | self._env, key=len, reverse=True))
        if secrets == self._secrets:
            return
        literal = _trie_regex(secrets)
        self.literal = re.compile(literal) if literal else None
        self.pattern = re.compile(f"(?:{literal})|{_SHAPES}") if literal else None
        self.forget_clean()
        self._secrets = secrets
        self.rebuilds += 1

    def forget_clean(self) -> None:
        # Strings already found clean (the same texts are emitted again and again: a message
        # in its events, the prompt's history); valid for one pattern, bounded in size.
        self.clean: set[str] = set()
        self.clean_chars = 0

    def remember_clean(self, text: str) -> None:
        self.clean_chars += len(text)
        if self.clean_chars > 4_000_000:
            self.forget_clean()
        self.clean.add(text)

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets


_redactor = _Redactor()


def _replace(match: re.Match[str]) -> str:
    keep = match.group("keep") or match.group("basic") or match.group("head") or ""
    if match.group("url"):
        return f"://{REDACTED}@"
    return keep + REDACTED


def register_secret(value: str | None) -> None:
    """Redact ``value`` wherever it appears from now on (model clients call this with their key).

    Example:
        >>> register_secret("my-very-private-key")
        >>> redact_text("the key: my-very-private-key")
        'the key: [REDACTED]'
    """
    if isinstance(value, str) and value.strip():
        _redactor.add(value.strip())


def register_secrets_in(options: Mapping[str, Any]) -> None:
    """Register the secrets in client options: values under secret-named keys (``api_key``,
    ``Authorization`` in ``default_headers``...) and the password of a URL with credentials.

    Example:
        >>> register_secrets_in({"api_key": "abc-123-xyz-789", "base_url": "http://u:pw1234567@h"})
        >>> redact_text("abc-123-xyz-789 pw1234567")
        '[REDACTED] [REDACTED]'
    """
    for key, value in options.items():
        if isinstance(value, Mapping):
            register_secrets_in(value)
        elif isinstance(value, str):
            if is_secret_key(str(key)):
                register_secret(value.split(" ", 1)[-1] if " " in value else value)
            elif "://" in value and "@" in value:
                userinfo = value.split("://", 1)[1].split("@", 1)[0]
                if ":" in userinfo:
                    register_secret(userinfo.split(":", 1)[1])


def refresh() -> None:
    """Look at the environment again now (it is otherwise re-read at most once a second)."""
    _redactor.check_env(force=True)


def secrets() -> tuple[str, ...]:
    """The literal values being redacted (environment and registered), longest first."""
    _redactor.check_env()
    return _redactor.secrets


def redact_text(text: str) -> str:
    """``text`` with every secret replaced by ``[REDACTED]`` (the same object if none)."""
    if len(text) < 7:  # shorter than any secret or credential shape (a streamed token)
        return text
    _redactor.check_env()
    return _scrub_text(text)


def _scrub_text(text: str) -> str:
    """``redact_text`` once the environment has been looked at (the walkers' inner call)."""
    r = _redactor
    if text in r.clean:
        return text
    literal = r.literal
    if literal is None or literal.search(text) is None:
        lower = text.lower()
        for hint in _SHAPE_HINTS:
            if hint in lower:
                break
        else:
            r.remember_clean(text)
            return text
        if _shape_re().search(text) is None:
            r.remember_clean(text)
            return text
    return (r.pattern or _shape_re()).sub(_replace, text)


def may_hold_secret(text: str) -> bool:
    """False when neither ``redact`` nor ``redact_keys`` of ``text`` (or of the object it
    serialises) could change anything; a cheap test for the common, clean event."""
    lower = text.lower()
    for hint in _HINTS:
        if hint in lower:
            return True
    _redactor.check_env()
    literal = _redactor.literal
    return literal is not None and literal.search(text) is not None


def redact(obj: Any) -> Any:
    """``obj`` with secrets in its strings redacted; every mapping key is kept.

    Containers are copied only where something changed, so a clean object comes back as is.
    """
    _redactor.check_env()
    return _redact_any(obj)


def _redact_any(obj: Any) -> Any:
    kind = type(obj)
    if kind is str:
        return _scrub_text(obj) if len(obj) >= 7 else obj
    if kind is dict:
        return _redact_dict(obj)
    if kind is list or kind is tuple:
        return _redact_seq(obj)
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, dict):
        return _redact_dict(obj)
    if isinstance(obj, (list, tuple)):
        return _redact_seq(obj)
    return obj


def _redact_item(value: Any, clean: set[str]) -> Any:
    """One value inside a container; short and known-clean strings and plain scalars are
    answered without a call (the hot path: every event of every step passes here)."""
    kind = type(value)
    if kind is str:
        if len(value) < 7 or value in clean:
            return value
        return _scrub_text(value)
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        return _redact_dict(value)
    if kind is list:
        return _redact_seq(value)
    return _redact_any(value)


def _is_stamp(key: Any, value: Any) -> bool:
    """A message's own id (22 letters and digits, ``_ids.new_id``) or timestamp: unique per
    message, never a secret, so not worth a scan (nor a place in the clean cache)."""
    if key == "id":
        return type(value) is str and len(value) == 22 and value.isalnum()
    if key == "timestamp":
        return type(value) is str and len(value) == 23 and value[:4].isdigit()
    return False


def _redact_dict(obj: dict[Any, Any]) -> dict[Any, Any]:
    out = None
    clean = _redactor.clean
    for k, v in obj.items():
        kind = type(v)  # _redact_item, inlined for the common values
        new: Any
        if kind is str:
            if len(v) < 7 or v in clean or ((k == "id" or k == "timestamp") and _is_stamp(k, v)):
                continue
            new = _scrub_text(v)
        elif kind is int or kind is float or kind is bool or v is None:
            continue
        elif kind is dict:
            new = _redact_dict(v)
        elif kind is list:
            new = _redact_seq(v)
        else:
            new = _redact_any(v)
        if new is not v:
            if out is None:
                out = dict(obj)
            out[k] = new
    return obj if out is None else out


def _redact_seq(obj: list[Any] | tuple[Any, ...]) -> Any:
    items: list[Any] | None = None
    clean = _redactor.clean
    for i, v in enumerate(obj):
        new = _redact_item(v, clean)
        if new is not v:
            if items is None:
                items = list(obj)
            items[i] = new
    return obj if items is None else items


_key_cache: dict[str, bool] = {}


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


def _raw_json(text: str) -> str:
    """A JSON argument string (``raw_input``) with its secret-named values redacted too."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return redact_text(text)
    clean = redact_keys(parsed)
    return json.dumps(clean, ensure_ascii=False) if clean != parsed else redact_text(text)


def redact_keys(obj: Any) -> Any:
    """``redact`` plus whole values under secret-named keys (``api_key``, ``password``...),
    and the same inside ``raw_input`` JSON strings; for stored and exported records.

    Example:
        >>> redact_keys({"headers": {"Authorization": "abc"}, "input_tokens": 3})
        {'headers': {'Authorization': '[REDACTED]'}, 'input_tokens': 3}
        >>> redact_keys({"raw_input": '{"password": "x"}'})
        {'raw_input': '{"password": "[REDACTED]"}'}
    """
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, dict):
        out: dict[Any, Any] = {}
        for k, v in obj.items():
            if isinstance(k, str) and _redactable(v) and is_secret_key(k):
                out[k] = REDACTED
            elif k == "raw_input" and isinstance(v, str):
                out[k] = _raw_json(v)
            else:
                out[k] = redact_keys(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [redact_keys(v) for v in obj]
    return obj


_IDS = frozenset({"run_id", "agent", "reply_id", "msg_id", "block_id", "tool_call_id", "name"})
_SCALAR_TYPES = frozenset({"int", "float", "bool", "int | None", "float | None", "bool | None"})
_event_fields: dict[type, tuple[str, ...]] = {}


def redact_event(event: Any) -> Any:
    """Redact the payload fields of an event dataclass in place (ids are left alone)."""
    names = _event_fields.get(type(event))
    if names is None:
        names = tuple(
            f.name for f in fields(event) if f.name not in _IDS and str(f.type) not in _SCALAR_TYPES
        )
        _event_fields[type(event)] = names
    r = _redactor
    if time.monotonic() - r._env_checked >= 1.0:  # check_env's own test, without the call
        r.check_env()
    clean = r.clean
    for name in names:
        value = getattr(event, name)
        if value:
            new = _redact_item(value, clean)
            if new is not value:
                setattr(event, name, new)
    return event


def tool_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a built-in code tool: the kernel's, minus secret variables unless
    ``ASCOPE_TOOLS_KEEP_SECRETS=1`` is set; ``extra`` is added last.

    Example:
        >>> os.environ["DEMO_TOKEN"] = "t0ken-value-123"
        >>> "DEMO_TOKEN" in tool_environment()
        False
    """
    keep = os.environ.get(KEEP_SECRETS_ENV, "").strip().lower() in ("1", "true", "yes")
    env = {k: v for k, v in os.environ.items() if keep or not is_secret_name(k)}
    env.update(extra or {})
    return env


__all__ = [
    "REDACTED",
    "MIN_SECRET_LENGTH",
    "SECRET_NAME_PARTS",
    "PROVIDER_VARIABLES",
    "KEEP_SECRETS_ENV",
    "is_secret_name",
    "is_secret_key",
    "register_secret",
    "register_secrets_in",
    "refresh",
    "secrets",
    "redact",
    "redact_text",
    "redact_keys",
    "redact_event",
    "may_hold_secret",
    "tool_environment",
]
