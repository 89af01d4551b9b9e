"""Turn ``openai`` / transport exceptions into one-line ``ModelCallError`` messages."""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import ModelCallError
from ..redact import redact_text


@dataclass(frozen=True)
class CallSite:
    """Who was called where, for error messages: ``OpenAIChatModel 'gpt-x' ... at URL``."""

    label: str
    base_url: str
    key_env: str

    def error(self, what: str) -> ModelCallError:
        # the message reaches tracebacks in the notebook: no key or URL credential in it
        return ModelCallError(redact_text(f"{self.label}: {_one_line(what)}"))


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an ``openai.APIStatusError``, else None."""
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx, 408/409 and connection errors / timeouts are worth another try."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    status = status_of(exc)
    return status is not None and (status in (408, 409, 429) or status >= 500)


def _server_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
    return str(getattr(exc, "message", "") or exc)


def connection_reason(exc: BaseException) -> str:
    """A short reason from the exception chain: "connection refused", "timed out", ..."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    for e in seen:
        if isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower():
            return "connection refused"
        if isinstance(e, TimeoutError) or "timed out" in str(e).lower():
            return "timed out"
        if "name or service not known" in str(e).lower() or "nodename" in str(e).lower():
            return "unknown host"
    last = seen[-1]
    return _one_line(f"{type(last).__name__}: {last}" if str(last) else type(last).__name__, 120)


def to_model_error(exc: BaseException, site: CallSite, *, attempts: int) -> ModelCallError:
    """The one-line error for a failed request (after ``attempts`` tries)."""
    import openai

    tries = f" after {attempts} attempts" if attempts > 1 else ""
    url = site.base_url
    if isinstance(exc, openai.APIConnectionError):
        return site.error(f"cannot reach {url} ({connection_reason(exc)}){tries}")
    status = status_of(exc)
    detail = _server_message(exc)
    if status in (401, 403):
        what = "authentication failed" if status == 401 else "permission denied"
        return site.error(
            f"{what} (HTTP {status}) at {url} - check api_key / {site.key_env}: {detail}"
        )
    if status == 404:
        return site.error(
            f"not found (HTTP 404) at {url} - check model_name and base_url: {detail}"
        )
    if status == 429:
        return site.error(f"rate limited (HTTP 429) at {url}{tries}: {detail}")
    if status is not None and status >= 500:
        return site.error(f"server error (HTTP {status}) at {url}{tries}: {detail}")
    if status is not None:
        return site.error(f"request rejected (HTTP {status}) at {url}: {detail}")
    return site.error(f"request failed at {url}: {type(exc).__name__}: {detail}")


def stream_error(exc: BaseException, site: CallSite, *, chunks: int) -> ModelCallError:
    """The one-line error for a stream that broke off after ``chunks`` chunks."""
    import openai

    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
        detail = _server_message(exc)
    else:
        detail = connection_reason(exc)
    return site.error(
        f"stream from {site.base_url} broke off after {chunks} chunks ({_one_line(detail, 160)})"
    )
