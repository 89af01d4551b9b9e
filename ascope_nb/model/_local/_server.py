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
    n_slots: int = 1
    lora: Path | None = None
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


SLOTS_ENV = "ASCOPE_LOCAL_SLOTS"
DEFAULT_SLOTS = 4


def default_slots() -> int:
    """How many requests the local server decodes at once: ``$ASCOPE_LOCAL_SLOTS``, else 4.

    On a CPU a decoding step reads all the weights whatever the batch, so four agents (a
    fanout vote, an experiment at concurrency 4) share a step instead of queueing; one agent
    alone runs as fast as with one slot.

    Example:
        >>> import os; os.environ.pop("ASCOPE_LOCAL_SLOTS", None) and None
        >>> default_slots()
        4
    """
    raw = os.environ.get(SLOTS_ENV, "").strip()
    if not raw:
        return DEFAULT_SLOTS
    return check_slots(raw, where=f"${SLOTS_ENV}")


def check_slots(value: Any, *, where: str = "n_slots") -> int:
    """``value`` as a slot count from 1 to 64, else one ``ConfigError`` line naming ``where``."""
    try:
        slots = int(str(value))
    except ValueError:
        slots = 0
    if isinstance(value, bool) or not 1 <= slots <= 64:
        raise ConfigError(f"{where} must be a whole number from 1 to 64, got {value!r}")
    return slots


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


def _start(
    model_path: Path,
    n_threads: int,
    n_ctx: int,
    verbosity: int,
    n_slots: int = 1,
    lora: Path | None = None,
) -> LocalServer:
    engine = import_engine()
    params = engine.CommonParams()
    params.model.path = str(model_path)
    if lora is not None:  # a GGUF LoRA applied to every request (scale 1)
        params.lora_adapters = [engine.CommonAdapterLoraInfo(str(lora), 1.0)]
    # n_slots requests decode together (continuous batching), each slot keeps its own prompt
    # cache and its own KV stream of n_ctx tokens (as one slot had). Not one unified buffer:
    # there every request's attention spans all the slots' cells, masked, so long prompts at
    # once cost more than one after another (a Werewolf day: 341 s unified, 217 s split,
    # 237 s one slot; benchmarks/werewolf_day_bench.py)
    params.n_parallel = n_slots
    params.cont_batching = True
    params.kv_unified = False
    params.n_ctx = n_ctx * n_slots
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
        n_slots=n_slots,
        lora=lora,
        handle=handle,
    )
    logger.info(
        "local model %s loaded in %.1fs at %s (%d slots)",
        model_path.name,
        server.load_seconds,
        address,
        n_slots,
    )
    return server


def get_server(
    model_path: Path,
    *,
    n_threads: int | None = None,
    n_ctx: int = 8192,
    verbosity: int = 1,
    n_slots: int | None = None,
    lora: Path | None = None,
) -> LocalServer:
    """The server for ``model_path`` (with the GGUF LoRA ``lora`` applied, if given), started
    (blocking, seconds) on first use.

    Every ``LocalModel`` with the same weights file shares one server; the first caller's
    ``n_threads``, ``n_ctx`` (per slot) and ``n_slots`` (default ``default_slots()``) win.
    Servers stop when the process exits.
    """
    slots = check_slots(n_slots) if n_slots is not None else default_slots()
    key = str(Path(model_path).resolve())
    lora = Path(lora).resolve() if lora is not None else None
    server_key = key if lora is None else f"{key}+lora:{lora}"
    with _LOCK:
        server = _SERVERS.get(server_key)
        if server is not None and server.pid == os.getpid():
            if (
                (n_threads and n_threads != server.n_threads)
                or n_ctx != server.n_ctx
                or slots != server.n_slots
            ):
                logger.info("reusing the running local server for %s (%s)", key, server)
            return server
        server = _start(Path(key), n_threads or default_threads(), n_ctx, verbosity, slots, lora)
        _SERVERS[server_key] = server
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
