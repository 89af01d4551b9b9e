"""What keeps an A2A round trip short, checked structurally (never by time): the served
agent's connections have Nagle's algorithm off (else each streamed event after the first
waits ~40 ms for the client's delayed ACK on a kept-alive connection), and ``A2AAgent``
reuses its connection from call to call."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import socket
from typing import Any

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

from support.a2a_agents import adder

from ascope_nb.a2a import WellKnownAgentCardResolver, serve
from ascope_nb.a2a._server import _bind
from ascope_nb.agent import A2AAgent
from ascope_nb.message import Msg


async def test_connections_accepted_on_the_served_socket_have_nagle_off() -> None:
    sock = _bind("127.0.0.1", 0, "probe")
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    loop = asyncio.get_running_loop()
    server = await loop.create_server(Probe, sock=sock)  # what uvicorn does with our socket
    try:
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert seen and seen[0] != 0


def test_a2a_agent_reuses_its_connection_from_call_to_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connects = [0]
    original = asyncio.base_events.BaseEventLoop.create_connection

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        connects[0] += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "create_connection", counting)
    with serve(adder(name="Reused")) as server:

        async def talk() -> int:
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remote = A2AAgent(card, timeout=20)
            remote.set_console_output_enabled(False)
            await remote(Msg("user", "1+2?", "user"))
            before = connects[0]
            for _ in range(3):
                reply = await remote(Msg("user", "1+2?", "user"))
                assert reply.get_text_content() == "It is 3."
            return connects[0] - before

        assert asyncio.run(talk()) == 0
