"""``OpenAITokenCounter`` (images by OpenAI's tile rule, tools by its function rule) and
``AnthropicTokenCounter`` against the fake Anthropic server. tiktoken's encodings are
downloaded on first use, so the OpenAI counts here use a stand-in encoding: one token per
character, which makes every expected count computable by hand."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest

from ascope_nb.testing import FakeOpenAIServer
from ascope_nb.token import AnthropicTokenCounter, OpenAITokenCounter
from ascope_nb.token._openai import high_detail_tokens


class PerChar:
    def encode(self, text: str) -> list[int]:
        return [ord(c) for c in text]


def counter(model: str, monkeypatch: pytest.MonkeyPatch) -> OpenAITokenCounter:
    result = OpenAITokenCounter(model)
    monkeypatch.setattr(result, "_encoding", lambda: PerChar())
    return result


def png(width: int, height: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def test_text_names_and_tool_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "name": "bob", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
    ]
    # 3 primer + per message 3; "user"(4) + "bob"(3) + 1 name + "hi"(2); "assistant"(9) + json
    expected = 3 + 3 + 4 + 3 + 1 + 2 + 3 + 9 + len('[{"id": "1"}]')
    assert await counter("gpt-4o", monkeypatch).count(messages) == expected


async def test_images_count_by_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    part = {"type": "image_url", "image_url": {"url": png(1024, 1024)}}
    messages = [{"role": "user", "content": [part]}]
    # 1024x1024 -> 768x768 -> 2x2 tiles: 85 + 4 * 170
    assert high_detail_tokens(85, 170, 1024, 1024) == 765
    assert await counter("gpt-4o", monkeypatch).count(messages) == 3 + 3 + 4 + 765
    low = {"type": "image_url", "image_url": {"url": png(64, 64), "detail": "low"}}
    assert (
        await counter("o3", monkeypatch).count([{"role": "user", "content": [low]}])
        == 3 + 3 + 4 + 75
    )


async def test_tools_and_bad_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "f",
            "description": "D.",
            "parameters": {"type": "object", "properties": {"x": {"type": "string"}}},
        },
    }
    base = await counter("gpt-4o", monkeypatch).count([])
    with_tools = await counter("gpt-4o", monkeypatch).count([], tools=[tool])
    # 7 per function + "f:D"(3) + 3 properties + 3 per property + "x:string:"(9) + 12 end
    assert with_tools - base == 7 + 3 + 3 + 3 + 9 + 12
    bad = [{"role": "user", "content": [{"type": "input_audio"}]}]
    with pytest.raises(ValueError, match="input_audio"):
        await counter("gpt-4o", monkeypatch).count(bad)


async def test_anthropic_counter_asks_the_count_tokens_endpoint() -> None:
    with FakeOpenAIServer() as server:
        anthropic_counter = AnthropicTokenCounter(
            "claude-x", api_key="sk-ant-test-0123456789", base_url=server.root
        )
        messages = [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hello there"},
        ]
        tokens = await anthropic_counter.count(messages)
        body = server.requests[0]
    assert body["system"] == "Be brief." and body["messages"] == messages[1:]
    assert tokens == max(1, len(__import__("json").dumps(body)) // 4)
