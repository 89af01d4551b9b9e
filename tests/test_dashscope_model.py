"""DashScopeChatModel through the real ``dashscope`` SDK, against FakeOpenAIServer's native
DashScope API on 127.0.0.1: request bodies, replies, streaming, tool calls, errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError, ModelCallError
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model import ChatResponse, DashScopeChatModel
from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply, FakeToolCall
from ascope_nb.tool import Toolkit

USER = [{"role": "user", "content": "hi"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


class Person(BaseModel):
    """A person."""

    name: str
    age: int


def model(server: FakeOpenAIServer, name: str = "qwen-max", **kwargs: Any) -> DashScopeChatModel:
    kwargs.setdefault("api_key", "sk-test")
    kwargs.setdefault("retry_base_delay", 0.01)
    return DashScopeChatModel(name, base_http_api_url=server.base_url, **kwargs)


def test_defaults_follow_agentscope(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="DASHSCOPE_API_KEY"):
        DashScopeChatModel("qwen-max")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-env")
    default = DashScopeChatModel("qwen-max")
    assert (default.api_key, default.stream, default.enable_thinking) == ("sk-env", True, None)
    assert default.generate_kwargs == {}
    assert default.base_url == "https://dashscope.aliyuncs.com/api/v1"
    with caplog.at_level("INFO"):
        thinking = DashScopeChatModel("qwen3-max", stream=False, enable_thinking=True)
    assert thinking.stream is True  # DashScope streams thinking only
    assert "enable_thinking needs streaming" in caplog.text


async def test_plain_reply_and_request_body(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(text="Hello!", usage=(7, 2)))
    m = model(server, stream=False, generate_kwargs={"temperature": 0.3})
    res = await m(USER, seed=5)
    assert isinstance(res, ChatResponse)
    assert res.content == [{"type": "text", "text": "Hello!"}]
    assert (res.usage.input_tokens, res.usage.output_tokens) == (7, 2)  # type: ignore[union-attr]
    assert res.id == "fake-request-1"  # the server's request id, as in AgentScope
    body = server.requests[0]
    assert server.paths[0] == "/v1/services/aigc/text-generation/generation"
    assert body["model"] == "qwen-max"
    assert body["input"]["messages"] == USER
    assert body["parameters"]["result_format"] == "message"
    assert body["parameters"]["incremental_output"] is False
    assert (body["parameters"]["temperature"], body["parameters"]["seed"]) == (0.3, 5)
    assert server.headers[0]["authorization"] == "Bearer sk-test"
    assert "x-dashscope-sse" not in server.headers[0]


async def test_stream_of_thinking_text_and_tool_call(server: FakeOpenAIServer) -> None:
    call = FakeToolCall("get_weather", {"city": "Hangzhou"}, id="call_w")
    server.add_reply(FakeReply(reasoning="Need weather.", text="Checking.", tool_calls=[call]))
    m = model(server, enable_thinking=True)
    stream = await m(USER, tools=TOOLS, tool_choice="required")
    chunks = [c async for c in stream]  # type: ignore[union-attr]
    body = server.requests[0]
    assert server.headers[0]["x-dashscope-sse"] == "enable"
    params = body["parameters"]
    assert (params["incremental_output"], params["enable_thinking"]) == (True, True)
    assert params["tools"] == TOOLS
    assert params["tool_choice"] == "auto"  # DashScope has no "required"
    # cumulative chunks: the thinking grows first, then the text, then the arguments
    texts = [c.content[1]["text"] for c in chunks if len(c.content) > 1]
    assert texts[0] == "Chec" and texts[-1] == "Checking."
    partial = [c.content[-1]["input"] for c in chunks if c.content[-1]["type"] == "tool_use"]
    assert partial[0] in ({}, {"city": ""}) and partial[-1] == {"city": "Hangzhou"}
    assert chunks[-1].content == [
        {"type": "thinking", "thinking": "Need weather."},
        {"type": "text", "text": "Checking."},
        {
            "type": "tool_use",
            "id": "call_w",
            "name": "get_weather",
            "input": {"city": "Hangzhou"},
            "raw_input": '{"city": "Hangzhou"}',
        },
    ]
    assert len({id(c) for c in chunks}) == len(chunks)


async def test_tool_call_not_streamed_keeps_raw_input_only_when_malformed(
    server: FakeOpenAIServer,
) -> None:
    server.add_reply(FakeReply(tool_calls=[FakeToolCall("get_weather", {"city": "X"}, id="a")]))
    server.add_reply(FakeReply(tool_calls=[FakeToolCall("get_weather", '{"city": ', id="b")]))
    m = model(server, stream=False)
    good = await m(USER, tools=TOOLS, tool_choice="get_weather")
    assert server.requests[0]["parameters"]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    assert good.content == [  # type: ignore[union-attr]
        {"type": "tool_use", "id": "a", "name": "get_weather", "input": {"city": "X"}}
    ]
    bad = await m(USER, tools=TOOLS)
    block = bad.content[0]  # type: ignore[union-attr]
    assert (block["input"], block["raw_input"]) == ({}, '{"city": ')  # type: ignore[typeddict-item]
    toolkit = Toolkit()

    def get_weather(city: str) -> str:
        """Weather of a city."""
        return "sunny"

    toolkit.register_tool_function(get_weather)
    result = await toolkit.call_tool_function(block).last()  # type: ignore[arg-type]
    assert "not valid JSON" in result.content[0]["text"]  # type: ignore[typeddict-item]


async def test_structured_output_is_a_forced_tool_call(server: FakeOpenAIServer) -> None:
    args = {"name": "Ann", "age": 31}
    server.add_reply(FakeReply(tool_calls=[FakeToolCall("generate_structured_output", args)]))
    server.add_reply(
        FakeReply(tool_calls=[FakeToolCall("generate_structured_output", {"name": "Bo"})])
    )
    m = model(server, stream=False)
    res = await m(USER, tools=TOOLS, structured_model=Person)
    assert res.metadata == args  # type: ignore[union-attr]
    params = server.requests[0]["parameters"]
    assert [t["function"]["name"] for t in params["tools"]] == ["generate_structured_output"]
    assert params["tools"][0]["function"]["parameters"] == {
        "description": "A person.",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "type": "object",
    }
    assert params["tool_choice"] == {
        "type": "function",
        "function": {"name": "generate_structured_output"},
    }
    with pytest.raises(ModelCallError, match="does not match Person"):
        await m(USER, structured_model=Person)


async def test_structured_output_streamed(server: FakeOpenAIServer) -> None:
    args = {"name": "Ann", "age": 31}
    server.add_reply(FakeReply(tool_calls=[FakeToolCall("generate_structured_output", args)]))
    stream = await model(server)(USER, structured_model=Person)
    chunks = [c async for c in stream]  # type: ignore[union-attr]
    assert chunks[-1].metadata == args
    assert chunks[0].metadata != args  # partial arguments while streaming


async def test_errors_are_one_line_runtime_errors(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(status=401, error_message="Invalid API-key provided."))
    with pytest.raises(ModelCallError, match="DASHSCOPE_API_KEY") as err:
        await model(server, stream=False)(USER)
    assert isinstance(err.value, RuntimeError)  # as AgentScope raises
    assert "Invalid API-key provided." in str(err.value) and "\n" not in str(err.value)
    assert "sk-test" not in str(err.value)

    server.add_reply(FakeReply(status=400, error_message="bad"), FakeReply(status=503), "ok")
    with pytest.raises(ModelCallError, match="HTTP 400"):
        await model(server, stream=False)(USER)
    streamed = await model(server)(USER)  # 503 is retried, the stream then works
    assert [c async for c in streamed][-1].content == [{"type": "text", "text": "ok"}]  # type: ignore[union-attr]
    assert len(server.requests) == 4


async def test_unreachable_server() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    m = DashScopeChatModel(
        "qwen-max",
        api_key="k",
        stream=False,
        base_http_api_url=f"http://127.0.0.1:{port}/api/v1",
        max_retries=1,
        retry_base_delay=0.01,
    )
    with pytest.raises(ModelCallError, match="cannot reach http://127.0.0.1"):
        await m(USER)


async def test_multimodal_models_use_the_multimodal_api(server: FakeOpenAIServer) -> None:
    server.add_reply("A cat.", "Two cats.")
    parts = [{"text": "What is it?"}, {"image": "https://example.com/cat.png"}]
    messages = [{"role": "user", "content": parts}]
    res = await model(server, "qwen-vl-max", stream=False)(messages)
    assert res.content == [{"type": "text", "text": "A cat."}]  # type: ignore[union-attr]
    assert server.paths[0].endswith("/services/aigc/multimodal-generation/generation")
    assert server.requests[0]["input"]["messages"] == messages
    forced = model(server, stream=False, multimodality=True)
    assert (await forced(messages)).content[0]["text"] == "Two cats."  # type: ignore[union-attr]
    assert server.paths[1].endswith("multimodal-generation/generation")


async def test_agent_with_openai_formatter_sends_native_layout(server: FakeOpenAIServer) -> None:
    server.add_reply("Hi there.")
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=model(server),
        formatter=OpenAIChatFormatter(),
    )
    agent.set_console_output_enabled(False)
    reply = await agent(Msg("user", "Hello", "user"))
    assert reply.get_text_content() == "Hi there."
    assert server.requests[0]["input"]["messages"] == [
        {"role": "system", "content": "You are Friday."},
        {"role": "user", "content": "Hello"},
    ]


async def test_compatible_mode_url_uses_the_openai_endpoint(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(status=401), "fine")
    m = DashScopeChatModel(
        "qwen-max",
        api_key="k",
        stream=False,
        enable_thinking=False,
        generate_kwargs={"temperature": 0.5},
        client_kwargs={"base_url": server.base_url},
        max_retries=0,
    )
    assert m.base_url == server.base_url
    with pytest.raises(ModelCallError, match="DASHSCOPE_API_KEY"):
        await m(USER)
    sent = server.requests[0]
    assert server.paths[0] == "/v1/chat/completions"
    assert (sent["model"], sent["enable_thinking"], sent["temperature"]) == ("qwen-max", False, 0.5)
    native = [{"role": "user", "content": [{"text": "see"}, {"image": "https://x/a.png"}]}]
    assert (await m(native)).content == [{"type": "text", "text": "fine"}]  # type: ignore[union-attr]
    assert server.requests[1]["messages"][0]["content"] == [
        {"type": "text", "text": "see"},
        {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
    ]
    intl = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    assert DashScopeChatModel("qwen-max", api_key="k", base_http_api_url=intl).base_url == intl


def test_missing_sdk_gives_one_line_error() -> None:
    code = (
        "import sys, asyncio; sys.modules['dashscope'] = None\n"
        "from ascope_nb.model import DashScopeChatModel\n"
        "m = DashScopeChatModel('qwen-max', api_key='k', stream=False)\n"
        "asyncio.run(m([{'role': 'user', 'content': 'hi'}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        "ascope_nb.exceptions.ConfigError: DashScopeChatModel needs the dashscope package: "
        "pip install 'ascope-nb[dashscope]'"
    )
