"""Pieces shared by the vendor-SDK models (Anthropic, Gemini, OpenAI Responses): the key,
one-line errors, tool schemas and the stream guard.

The SDKs' exceptions are read by shape (``status_code``, ``body``, class name), so this
module imports no SDK.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

from ..exceptions import ConfigError, ModelCallError
from ..redact import register_secret
from ._openai_errors import CallSite, _one_line
from ._response import ChatResponse

logger = logging.getLogger(__name__)


def resolve_key(
    api_key: str | None, env: tuple[str, ...], label: str, *, base_url: str | None = None
) -> str | None:
    """``api_key``, else the first set variable of ``env``; registered for redaction.

    Raises:
        ConfigError: No key anywhere and no ``base_url`` (a local or fake server).

    Example:
        >>> resolve_key("k-123456789", ("NO_SUCH_KEY",), "Model 'm'")
        'k-123456789'
    """
    key = api_key or next((os.environ[v] for v in env if os.environ.get(v)), None)
    if key:
        register_secret(key)
        return key
    if base_url:
        return None
    names = " or ".join(env)
    raise ConfigError(f"{label}: no API key - pass api_key=... or set {names}")


def client_kwargs_from(
    client_kwargs: dict[str, Any] | None,
    kwargs: dict[str, Any],
    *,
    owner: str,
    log: logging.Logger,
) -> dict[str, Any] | None:
    """``client_kwargs``, or its deprecated name ``client_args`` popped from ``kwargs``;
    any other ``kwargs`` are logged on ``log`` as ignored by ``owner``.

    Raises:
        ConfigError: Both names were passed.

    Example:
        >>> client_kwargs_from(None, {"client_args": {"timeout": 5}}, owner="M", log=logger)
        {'timeout': 5}
    """
    client_args = kwargs.pop("client_args", None)
    if client_args is not None and client_kwargs is not None:
        raise ConfigError("pass client_kwargs only (client_args is its deprecated name)")
    if kwargs:
        log.warning("%s ignores unknown arguments %s", owner, sorted(kwargs))
    return client_kwargs if client_kwargs is not None else client_args


def vendor_endpoint(
    ckw: dict[str, Any],
    api_key: str | None,
    *,
    key_env: str,
    url_env: str,
    default_url: str,
    label: str,
) -> tuple[str, str | None]:
    """The base URL (``ckw["base_url"]``, else ``$url_env``, else ``default_url``, no
    trailing slash) and the key (see ``resolve_key``).

    Example:
        >>> vendor_endpoint(
        ...     {"base_url": "http://127.0.0.1:1/"},
        ...     None,
        ...     key_env="NO_SUCH_KEY",
        ...     url_env="NO_SUCH_URL",
        ...     default_url="https://example.invalid",
        ...     label="M",
        ... )
        ('http://127.0.0.1:1', None)
    """
    base_url = str(ckw.get("base_url") or os.environ.get(url_env) or default_url).rstrip("/")
    return base_url, resolve_key(api_key, (key_env,), label, base_url=ckw.get("base_url"))


def status_code(exc: BaseException) -> int | None:
    """The HTTP status an SDK exception carries (``status_code`` or ``code``), else None."""
    for attr in ("status_code", "code"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 100 <= value < 600:
            return value
    return None


def _detail(exc: BaseException) -> str:
    body = getattr(exc, "body", None) or getattr(exc, "details", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
    return str(getattr(exc, "message", "") or exc)


def is_connection_error(exc: BaseException) -> bool:
    """A transport failure (refused, timed out, dropped) rather than an HTTP answer."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    transport = ("APIConnectionError", "APITimeoutError", "ConnectError", "ReadError")
    return bool(names & set(transport)) or isinstance(exc, (ConnectionError, TimeoutError))


def vendor_error(exc: BaseException, site: CallSite) -> ModelCallError:
    """One line naming the model and the cause of a failed request.

    Example:
        >>> site = CallSite("AnthropicChatModel 'c'", "https://api.anthropic.com", "ANTHROPIC_API_KEY")
        >>> str(vendor_error(ConnectionRefusedError("refused"), site))
        "AnthropicChatModel 'c': cannot reach https://api.anthropic.com (ConnectionRefusedError)"
    """
    if isinstance(exc, ModelCallError):
        return exc
    url = site.base_url
    if is_connection_error(exc):
        return site.error(f"cannot reach {url} ({type(exc).__name__})")
    status = status_code(exc)
    detail = _one_line(_detail(exc), 200)
    if status in (401, 403):
        return site.error(
            f"authentication failed (HTTP {status}) at {url} - check api_key / {site.key_env}: "
            f"{detail}"
        )
    if status == 404:
        return site.error(f"not found (HTTP 404) at {url} - check model_name: {detail}")
    if status == 400:
        return site.error(f"request rejected (HTTP 400) - e.g. a tool schema: {detail}")
    if status is not None:
        return site.error(f"HTTP {status} at {url}: {detail}")
    return site.error(f"request failed at {url}: {type(exc).__name__}: {detail}")


async def guarded(
    stream: AsyncIterator[ChatResponse],
    site: CallSite,
    sdk_errors: tuple[type[BaseException], ...],
) -> AsyncGenerator[ChatResponse, None]:
    """Re-raise a stream that breaks off (cut connection, server error event) as one line
    naming the model and how many chunks arrived."""
    chunks = 0
    caught: tuple[type[BaseException], ...] = (*sdk_errors, ConnectionError, OSError)
    try:
        async for chunk in stream:
            chunks += 1
            yield chunk
    except caught as exc:
        if isinstance(exc, ModelCallError):
            raise
        if chunks == 0 and status_code(exc) is not None:  # an HTTP error answered the request
            raise vendor_error(exc, site) from exc
        reason = _one_line(_detail(exc), 160)
        raise site.error(
            f"the stream from {site.base_url} broke off after {chunks} chunks ({reason})"
        ) from exc


def function_schemas(
    tools: list[dict[str, Any]], convert: Callable[[dict[str, Any]], dict[str, Any]]
) -> list[dict[str, Any]]:
    """``convert(function)`` for each OpenAI-style tool schema, checking its shape."""
    out = []
    for schema in tools:
        function = schema.get("function") if isinstance(schema, dict) else None
        if not isinstance(function, dict) or "name" not in function:
            raise ConfigError(
                f"invalid tool schema {schema!r}: expected {{'type': 'function', "
                "'function': {'name': ..., 'parameters': ...}}"
            )
        out.append(convert(function))
    return out


def str_id(value: Any) -> str | None:
    """``value`` when it is a non-empty string (SDK ids), else None."""
    return value if isinstance(value, str) and value else None


class LoopClient:
    """The SDK client of a model, made again when the event loop changes.

    An SDK's connection pool belongs to the loop it first ran on, so a second
    ``asyncio.run(model(...))`` would reuse dead connections ("Event loop is closed", or a
    silent retry that eats a request). A client assigned to ``model.client`` by the user
    (or a test) is used as it is.

    Example:
        >>> made = LoopClient(lambda: object())
        >>> made.own is made.own
        True
    """

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self.own: Any = make()
        self._loop: Any = None
        self._retired: list[Any] = []

    def current(self, assigned: Any) -> Any:
        """``assigned`` unless it is our own client and the running loop changed: then a
        fresh client (which becomes our own)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if assigned is self.own and self._loop is not None and self._loop is not loop:
            # keep the old client: collecting it would schedule its close on a dead loop
            self._retired = [*self._retired[-7:], self.own]
            self.own = self._make()
            assigned = self.own
        self._loop = loop
        return assigned
