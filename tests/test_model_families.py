"""Each model family from the user's side: a ReAct step with a tool call and a streamed
answer against its fake server (real SDK, real HTTP on 127.0.0.1), and the exported
training record's prompt is exactly the request the server received."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.events import Event, event_from_dict, subscribe
from ascope_nb.exceptions import ModelCallError
from ascope_nb.export import RunRecord
from ascope_nb.export._calls import format_messages, model_calls
from ascope_nb.fold import RunFold
from ascope_nb.message import Msg
from ascope_nb.model import model_from_spec
from ascope_nb.testing import FakeOpenAIServer, FakeReply
from ascope_nb.tool import Toolkit

pytest.importorskip("anthropic")
pytest.importorskip("google.genai")

FAMILIES = ("anthropic", "gemini", "openai-responses", "deepseek")
FORMATTERS = {
    "anthropic": "AnthropicChatFormatter",
    "gemini": "GeminiChatFormatter",
    "openai-responses": "OpenAIResponseChatFormatter",
    "deepseek": "DeepSeekChatFormatter",
}


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def family_model(family: str, server: FakeOpenAIServer, **options: Any) -> Any:
    """The one line that switches families: a spec plus the fake server's address."""
    where: dict[str, Any] = {
        "anthropic": {"client_kwargs": {"base_url": server.root}},
        "gemini": {"client_kwargs": {"http_options": {"base_url": server.root}}},
        "openai-responses": {"client_kwargs": {"base_url": server.base_url}},
        "deepseek": {"client_kwargs": {"base_url": server.base_url}},
    }[family]
    return model_from_spec(
        f"{family}:fake-{family}", api_key="sk-test-key-0123456789", **where, **options
    )


def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)


def _wire(value: Any) -> Any:
    """A formatter's output as the SDK puts it on the wire (Gemini: camelCase keys, no
    None values)."""
    if isinstance(value, dict):
        return {_camel(k): _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def sent_messages(family: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The conversation in a request body, in the formatter's layout."""
    if family == "anthropic":
        head = [{"role": "system", "content": body["system"]}] if "system" in body else []
        return head + body["messages"]
    if family == "gemini":
        return body["contents"]  # type: ignore[no-any-return]
    if family == "openai-responses":
        return body["input"]  # type: ignore[no-any-return]
    return body["messages"]  # type: ignore[no-any-return]


def _agent(model: Any) -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(name="Friday", sys_prompt="You are Friday.", model=model, toolkit=toolkit)
    agent.set_console_output_enabled(False)
    return agent


def _run(agent: ReActAgent, text: str) -> tuple[Msg, list[Event]]:
    seen: list[Event] = []

    async def go() -> Msg:
        with subscribe(seen.append):
            return await agent(Msg("user", text, "user"))

    reply = asyncio.run(go())
    return reply, [event_from_dict(e.to_dict()) for e in seen]  # through the wire form


@pytest.mark.parametrize("family", FAMILIES)
def test_react_step_with_a_tool_call_and_a_streamed_answer(family: str) -> None:
    replies = [
        FakeReply(tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}]),
        FakeReply(text="The sum is 5.", chunk_chars=3),
    ]
    with FakeOpenAIServer(replies) as server:
        model = family_model(family, server)
        assert model.stream
        agent = _agent(model)
        assert type(agent.formatter).__name__ == FORMATTERS[family]
        reply, events = _run(agent, "What is 2 + 3?")
        received = list(server.requests)

    assert reply.get_text_content() == "The sum is 5."
    assert len(received) == 2
    results = [b for m, _ in agent.memory.content for b in m.get_content_blocks("tool_result")]
    assert [r["output"][0]["text"] for r in results] == ["5"]  # type: ignore[index]
    # usage reached the events like any other model's: the live view and the store count it
    tokens = RunFold().extend([e.to_dict() for e in events]).summary()["tokens"]
    assert tokens["input"] > 0 and tokens["output"] > 0
    record = RunRecord.from_events(events)
    calls = model_calls(record)
    assert len(calls) == 2
    for call, body in zip(calls, received, strict=True):
        assert call.formatter == FORMATTERS[family]
        exported = format_messages(call.formatter, call.inputs)
        expected = sent_messages(family, body)
        assert (_wire(exported) if family == "gemini" else exported) == expected
    # the training record's prompt is canonical chat whatever the family: the call, its result
    prompt = calls[1].prompt
    head = (
        "user" if family == "gemini" else "system"
    )  # Gemini gets the system prompt as a user turn
    assert [m["role"] for m in prompt] == [head, "user", "assistant", "tool"]
    assert prompt[0]["content"] == "You are Friday." and prompt[1]["content"] == "What is 2 + 3?"
    call_sent = prompt[2]["tool_calls"][0]["function"]
    assert call_sent["name"] == "add" and json.loads(call_sent["arguments"]) == {"a": 2, "b": 3}
    assert prompt[3]["content"] == "5"
    # the second request carries the tool result the first one asked for
    assert "5" in str(sent_messages(family, received[1])[-1])
    assert calls[-1].output["content"][-1]["text"] == "The sum is 5."


