"""OpenAIChatModel and its presets against the real HTTP FakeOpenAIServer."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from pydantic import BaseModel

from ascope_nb.exceptions import ConfigError, ModelCallError
from ascope_nb.model import (
    ChatResponse,
    OpenAIChatModel,
)
from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply, FakeToolCall

USER = [{"role": "user", "content": "hi"}]


def make_model(server: FakeOpenAIServer, **kwargs: Any) -> OpenAIChatModel:
    kwargs.setdefault("retry_base_delay", 0.01)
    return OpenAIChatModel("gpt-x", client_kwargs={"base_url": server.base_url}, **kwargs)


async def collect(model: OpenAIChatModel, messages: list[dict[str, Any]] = USER, **kwargs: Any):
    stream = await model(messages, **kwargs)
    assert not isinstance(stream, ChatResponse)
    return [chunk async for chunk in stream]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_streaming_text_is_cumulative(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(text="Hello there, world", reasoning="think first", chunk_chars=5))
    chunks = await collect(make_model(server))
    texts = [next((b["text"] for b in c.content if b["type"] == "text"), "") for c in chunks]
    # each chunk holds everything so far: every text is a prefix of the next
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:], strict=False))
    assert len(set(texts)) > 3
    assert chunks[-1].content == [
        {"type": "thinking", "thinking": "think first"},
        {"type": "text", "text": "Hello there, world"},
    ]
    body = server.requests[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == USER
    assert body["model"] == "gpt-x"


async def test_usage_recorded_streaming_and_not(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(text="a", usage=(11, 7)), FakeReply(text="b", usage=(5, 3)))
    chunks = await collect(make_model(server))
    usage = chunks[-1].usage
    assert usage is not None and (usage.input_tokens, usage.output_tokens) == (11, 7)
    assert usage.time >= 0
    res = await make_model(server, stream=False)(USER)
    assert isinstance(res, ChatResponse) and res.usage is not None
    assert (res.usage.input_tokens, res.usage.output_tokens) == (5, 3)


async def test_parallel_tool_calls_assembled_from_fragments(server: FakeOpenAIServer) -> None:
    calls = [
        FakeToolCall("add", {"a": 1, "b": [2, 3], "note": "x, y"}, id="call_a"),
        FakeToolCall("search", {"query": "weather in Paris"}, id="call_b"),
        FakeToolCall("noop", {}, id="call_c"),
    ]
    server.add_reply(FakeReply(tool_calls=calls, chunk_chars=3, interleave_tool_calls=True))
    chunks = await collect(make_model(server))
    assert len(chunks) > 10
    assert chunks[-1].content == [
        {
            "type": "tool_use",
            "id": "call_a",
            "name": "add",
            "input": {"a": 1, "b": [2, 3], "note": "x, y"},
            "raw_input": '{"a": 1, "b": [2, 3], "note": "x, y"}',
        },
        {
            "type": "tool_use",
            "id": "call_b",
            "name": "search",
            "input": {"query": "weather in Paris"},
            "raw_input": '{"query": "weather in Paris"}',
        },
        {"type": "tool_use", "id": "call_c", "name": "noop", "input": {}, "raw_input": "{}"},
    ]
    # partial chunks carry best-effort dicts, never raise
    partial_inputs = [b["input"] for c in chunks[:-1] for b in c.content]
    assert all(isinstance(i, dict) for i in partial_inputs)
    assert {"a": 1} in partial_inputs


async def test_malformed_arguments_keep_raw_input(server: FakeOpenAIServer) -> None:
    bad = '{"city": "Paris",, oops'
    server.add_reply(
        FakeReply(tool_calls=[FakeToolCall("weather", bad, id="c1")]),
        FakeReply(tool_calls=[FakeToolCall("weather", bad, id="c2")]),
    )
    chunks = await collect(make_model(server))
    expected = {"type": "tool_use", "id": "c1", "name": "weather", "input": {}, "raw_input": bad}
    assert chunks[-1].content == [expected]
    res = await make_model(server, stream=False)(USER)
    assert isinstance(res, ChatResponse)
    assert res.content == [{**expected, "id": "c2"}]


async def test_non_streaming_text_and_tools(server: FakeOpenAIServer) -> None:
    server.add_reply(
        FakeReply(
            text="Let me add.",
            reasoning="easy",
            tool_calls=[FakeToolCall("add", {"a": 1, "b": 2}, id="call_1")],
        )
    )
    res = await make_model(server, stream=False)(USER, temperature=0.2)
    assert isinstance(res, ChatResponse)
    assert res.content == [
        {"type": "thinking", "thinking": "easy"},
        {"type": "text", "text": "Let me add."},
        # not streamed: no raw_input when the arguments are valid JSON (AgentScope's shape)
        {"type": "tool_use", "id": "call_1", "name": "add", "input": {"a": 1, "b": 2}},
    ]
    body = server.requests[0]
    assert body["stream"] is False and "stream_options" not in body
    assert body["temperature"] == 0.2


TOOLS = [
    {
        "type": "function",
        "function": {"name": "add", "parameters": {"type": "object", "properties": {}}},
    }
]


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        ("add", {"type": "function", "function": {"name": "add"}}),
    ],
)
async def test_tool_choice_mapping(server: FakeOpenAIServer, choice: str, sent: Any) -> None:
    server.add_reply("ok")
    await make_model(server, stream=False)(USER, tools=TOOLS, tool_choice=choice)
    assert server.requests[0]["tool_choice"] == sent
    assert server.requests[0]["tools"] == TOOLS


async def test_unknown_tool_choice_rejected_before_request(server: FakeOpenAIServer) -> None:
    with pytest.raises(ConfigError, match="'mul'"):
        await make_model(server)(USER, tools=TOOLS, tool_choice="mul")
    assert server.requests == []


async def test_generate_kwargs_and_reasoning_effort_sent(server: FakeOpenAIServer) -> None:
    server.add_reply("ok")
    model = make_model(
        server, stream=False, reasoning_effort="low", generate_kwargs={"seed": 7, "top_p": 0.5}
    )
    await model(USER, top_p=0.9)
    body = server.requests[0]
    assert (body["seed"], body["top_p"], body["reasoning_effort"]) == (7, 0.9, "low")


async def test_401_fails_fast_with_one_line(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(status=401, error_message="Incorrect API key"), "never used")
    model = make_model(server, api_key="sk-wrong")
    with pytest.raises(ModelCallError) as info:
        await model(USER)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("OpenAIChatModel 'gpt-x': authentication failed (HTTP 401)")
    assert server.base_url in msg and "OPENAI_API_KEY" in msg
    assert len(server.requests) == 1  # not retried
    assert server.headers[0]["authorization"] == "Bearer sk-wrong"


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_transient_errors_are_retried(server: FakeOpenAIServer, status: int) -> None:
    server.add_reply(FakeReply(status=status), FakeReply(status=status), "finally")
    chunks = await collect(make_model(server, max_retries=3))
    assert chunks[-1].content == [{"type": "text", "text": "finally"}]
    assert len(server.requests) == 3


async def test_retries_exhausted_raises(server: FakeOpenAIServer) -> None:
    server.add_reply(*[FakeReply(status=500, error_message="boom")] * 3)
    with pytest.raises(ModelCallError) as info:
        await make_model(server, max_retries=2, stream=False)(USER)
    assert len(server.requests) == 3
    msg = str(info.value)
    assert "server error (HTTP 500)" in msg and "after 3 attempts" in msg and "boom" in msg


async def test_unreachable_url_names_it() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    model = OpenAIChatModel(
        "gpt-x", client_kwargs={"base_url": url}, max_retries=1, retry_base_delay=0.01
    )
    with pytest.raises(ModelCallError) as info:
        await model(USER)
    msg = str(info.value)
    assert f"cannot reach {url} (connection refused)" in msg
    assert "\n" not in msg


async def test_die_mid_stream_raises(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(text="a long answer that gets cut", chunk_chars=2, die_after=4))
    stream = await make_model(server)(USER)
    seen: list[ChatResponse] = []
    with pytest.raises(ModelCallError) as info:
        async for chunk in stream:  # type: ignore[union-attr]
            seen.append(chunk)
    assert seen, "the chunks before the break were delivered"
    assert "broke off after" in str(info.value)
    assert server.base_url in str(info.value)


class Answer(BaseModel):
    city: str
    population: int


@pytest.mark.parametrize("stream", [True, False])
async def test_structured_output(server: FakeOpenAIServer, stream: bool) -> None:
    server.add_reply('{"city": "Paris", "population": 2100000}')
    model = make_model(server, stream=stream)
    res = await model(USER, tools=TOOLS, structured_model=Answer)
    final = res if isinstance(res, ChatResponse) else [c async for c in res][-1]
    assert final.metadata == {"city": "Paris", "population": 2100000}
    body = server.requests[0]
    # the openai SDK's parse() / stream() write the strict schema (as AgentScope sends it)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "Answer",
            "strict": True,
            "schema": {**Answer.model_json_schema(), "additionalProperties": False},
        },
    }
    assert "tools" not in body and body.get("stream", False) is stream


async def test_structured_output_mismatch_falls_back_to_a_tool_call(
    server: FakeOpenAIServer,
) -> None:
    # the JSON reply misses a field: one more request asks for Answer as a forced tool call
    server.add_reply(
        '{"city": "Paris"}',
        FakeReply(tool_calls=[FakeToolCall("Answer", {"city": "Paris", "population": 2})]),
        "no tool call this time",
    )
    model = make_model(server, stream=False)
    res = await model(USER, structured_model=Answer)
    assert isinstance(res, ChatResponse) and res.metadata == {"city": "Paris", "population": 2}
    fallback = server.requests[1]
    assert "response_format" not in fallback
    # AgentScope's structured-output tool: its name and description, the schema without titles
    assert fallback["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "generate_structured_output",
                "description": "Generate the required structured output with this function",
                "parameters": {
                    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
                    "required": ["city", "population"],
                    "type": "object",
                },
            },
        }
    ]
    assert fallback["tool_choice"] == {
        "type": "function",
        "function": {"name": "generate_structured_output"},
    }
    with pytest.raises(ModelCallError, match="does not match Answer"):  # later calls: tool only
        await model(USER, structured_model=Answer)
    assert "response_format" not in server.requests[2]


async def test_refused_forced_tool_choice_is_retried_with_auto(server: FakeOpenAIServer) -> None:
    server.add_reply(
        FakeReply(status=400, error_message="response_format is not supported"),
        FakeReply(status=400, error_message="tool_choice required is not supported in thinking"),
        FakeReply(tool_calls=[FakeToolCall("Answer", {"city": "Rome", "population": 3})]),
    )
    res = await make_model(server, stream=False)(USER, structured_model=Answer)
    assert isinstance(res, ChatResponse) and res.metadata == {"city": "Rome", "population": 3}
    assert [r.get("tool_choice") for r in server.requests][1:] == [
        {"type": "function", "function": {"name": "generate_structured_output"}},
        "auto",
    ]


async def test_computed_reply_from_callable(server: FakeOpenAIServer) -> None:
    server.add_reply(lambda body: f"you said {body['messages'][-1]['content']}")
    res = await make_model(server, stream=False)(USER)
    assert isinstance(res, ChatResponse)
    assert res.content == [{"type": "text", "text": "you said hi"}]


def test_api_key_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIChatModel("gpt-x")
    local = OpenAIChatModel("m", client_kwargs={"base_url": "http://127.0.0.1:1/v1"})
    assert local.client.api_key == "EMPTY"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert OpenAIChatModel("gpt-x").client.api_key == "sk-env"
    assert OpenAIChatModel("gpt-x").client.max_retries == 0


def test_same_model_across_event_loops() -> None:
    import asyncio

    with FakeOpenAIServer(replies=["first", "second"]) as srv:
        model = make_model(srv)

        async def ask() -> list[Any]:
            return (await collect(model))[-1].content

        assert asyncio.run(ask()) == [{"type": "text", "text": "first"}]
        assert asyncio.run(ask()) == [{"type": "text", "text": "second"}]
        assert len(srv.requests) == 2


async def test_dropped_connection_is_retried(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(die_after=0), "after the drop")
    res = await make_model(server, stream=False)(USER)
    assert isinstance(res, ChatResponse)
    assert res.content == [{"type": "text", "text": "after the drop"}]
    assert len(server.requests) == 2


async def test_stream_tool_parsing_off_gives_empty_partials(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(tool_calls=[FakeToolCall("add", {"a": 1, "b": 2}, id="c")]))
    chunks = await collect(make_model(server, stream_tool_parsing=False))
    partial = [b["input"] for c in chunks[:-1] for b in c.content if b["type"] == "tool_use"]
    assert partial and all(i == {} for i in partial)
    assert chunks[-1].content[0]["input"] == {"a": 1, "b": 2}


async def test_remote_model_requests_are_refused_in_tests() -> None:
    from ascope_nb.exceptions import ModelCallError
    from ascope_nb.model import OpenAIChatModel

    model = OpenAIChatModel(
        "gpt-4o-mini", api_key="sk-test", client_kwargs={"base_url": "https://api.openai.com/v1"}
    )
    with pytest.raises(ModelCallError, match="remote model requests are blocked"):
        await model([{"role": "user", "content": "hi"}])


async def test_streamed_structured_output_falls_back_to_a_tool_call(
    server: FakeOpenAIServer,
) -> None:
    server.add_reply(
        '{"city": "Oslo"}',  # misses population: the stream's end starts the fallback
        FakeReply(status=400, error_message="tool_choice required is not supported"),
        FakeReply(tool_calls=[FakeToolCall("Answer", {"city": "Oslo", "population": 1})]),
    )
    chunks = await collect(make_model(server, stream=True), structured_model=Answer)
    assert chunks[-1].metadata == {"city": "Oslo", "population": 1}
    assert [r.get("tool_choice") for r in server.requests][1:] == [
        {"type": "function", "function": {"name": "generate_structured_output"}},
        "auto",
    ]
