"""``serve``: an agent served over A2A on its own thread and event loop (uvicorn), so the
notebook's loop stays free; ``A2AServer`` is its handle.

Example:
    >>> with serve(friday, port=0) as server:  # doctest: +SKIP
    ...     print(server.url)
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from ..exceptions import A2AError

START_TIMEOUT = 30.0


class A2AServer:
    """A running A2A server: ``url``, ``card``; ``close()`` / ``await aclose()`` stop it."""

    def __init__(self, *, url: str, card: Any, app: Any, sock: socket.socket) -> None:
        self.url = url
        self.card = card
        self.app = app
        self._sock = sock
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's event loop (its agents run there)."""
        return self._loop

    def _start(self) -> None:
        import uvicorn

        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        ready = threading.Event()

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve(ready))
            except BaseException as exc:  # reported by _start / close
                self._error = exc
            finally:
                ready.set()
                _drain(loop)

        self._thread = threading.Thread(target=main, name=f"a2a-{self.card.name}", daemon=True)
        self._thread.start()
        ready.wait(START_TIMEOUT)
        if self._error is not None or not self._server.started:
            self.close()
            raise A2AError(f"A2A server for {self.card.name!r} at {self.url} did not start")

    async def _serve(self, ready: threading.Event) -> None:
        task = asyncio.ensure_future(self._server.serve(sockets=[self._sock]))
        while not self._server.started and not task.done():
            await asyncio.sleep(0.005)
        ready.set()
        await task

    def close(self) -> None:
        """Stop serving (running requests are cancelled) and free the port."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        try:
            self._sock.close()
        except OSError:
            pass

    async def aclose(self) -> None:
        """``close()`` without blocking the calling event loop."""
        await asyncio.to_thread(self.close)

    def __enter__(self) -> A2AServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> A2AServer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "running" if self.running else "closed"
        return f"A2AServer(name={self.card.name!r}, url={self.url!r}, {state})"


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what the server left running (open SSE streams), then close the loop."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()


def _bind(host: str, port: int, name: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto given explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # proto says TCP, and accepted sockets inherit it. With Nagle on, each streamed event
    # after the first waits for the client's delayed ACK (~40 ms) on a kept-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if os.name == "posix":  # serving again on a port whose old connections are in TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = "port already in use" if port and exc.errno in (98, 48, 10048) else str(exc)
        raise A2AError(f"cannot serve {name!r} on {host}:{port}: {why}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def serve(
    agent_or_factory: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    name: str | None = None,
    description: str | None = None,
    skills: Sequence[Any] | None = None,
) -> A2AServer:
    """Serve an agent (or a factory of agents, one per A2A context) over A2A; returns once
    the server accepts connections. ``port=0`` picks a free port (see ``.url``).

    Raises:
        A2AError: the port is taken, or the server did not start.

    Example:
        >>> server = serve(friday, port=9999)  # doctest: +SKIP
        >>> server.url                         # doctest: +SKIP
        'http://127.0.0.1:9999'
    """
    from ._app import _probe_agent, to_a2a_app

    agent = _probe_agent(agent_or_factory)
    label = name or (agent.name if agent is not None else "agent")
    sock = _bind(host, port, label)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}"
    try:
        app = to_a2a_app(
            agent_or_factory, url=url, name=name, description=description, skills=skills
        )
    except BaseException:
        sock.close()
        raise
    server = A2AServer(url=url, card=app.state.agent_card, app=app, sock=sock)
    server._start()
    return server


__all__ = ["serve", "A2AServer"]
