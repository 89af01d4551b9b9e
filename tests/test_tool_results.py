"""Tool results are checked when they arrive: bad media, unknown blocks, reused call ids.

Each case runs a real ReActAgent whose scripted model calls a tool and then answers; the
memory must stay valid (every later model call works) and the model must read the problem.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.message import Msg
from ascope_nb.testing import tool_call
from ascope_nb.tool import ToolResponse, configure_output
from tests.support.agents import scripted_agent

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


def image(data: str) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}


def agent_with(tool: Any, replies: list[Any]) -> ReActAgent:
    return scripted_agent(replies, tool, name="Viewer", sys_prompt="You look at pictures.")


def result_blocks(agent: ReActAgent) -> list[dict[str, Any]]:
    blocks = []
    for msg in agent.memory.content:
        item = msg[0] if isinstance(msg, tuple) else msg
        for block in item.get_content_blocks("tool_result"):
            blocks.append(block)
    return blocks


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ([image("data:image/png;base64," + PNG)], "is a 'data:' URL"),
        ([image("not base64 at all!!")], "not valid base64"),
        ([image(PNG[:-3])], "not valid base64"),  # a cut string: "Incorrect padding"
        ([{"type": "file", "path": "/tmp/x"}], "unknown type 'file'"),
        ([{"type": "image", "source": "http://x/y.png"}], "no 'source' object"),
    ],
)
async def test_bad_blocks_become_errors_the_model_reads(
    content: list[dict[str, Any]], expected: str
) -> None:
    def snapshot() -> ToolResponse:
        """Take a picture."""
        return ToolResponse(content=[{"type": "text", "text": "here:"}, *content])  # type: ignore[list-item]

    agent = agent_with(snapshot, [[tool_call("snapshot")], "I see an error.", "Still fine."])
    reply = await agent(Msg("user", "look", "user"))
    assert reply.get_text_content() == "I see an error."
    [result] = result_blocks(agent)
    output = result["output"]
    assert [b["type"] for b in output] == ["text", "text"]  # nothing bad entered memory
    assert expected in output[1]["text"] and output[1]["text"].startswith("Error:")
    assert expected in agent.model.calls[1].text()  # the model was told
    second = await agent(Msg("user", "again", "user"))  # later calls are not poisoned
    assert second.get_text_content() == "Still fine."


async def test_good_media_pass_unchanged() -> None:
    def snapshot() -> ToolResponse:
        """Take a picture."""
        return ToolResponse(
            content=[
                image(PNG),
                {"type": "image", "source": {"type": "url", "url": "http://x/a.png"}},
            ]  # type: ignore[list-item]
        )

    agent = agent_with(snapshot, [[tool_call("snapshot")], "ok"])
    await agent(Msg("user", "look", "user"))
    [result] = result_blocks(agent)
    assert result["output"] == [
        image(PNG),
        {"type": "image", "source": {"type": "url", "url": "http://x/a.png"}},
    ]


async def test_repeated_call_ids_in_one_answer_keep_both_results() -> None:
    def add(a: int, b: int) -> str:
        """Add.

        Args:
            a: A.
            b: B.
        """
        return str(a + b)

    calls = [tool_call("add", id="call_0", a=1, b=2), tool_call("add", id="call_0", a=3, b=4)]
    agent = agent_with(add, [calls, "3 and 7"])
    await agent(Msg("user", "add", "user"))
    results = result_blocks(agent)
    assert [r["output"][0]["text"] for r in results] == ["3", "7"]
    ids = [r["id"] for r in results]
    assert len(set(ids)) == 2 and ids[0] == "call_0"
    uses = [
        b["id"]
        for m in agent.memory.content
        for b in (m[0] if isinstance(m, tuple) else m).get_content_blocks("tool_use")
    ]
    assert uses == ids  # each call paired with its own result
    prompt = agent.model.calls[1].messages
    tool_msgs = [m for m in prompt if m.get("role") == "tool"]
    assert [m["tool_call_id"] for m in tool_msgs] == ids


async def test_output_cap_is_configurable_and_keeps_the_full_text(tmp_path: Path) -> None:
    def dump() -> str:
        """Print a lot."""
        return "a" * 30_000 + "MIDDLE" + "z" * 30_000

    configure_output(limit=10_000, keep_dir=tmp_path)
    try:
        agent = agent_with(dump, [[tool_call("dump")], "ok"])
        await agent(Msg("user", "dump", "user"))
    finally:
        configure_output()
    text = result_blocks(agent)[0]["output"][0]["text"]
    assert len(text) < 10_500 and text.startswith("a") and text.endswith("z")
    assert "MIDDLE" not in text and "of 60,006 characters cut (limit 10,000)" in text
    [kept] = list(tmp_path.iterdir())
    assert str(kept) in text and "MIDDLE" in kept.read_text()
    with pytest.raises(ConfigError, match="limit"):
        configure_output(limit=10)
