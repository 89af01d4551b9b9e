"""A guard that refuses model requests to anything but this machine (for test suites)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

from .exceptions import ModelCallError

ENV_FLAG = "ASCOPE_BLOCK_REMOTE_MODELS"


def _is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_model_request_allowed(url: str, who: str) -> None:
    """Raise if remote model requests are blocked and ``url`` is not on this machine."""
    if os.environ.get(ENV_FLAG) == "1" and not _is_loopback(url):
        raise ModelCallError(
            f"{who}: request to {url} refused: remote model requests are blocked ({ENV_FLAG}=1)"
        )


@contextmanager
def block_remote_model_requests() -> Iterator[None]:
    """Within the block, models may only reach 127.0.0.1 / localhost.

    Example:
        >>> with block_remote_model_requests():
        ...     pass
    """
    previous = os.environ.get(ENV_FLAG)
    os.environ[ENV_FLAG] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV_FLAG, None)
        else:
            os.environ[ENV_FLAG] = previous
