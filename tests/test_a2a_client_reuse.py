"""``A2AAgent`` keeps one a2a-sdk client per event loop (with its HTTP client): it is made
once, survives the server restarting between two calls (or gives one line naming the URL
while it is down), serves two calls at once, and stays usable after a cancelled call.
Real servers (``ascope_nb.a2a.serve``) on 127.0.0.1."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

from a2a.client import ClientFactory
from support.a2a_agents import adder, sleeper

from ascope_nb.a2a import WellKnownAgentCardResolver, serve
from ascope_nb.agent import A2AAgent
from ascope_nb.exceptions import A2AError
from ascope_nb.message import Msg


async def _remote(url: str, **kwargs: Any) -> A2AAgent:
    card = await WellKnownAgentCardResolver(url).get_agent_card()
    remote = A2AAgent(card, **kwargs)
    remote.set_console_output_enabled(False)
    return remote


def test_one_client_serves_every_call_made_on_a_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    original = ClientFactory.create

    def counting(self: Any, card: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(card.name)
        return original(self, card, *args, **kwargs)

    monkeypatch.setattr(ClientFactory, "create", counting)
    with serve(lambda: adder()) as server:

        async def talk() -> str:
            remote = await _remote(server.url, timeout=20)
            return (await remote(Msg("user", "1+2?", "user"))).get_text_content() or ""

        assert asyncio.run(talk()) == "It is 3."
        first = len(made)

        async def talk_more() -> list[str]:  # three calls on one loop: one client
            remote = await _remote(server.url, timeout=20)
            out = []
            for _ in range(3):
                remote._context_id = ""  # a new conversation each time (a fresh agent)
                out.append((await remote(Msg("user", "1+2?", "user"))).get_text_content() or "")
            return out

        assert asyncio.run(talk_more()) == ["It is 3."] * 3
    assert first == 1 and len(made) == 2


def test_the_server_restarting_between_two_calls() -> None:
    first = serve(lambda: adder())
    port = int(first.url.rsplit(":", 1)[1])

    async def talk() -> tuple[str, str, str]:
        remote = await _remote(first.url, timeout=10)
        before = (await remote(Msg("user", "1+2?", "user"))).get_text_content() or ""
        await first.aclose()  # the kept connection is now dead
        with pytest.raises(A2AError) as down:
            await remote(Msg("user", "1+2?", "user"))
        again = serve(lambda: adder(), port=port)
        try:
            remote._context_id = ""
            after = (await remote(Msg("user", "1+2?", "user"))).get_text_content() or ""
        finally:
            await again.aclose()
        return before, str(down.value), after

    before, why, after = asyncio.run(asyncio.wait_for(talk(), 60))
    assert before == after == "It is 3."
    assert "\n" not in why and f"127.0.0.1:{port}" in why


def test_two_calls_at_once_on_one_a2a_agent() -> None:
    with serve(lambda: sleeper(seconds=0.3)) as server:

        async def talk() -> list[str]:
            remote = await _remote(server.url, timeout=20)
            replies = await asyncio.gather(
                remote(Msg("user", "one", "user")), remote(Msg("user", "two", "user"))
            )
            return [r.get_text_content() or "" for r in replies]

        assert asyncio.run(asyncio.wait_for(talk(), 60)) == ["awake", "awake"]


def test_a_cancelled_call_leaves_the_client_usable() -> None:
    with serve(sleeper(seconds=30)) as server:

        async def talk() -> str:
            remote = await _remote(server.url, timeout=20)
            calling = asyncio.Event()
            remote.subscribe(lambda e: calling.set() if e.kind == "tool_call" else None)
            call = asyncio.ensure_future(remote(Msg("user", "sleep", "user")))
            await asyncio.wait_for(calling.wait(), 20)  # the remote's slow tool is running
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            reply = await remote(Msg("user", "wake up", "user"))
            return reply.get_text_content() or ""

        assert asyncio.run(asyncio.wait_for(talk(), 60)) == "awake"
