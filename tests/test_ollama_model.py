"""OllamaChatModel through the real ``ollama`` SDK, against FakeOpenAIServer's native
``/api/chat`` on 127.0.0.1: request bodies, replies, streaming, tool calls, errors."""

from __future__ import annotations

import asyncio
import base64
import socket
import subprocess
import sys

import pytest
from pydantic import BaseModel

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError, ModelCallError
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model import ChatResponse, OllamaChatModel
from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply, FakeToolCall
from ascope_nb.tool import Toolkit

USER = [{"role": "user", "content": "hi"}]


class City(BaseModel):
    name: str
    population: int


def test_defaults_follow_agentscope(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    model = OllamaChatModel("qwen3:8b")
    assert (model.stream, model.options, model.keep_alive, model.think) == (False, None, "5m", None)
    assert model.host == "http://localhost:11434"
    monkeypatch.setenv("OLLAMA_HOST", "http://10.0.0.5:11434")
    other = OllamaChatModel("qwen3:8b", options={"num_ctx": 4096}, enable_thinking=True)
    assert (other.host, other.options, other.think) == (
        "http://10.0.0.5:11434",
        {"num_ctx": 4096},
        True,
    )


async def test_plain_reply_and_request_body(server: FakeOpenAIServer) -> None:
    server.add_reply(FakeReply(text="Hello!", usage=(9, 3)))
    model = OllamaChatModel(
        "qwen3:8b",
        options={"temperature": 0.2, "num_ctx": 4096},
        keep_alive="10m",
        enable_thinking=False,
        host=server.root,
    )
    res = await model(USER, format="json")
    assert isinstance(res, ChatResponse)  # not streamed by default
    assert res.content == [{"type": "text", "text": "Hello!"}]
    assert (res.usage.input_tokens, res.usage.output_tokens) == (9, 3)  # type: ignore[union-attr]
    assert server.paths == ["/api/chat"]
    body = server.requests[0]
    assert body["model"] == "qwen3:8b" and body["messages"] == USER
    assert (body["stream"], body["keep_alive"], body["think"], body["format"]) == (
        False,
        "10m",
        False,
        "json",
    )
    assert body["options"] == {"temperature": 0.2, "num_ctx": 4096}


async def test_stream_with_thinking_and_tool_calls(server: FakeOpenAIServer) -> None:
    calls = [FakeToolCall("add", {"a": 1, "b": 2}), FakeToolCall("neg", {"x": 3})]
    server.add_reply(FakeReply(reasoning="Add them.", text="Calling.", tool_calls=calls))
    tools = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]
    model = OllamaChatModel("qwen3", stream=True, enable_thinking=True, host=server.root)
    stream = await model(USER, tools=tools)
    chunks = [c async for c in stream]  # type: ignore[union-attr]
    assert server.requests[0]["stream"] is True and server.requests[0]["think"] is True
    assert server.requests[0]["tools"] == tools
    assert chunks[0].content == [{"type": "thinking", "thinking": "Add "}]
    assert chunks[-1].content == [
        {"type": "thinking", "thinking": "Add them."},
        {"type": "text", "text": "Calling."},
        {
            "type": "tool_use",
            "id": "0_add",
            "name": "add",
            "input": {"a": 1, "b": 2},
            "raw_input": '{"a": 1, "b": 2}',
        },
        {
            "type": "tool_use",
            "id": "1_neg",
            "name": "neg",
            "input": {"x": 3},
            "raw_input": '{"x": 3}',
        },
    ]
    assert chunks[-1].usage is not None and chunks[0].usage is None


async def test_structured_output_uses_format(server: FakeOpenAIServer) -> None:
    server.add_reply('{"name": "Oslo", "population": 700000}', '{"name": "Oslo"}')
    model = OllamaChatModel("qwen3", host=server.root)
    res = await model(USER, structured_model=City)
    assert res.metadata == {"name": "Oslo", "population": 700000}  # type: ignore[union-attr]
    assert server.requests[0]["format"] == City.model_json_schema()
    with pytest.raises(ModelCallError, match="does not match City"):
        await model(USER, structured_model=City)


async def test_errors_and_retries(server: FakeOpenAIServer, caplog) -> None:
    server.add_reply(FakeReply(status=404, error_message="model 'nope' not found"))
    model = OllamaChatModel("nope", host=server.root, retry_base_delay=0.01)
    with pytest.raises(ModelCallError, match="ollama pull") as err:
        await model(USER)
    assert "\n" not in str(err.value) and "model 'nope' not found" in str(err.value)
    server.add_reply(FakeReply(status=503), "back")
    with caplog.at_level("WARNING"):
        res = await model(USER, tool_choice="required")
    assert res.content == [{"type": "text", "text": "back"}]  # type: ignore[union-attr]
    assert "no tool_choice" in caplog.text and "tool_choice" not in server.requests[-1]


async def test_unreachable_host() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = OllamaChatModel(
        "qwen3", host=f"http://127.0.0.1:{port}", max_retries=1, retry_base_delay=0.01
    )
    with pytest.raises(ModelCallError, match="is Ollama running"):
        await model(USER)


async def test_agent_tool_round_in_ollama_layout(server: FakeOpenAIServer, tmp_path) -> None:
    server.add_reply(FakeReply(tool_calls=[FakeToolCall("add", {"a": 2, "b": 3})]), "It is 5.")
    toolkit = Toolkit()

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=OllamaChatModel("qwen3", host=server.root),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    png = tmp_path / "dot.png"
    png.write_bytes(b"\x89PNG fake")
    image = {"type": "image", "source": {"type": "url", "url": str(png)}}
    reply = await agent(Msg("user", [{"type": "text", "text": "2+3?"}, image], "user"))
    assert reply.get_text_content() == "It is 5."
    first, second = (r["messages"] for r in server.requests)
    assert first[1] == {
        "role": "user",
        "content": "2+3?",
        "images": [base64.b64encode(b"\x89PNG fake").decode()],
    }
    assistant, tool = second[-2:]
    assert assistant["tool_calls"] == [{"function": {"name": "add", "arguments": {"a": 2, "b": 3}}}]
    assert (tool["role"], tool["tool_name"], tool["content"]) == ("tool", "add", "5")


async def test_web_image_url_is_a_clear_error(server: FakeOpenAIServer) -> None:
    model = OllamaChatModel("llava", host=server.root)
    part = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with pytest.raises(ConfigError, match="base64"):
        await model([{"role": "user", "content": [part]}])
    assert server.requests == []


def test_same_model_across_event_loops(server: FakeOpenAIServer) -> None:
    server.add_reply("one", "two")
    model = OllamaChatModel("qwen3", host=server.root)
    first = asyncio.run(model(USER))
    second = asyncio.run(model(USER))
    assert [first.content[0]["text"], second.content[0]["text"]] == ["one", "two"]  # type: ignore[union-attr]


def test_missing_sdk_gives_one_line_error() -> None:
    code = (
        "import sys; sys.modules['ollama'] = None\n"
        "from ascope_nb.model import OllamaChatModel\n"
        "OllamaChatModel('qwen3')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "ascope_nb.exceptions.ConfigError: OllamaChatModel needs the ollama package: "
        "pip install 'ascope-nb[ollama]'"
    )
