"""Formatters: whole output structures for text, tools, images and multi-agent folding."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.formatter import (
    OpenAIChatFormatter,
    OpenAIMultiAgentFormatter,
)
from ascope_nb.message import ImageBlock, Msg, TextBlock

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake-image-bytes").decode()
HISTORY_HEAD = (
    "# Conversation History\n"
    "The content between <history></history> tags contains your conversation history\n"
)


def text(t: str) -> TextBlock:
    return TextBlock(type="text", text=t)


def tool_round() -> list[Msg]:
    """An assistant calling two tools in parallel, then their results (AgentScope layout)."""
    call = Msg(
        "Friday",
        [
            {"type": "thinking", "thinking": "need both"},
            text("Checking."),
            {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1, "b": 2}},
            {"type": "tool_use", "id": "c2", "name": "city", "input": {"q": "Zürich"}},
        ],
        "assistant",
    )
    r1 = Msg(
        "system",
        [{"type": "tool_result", "id": "c1", "name": "add", "output": [text("3")]}],
        "system",
    )
    r2 = Msg(
        "system",
        [{"type": "tool_result", "id": "c2", "name": "city", "output": "Zürich, CH"}],
        "system",
    )
    return [call, r1, r2]


TOOL_ROUND_OPENAI = [
    {
        "role": "assistant",
        "name": "Friday",
        "content": [text("Checking.")],
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
            },
            {
                "id": "c2",
                "type": "function",
                "function": {"name": "city", "arguments": '{"q": "Zürich"}'},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "c1", "content": "3", "name": "add"},
    {"role": "tool", "tool_call_id": "c2", "content": "Zürich, CH", "name": "city"},
]


async def test_chat_text_conversation() -> None:
    msgs = [
        Msg("system", "You are Friday.", "system"),
        Msg("user", "Hi", "user"),
        Msg("Friday", [{"type": "thinking", "thinking": "greet"}, text("Hello!")], "assistant"),
        Msg("Friday", [{"type": "thinking", "thinking": "only thoughts"}], "assistant"),
    ]
    assert await OpenAIChatFormatter().format(msgs) == [
        {"role": "system", "name": "system", "content": [text("You are Friday.")]},
        {"role": "user", "name": "user", "content": [text("Hi")]},
        {"role": "assistant", "name": "Friday", "content": [text("Hello!")]},
    ]


async def test_chat_tool_sequence() -> None:
    msgs = [Msg("user", "Add and look up", "user"), *tool_round(), Msg("Friday", "3", "assistant")]
    assert await OpenAIChatFormatter().format(msgs) == [
        {"role": "user", "name": "user", "content": [text("Add and look up")]},
        *TOOL_ROUND_OPENAI,
        {"role": "assistant", "name": "Friday", "content": [text("3")]},
    ]


async def test_tool_use_and_result_in_one_msg_keep_call_first() -> None:
    msg = Msg(
        "Friday",
        [
            {"type": "tool_use", "id": "c1", "name": "add", "input": {}},
            {"type": "tool_result", "id": "c1", "name": "add", "output": "0"},
        ],
        "assistant",
    )
    out = await OpenAIChatFormatter().format([msg])
    assert [m["role"] for m in out] == ["assistant", "tool"]
    assert out[0]["content"] is None
    assert out[0]["tool_calls"][0]["function"] == {"name": "add", "arguments": "{}"}


async def test_chat_images_url_base64_and_local_file(tmp_path: Path) -> None:
    local = tmp_path / "cat.png"
    local.write_bytes(base64.b64decode(PNG))
    msg = Msg(
        "user",
        [
            text("What are these?"),
            {"type": "image", "source": {"type": "url", "url": "https://ex.com/a.jpg"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
            {"type": "image", "source": {"type": "url", "url": str(local)}},
        ],
        "user",
    )
    data_url = f"data:image/png;base64,{PNG}"
    assert await OpenAIChatFormatter().format([msg]) == [
        {
            "role": "user",
            "name": "user",
            "content": [
                text("What are these?"),
                {"type": "image_url", "image_url": {"url": "https://ex.com/a.jpg"}},
                {"type": "image_url", "image_url": {"url": data_url}},
                {"type": "image_url", "image_url": {"url": data_url}},
            ],
        }
    ]


async def test_invalid_image_path_is_rejected() -> None:
    msg = Msg("user", [{"type": "image", "source": {"type": "url", "url": "no/such.png"}}], "user")
    with pytest.raises(ValueError, match="no/such.png"):
        await OpenAIChatFormatter().format([msg])


def image_tool_round() -> list[Msg]:
    return [
        Msg(
            "Friday",
            [
                {"type": "tool_use", "id": "c1", "name": "shot", "input": {}},
                {"type": "tool_use", "id": "c2", "name": "add", "input": {"a": 1}},
            ],
            "assistant",
        ),
        Msg(
            "system",
            [
                {
                    "type": "tool_result",
                    "id": "c1",
                    "name": "shot",
                    "output": [
                        text("a screenshot"),
                        {"type": "image", "source": {"type": "url", "url": "https://ex.com/s.png"}},
                    ],
                }
            ],
            "system",
        ),
        Msg(
            "system",
            [{"type": "tool_result", "id": "c2", "name": "add", "output": "1"}],
            "system",
        ),
    ]


async def test_tool_result_images_described_or_promoted() -> None:
    described = "- a screenshot\n- The returned image can be found at: https://ex.com/s.png"
    tool_msgs = [
        {"role": "tool", "tool_call_id": "c1", "content": described, "name": "shot"},
        {"role": "tool", "tool_call_id": "c2", "content": "1", "name": "add"},
    ]
    plain = await OpenAIChatFormatter().format(image_tool_round())
    assert plain[1:] == tool_msgs

    promoted = await OpenAIChatFormatter(promote_tool_result_images=True).format(image_tool_round())
    # the image message comes after the whole run of tool messages
    assert promoted[1:] == [
        *tool_msgs,
        {
            "role": "user",
            "name": "user",
            "content": [
                text(
                    "<system-info>The following are the image contents from the tool "
                    "result of 'shot':"
                ),
                text("\n- The image from 'https://ex.com/s.png': "),
                {"type": "image_url", "image_url": {"url": "https://ex.com/s.png"}},
                text("</system-info>"),
            ],
        },
    ]


async def test_base64_tool_result_image_saved_to_file() -> None:
    msg = Msg(
        "system",
        [
            {
                "type": "tool_result",
                "id": "c1",
                "name": "draw",
                "output": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                    }
                ],
            }
        ],
        "system",
    )
    out = await OpenAIChatFormatter().format([msg])
    prefix = "The returned image can be found at: "
    assert out[0]["content"].startswith(prefix)
    saved = Path(out[0]["content"].removeprefix(prefix))
    assert saved.suffix == ".png" and saved.read_bytes() == base64.b64decode(PNG)


async def test_multi_agent_folding() -> None:
    msgs = [
        Msg("system", "You are Bob in a debate.", "system"),
        Msg("Host", "Topic: tabs or spaces?", "user"),
        Msg("Alice", "Tabs.", "assistant"),
        Msg("Bob", [{"type": "thinking", "thinking": "hm"}, text("Spaces.")], "assistant"),
        *tool_round(),
        Msg("Alice", "Still tabs.", "assistant"),
        Msg(
            "Carol",
            [
                text("See my chart"),
                {"type": "image", "source": {"type": "url", "url": "https://ex.com/c.png"}},
            ],
            "assistant",
        ),
    ]
    assert await OpenAIMultiAgentFormatter().format(msgs) == [
        {"role": "system", "content": [text("You are Bob in a debate.")]},
        {
            "role": "user",
            "content": [
                text(
                    HISTORY_HEAD + "<history>\nHost: Topic: tabs or spaces?\nAlice: Tabs.\n"
                    "Bob: Spaces.\n</history>"
                )
            ],
        },
        *TOOL_ROUND_OPENAI,
        {
            "role": "user",
            "content": [
                text("<history>\nAlice: Still tabs.\nCarol: See my chart\n</history>"),
                {"type": "image_url", "image_url": {"url": "https://ex.com/c.png"}},
            ],
        },
    ]


async def test_multi_agent_custom_prompt_and_images_only() -> None:
    image: ImageBlock = {"type": "image", "source": {"type": "url", "url": "https://ex.com/x.png"}}
    fmt = OpenAIMultiAgentFormatter(conversation_history_prompt="## Chat\n")
    assert await fmt.format([Msg("A", "hi", "user")]) == [
        {"role": "user", "content": [text("## Chat\n<history>\nA: hi\n</history>")]}
    ]
    assert await fmt.format([Msg("A", [image], "user")]) == [
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "https://ex.com/x.png"}}],
        }
    ]


class CharCounter:
    """Counts characters of the formatted messages as 'tokens'."""

    async def count(self, messages: list[dict[str, Any]], **kwargs: Any) -> int:
        return len(str(messages))


async def test_truncation_drops_oldest_and_keeps_tool_pairs() -> None:
    msgs = [
        Msg("system", "sys", "system"),
        Msg("user", "x" * 400, "user"),
        *tool_round(),
        Msg("user", "latest", "user"),
    ]
    full = await OpenAIChatFormatter().format(msgs)
    limit = len(str(full)) - 100  # too big only because of the long first message
    out = await OpenAIChatFormatter(token_counter=CharCounter(), max_tokens=limit).format(msgs)
    assert out == [full[0], *full[2:]]
    tight_limit = len(str([full[0], full[-1]])) + 10
    tight = OpenAIChatFormatter(token_counter=CharCounter(), max_tokens=tight_limit)
    # the tool call and its results go together; only system + latest remain
    assert await tight.format(msgs) == [full[0], full[-1]]
    with pytest.raises(ConfigError):
        OpenAIChatFormatter(max_tokens=0)


async def test_format_rejects_non_msgs() -> None:
    with pytest.raises(TypeError):
        await OpenAIChatFormatter().format([{"role": "user", "content": "hi"}])  # type: ignore[list-item]
