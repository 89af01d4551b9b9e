"""``A2AAgent`` and the card resolvers against real servers on 127.0.0.1: a plain a2a-sdk
server (no ascope_nb on its side) and broken ones (500, dropped stream, bad card, silence)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")

from support.a2a_servers import EchoExecutor, broken_app, card_for, echo_app, free_port, running

from ascope_nb.a2a import FileAgentCardResolver, WellKnownAgentCardResolver
from ascope_nb.agent import A2AAgent
from ascope_nb.exceptions import A2AError
from ascope_nb.message import Msg


def _agent(card, **kwargs) -> A2AAgent:  # type: ignore[no-untyped-def]
    agent = A2AAgent(card, **kwargs)
    agent.set_console_output_enabled(False)
    return agent


def test_a2a_agent_talks_to_a_plain_a2a_sdk_server() -> None:
    executor = EchoExecutor()
    with running(echo_app(executor)) as url:

        async def talk() -> tuple[Msg, Msg]:
            card = await WellKnownAgentCardResolver(url).get_agent_card()
            agent = _agent(card, timeout=10)
            await agent.observe(Msg("Alice", "I saw this", "user"))
            first = await agent(Msg("user", "and say that", "user"))
            assert agent._observed_msgs == []  # cleared once the remote answered
            second = await agent(Msg("user", "again", "user"))
            return first, second

        first, second = asyncio.run(talk())
    assert first.name == "Echo" and first.role == "assistant"
    assert first.get_text_content() == "echo: I saw this | and say that"
    assert first.metadata["_a2a_state"] == "completed"
    assert second.get_text_content() == "echo: again"
    sent = executor.received
    assert [len(m.parts) for m in sent] == [2, 1]  # observed + input merged into one message
    assert sent[1].context_id == sent[0].context_id  # one conversation, one A2A context


def test_a2a_agent_takes_a_message_answer() -> None:
    with running(echo_app(EchoExecutor(mode="message"))) as url:
        reply = asyncio.run(_agent(card_for(url), timeout=10)(Msg("user", "hi", "user")))
    assert reply.get_text_content() == "echo: hi"


def test_structured_model_is_refused() -> None:
    agent = _agent(card_for("http://127.0.0.1:9"))
    with pytest.raises(ValueError, match="structured_model is not supported"):
        asyncio.run(agent.reply(Msg("user", "hi", "user"), structured_model=dict))


def test_unreachable_url_is_one_line_and_the_input_is_kept() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    agent = _agent(card_for(url), timeout=5)
    with pytest.raises(A2AError) as info:
        asyncio.run(agent(Msg("user", "hello", "user")))
    line = str(info.value)
    assert url in line and "'Echo'" in line and "\n" not in line
    assert [m.get_text_content() for m in agent._observed_msgs] == ["hello"]  # nothing lost


def test_server_answering_500_is_one_line() -> None:
    with running(broken_app("500")) as url:
        agent = _agent(card_for(url, name="Broken"), timeout=5)
        with pytest.raises(A2AError) as info:
            asyncio.run(agent(Msg("user", "hi", "user")))
    assert url in str(info.value) and "\n" not in str(info.value)


def test_stream_dropped_mid_task_is_one_line() -> None:
    with running(broken_app("drop")) as url:
        agent = _agent(card_for(url, name="Broken"), timeout=5)
        with pytest.raises(A2AError, match="stream ended before an answer") as info:
            asyncio.run(agent(Msg("user", "hi", "user")))
    assert url in str(info.value)
    assert len(agent._observed_msgs) == 1


def test_remote_that_never_answers_times_out() -> None:
    with running(echo_app(EchoExecutor(mode="hang"))) as url:
        agent = _agent(card_for(url), timeout=1)
        with pytest.raises(A2AError, match=r"no answer within 1s") as info:
            asyncio.run(asyncio.wait_for(agent(Msg("user", "hi", "user")), 30))
    assert url in str(info.value)


def test_card_that_does_not_parse_names_the_url() -> None:
    with running(broken_app("badcard")) as url:
        with pytest.raises(RuntimeError, match="Failed to resolve AgentCard from URL") as info:
            asyncio.run(WellKnownAgentCardResolver(url).get_agent_card())
    assert url in str(info.value) and "\n" not in str(info.value)


def test_unreachable_card_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RuntimeError, match=url):
        asyncio.run(WellKnownAgentCardResolver(url, timeout=5).get_agent_card())
    with pytest.raises(RuntimeError, match="Invalid URL format"):
        asyncio.run(WellKnownAgentCardResolver("not a url").get_agent_card())


def test_file_resolver_reads_both_card_forms(tmp_path: Path) -> None:
    from google.protobuf import json_format

    card = card_for("http://127.0.0.1:8000", name="Friday")
    new_form = tmp_path / "card.json"
    new_form.write_text(json.dumps(json_format.MessageToDict(card)))
    assert asyncio.run(FileAgentCardResolver(str(new_form)).get_agent_card()) == card
    old_form = tmp_path / "card03.json"  # a2a 0.3's card: a top-level url
    old_form.write_text(
        json.dumps(
            {
                "name": "Friday",
                "url": "http://localhost:8000",
                "description": "d",
                "version": "1.0.0",
                "capabilities": {"streaming": True},
                "defaultInputModes": ["text/plain"],
                "defaultOutputModes": ["text/plain"],
                "skills": [],
            }
        )
    )
    parsed = asyncio.run(FileAgentCardResolver(str(old_form)).get_agent_card())
    assert parsed.name == "Friday"
    assert parsed.supported_interfaces[0].url == "http://localhost:8000"
    with pytest.raises(FileNotFoundError, match="missing.json"):
        asyncio.run(FileAgentCardResolver(str(tmp_path / "missing.json")).get_agent_card())
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.json"):
        asyncio.run(FileAgentCardResolver(str(bad)).get_agent_card())


def test_an_a2a_0_3_card_is_accepted() -> None:
    from a2a.compat.v0_3 import types as v03

    card = v03.AgentCard(
        name="Old",
        url="http://127.0.0.1:8000",
        description="d",
        version="1",
        capabilities=v03.AgentCapabilities(),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[],
    )
    agent = _agent(card)
    assert agent.name == "Old" and agent.url == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="agent_card must be an instance of AgentCard"):
        A2AAgent(42)


def test_state_dict_round_trip() -> None:
    agent = _agent(card_for("http://127.0.0.1:9"))
    asyncio.run(agent.observe([Msg("a", "one", "user"), Msg("b", "two", "user")]))
    state = agent.state_dict()
    other = _agent(card_for("http://127.0.0.1:9"))
    other.load_state_dict(state)
    assert [m.get_text_content() for m in other._observed_msgs] == ["one", "two"]
    with pytest.raises(KeyError):
        other.load_state_dict({**state, "extra": 1})
    with pytest.raises(TypeError):
        asyncio.run(agent.observe("text"))  # type: ignore[arg-type]