@pytest.mark.parametrize("family", ("anthropic", "gemini", "openai-responses"))
def test_a_rejected_tool_schema_is_one_line_naming_the_model(family: str) -> None:
    reply = FakeReply(status=400, error_message="tools.0.input_schema: type 'foo' is not valid")
    with FakeOpenAIServer([reply]) as server:
        agent = _agent(family_model(family, server))
        with pytest.raises(ModelCallError) as caught:
            _run(agent, "What is 2 + 3?")
    text = str(caught.value)
    assert "\n" not in text
    assert f"fake-{family}" in text and "400" in text and "input_schema" in text
    # memory stays valid: the question is kept, no tool call is left without its result
    uses = [b for m, _ in agent.memory.content for b in m.get_content_blocks("tool_use")]
    assert uses == []


@pytest.mark.parametrize("family", ("anthropic", "gemini", "openai-responses"))
def test_a_stream_cut_mid_tool_call_is_one_line_and_runs_nothing(family: str) -> None:
    # Gemini sends a call whole in one chunk: cut right after it, before the stream's end
    cut = FakeReply(
        tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}],
        die_after=1 if family == "gemini" else 3,
    )
    with FakeOpenAIServer([cut]) as server:
        agent = _agent(family_model(family, server))
        with pytest.raises(ModelCallError) as caught:
            _run(agent, "What is 2 + 3?")
    text = str(caught.value)
    assert "\n" not in text and f"fake-{family}" in text
    assert "broke off" in text
    results = [b for m, _ in agent.memory.content for b in m.get_content_blocks("tool_result")]
    assert results == []


@pytest.mark.parametrize("family", FAMILIES)
def test_a_missing_key_names_the_model_and_the_variable(
    family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(Exception) as caught:
        model_from_spec(f"{family}:some-model")
    text = str(caught.value)
    assert "some-model" in text and "API_KEY" in text and "\n" not in text


def test_an_unknown_model_name_is_one_line() -> None:
    reply = FakeReply(status=404, error_message="model 'claude-nope' not found")
    with FakeOpenAIServer([reply]) as server:
        model = family_model("anthropic", server, stream=False)
        with pytest.raises(ModelCallError, match=r"fake-anthropic.*404.*check model_name"):
            asyncio.run(model([{"role": "user", "content": "hi"}]))


def test_keys_never_reach_errors_or_events(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-ant-api03-" + "k" * 40
    reply = FakeReply(status=401, error_message=f"invalid x-api-key {key}")
    with FakeOpenAIServer([reply]) as server:
        model = model_from_spec(
            "anthropic:claude-x", api_key=key, client_kwargs={"base_url": server.root}
        )
        agent = _agent(model)
        with pytest.raises(ModelCallError) as caught:
            _run(agent, "hi")
        sent = server.headers[0].get("x-api-key") or server.headers[0].get("authorization", "")
        assert key in sent  # the key did reach the server
    assert key not in str(caught.value)
    assert "authentication failed" in str(caught.value)


@pytest.mark.parametrize("family", ("anthropic", "gemini", "openai-responses"))
def test_one_model_serves_two_event_loops(family: str) -> None:
    """A second ``asyncio.run`` gets a fresh client: no dead pool, no silent retry."""
    with FakeOpenAIServer(["first", "second"]) as server:
        model = family_model(family, server, stream=False)
        fmt_messages = (
            [{"role": "user", "parts": [{"text": "hi"}]}]
            if family == "gemini"
            else [{"role": "user", "content": "hi"}]
        )
        answers = [asyncio.run(model(fmt_messages)).content[0]["text"] for _ in range(2)]
        assert len(server.requests) == 2
    assert answers == ["first", "second"]
