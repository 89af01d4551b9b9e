"""One in-process llama.cpp server (``xllamacpp``) per weights file, on 127.0.0.1."""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...exceptions import ConfigError, ModelCallError
from ._weights import EXTRA_HINT

logger = logging.getLogger(__name__)

ENGINE = "xllamacpp"


@dataclass
class LocalServer:
    """A running server: where it listens, its key, how long it took to load."""

    model_path: Path
    base_url: str
    api_key: str = field(repr=False)
    load_seconds: float
    n_threads: int
    n_ctx: int
    pid: int = field(default_factory=os.getpid)
    handle: Any = field(default=None, repr=False)


_SERVERS: dict[str, LocalServer] = {}
_LOCK = threading.Lock()


def default_threads() -> int:
    """The CPU cores this process may use (cgroup affinity aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def import_engine() -> Any:
    """Import ``xllamacpp``; ``ConfigError`` with the install hint when it is missing."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise ConfigError(
            f"the embedded local model needs the llama.cpp engine '{ENGINE}': {EXTRA_HINT} "
            f"(and the Debian package libgomp1) - {exc}"
        ) from exc
    return xllamacpp


def _start(model_path: Path, n_threads: int, n_ctx: int, verbosity: int) -> LocalServer:
    engine = import_engine()
    params = engine.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = n_threads
    params.cpuparams_batch.n_threads = n_threads
    # No busy-wait polling: beside a Jupyter kernel and other processes on few cores,
    # spinning threads starve each other (measured: 1.0 -> 8.6 tok/s on a busy 2-core box).
    params.cpuparams.poll = 0
    params.cpuparams_batch.poll = 0
    params.port = 0  # a free port
    params.api_keys = [key := secrets.token_urlsafe(24)]
    params.warmup = False
    params.fit_params = False
    params.verbosity = verbosity
    started = time.monotonic()
    try:
        handle = engine.Server(params)
    except Exception as exc:
        raise ModelCallError(
            f"the local llama.cpp server could not load {model_path}: {type(exc).__name__}: {exc}"
        ) from exc
    address = handle.listening_address
    address = address() if callable(address) else address
    server = LocalServer(
        model_path=model_path,
        base_url=f"{str(address).rstrip('/')}/v1",
        api_key=key,
        load_seconds=time.monotonic() - started,
        n_threads=n_threads,
        n_ctx=n_ctx,
        handle=handle,
    )
    logger.info(
        "local model %s loaded in %.1fs at %s", model_path.name, server.load_seconds, address
    )
    return server


def get_server(
    model_path: Path, *, n_threads: int | None = None, n_ctx: int = 8192, verbosity: int = 1
) -> LocalServer:
    """The server for ``model_path``, started (blocking, seconds) on first use.

    Every ``LocalModel`` with the same weights file shares one server; the first caller's
    ``n_threads`` and ``n_ctx`` win. Servers stop when the process exits.
    """
    key = str(Path(model_path).resolve())
    with _LOCK:
        server = _SERVERS.get(key)
        if server is not None and server.pid == os.getpid():
            if (n_threads and n_threads != server.n_threads) or n_ctx != server.n_ctx:
                logger.info("reusing the running local server for %s (%s)", key, server)
            return server
        server = _start(Path(key), n_threads or default_threads(), n_ctx, verbosity)
        _SERVERS[key] = server
        return server


def running_servers() -> list[LocalServer]:
    """The servers started by this process."""
    return [s for s in _SERVERS.values() if s.pid == os.getpid()]


def stop_servers() -> None:
    """Stop every server this process started (runs at exit)."""
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        if server.pid == os.getpid():
            server.handle = None  # dropping the last reference stops the server


atexit.register(stop_servers)
