"""``%agent_memory`` rows show every block: tool calls with arguments, results, thinking,
hints, and the agent's system prompt (a real agent run with a scripted model).

Example:
    python -m pytest tests/test_memory_rows.py -q
"""

from __future__ import annotations

from ascope_nb.message import Msg
from ascope_nb.notebook._api import make_agent, show
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.views._html import memory_html
from ascope_nb.views.memory_view import MemoryView, content_text, memory_rows


async def test_rows_of_a_tool_run_show_the_call_its_result_and_the_prompt() -> None:
    model = ScriptedModel(
        [tool_call("execute_python_code", code="print(17 * 23)"), "17 * 23 = 391."]
    )
    agent = make_agent("Friday", "You are Friday.", model=model, tools=["execute_python_code"])
    await agent(Msg("user", "What is 17 * 23?", "user"))
    rows = memory_rows(agent.memory)
    assert [r["text"] != "" for r in rows] == [True] * 4
    assert rows[1]["text"] == '-> execute_python_code({"code": "print(17 * 23)"})'
    assert rows[2]["role"] == "system"
    assert rows[2]["text"].startswith("<- execute_python_code: ") and "391" in rows[2]["text"]
    view = show(agent)
    assert isinstance(view, MemoryView)
    assert view.rows[0]["text"] == "You are Friday." and view.rows[0]["marks"] == ["sys_prompt"]
    assert len(view.rows) == 5
    assert "print(17 * 23)" in memory_html(view.rows)


def test_thinking_media_hints_and_unknown_blocks_are_visible() -> None:
    text = content_text(
        [
            {"type": "thinking", "thinking": "multiply"},
            {"type": "image", "source": {"type": "url", "url": "http://x/a.png"}},
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
            },
            {"type": "mystery", "x": 1},
        ]
    )
    assert text.splitlines() == [
        "thinking: multiply",
        "[image: http://x/a.png]",
        "[image: image/png, 4 chars]",
        '[mystery] {"type": "mystery", "x": 1}',
    ]
    hint = Msg("user", "Answer in French", "user", metadata={"hint": True})
    rows = memory_rows([(hint, ["hint"])])
    assert rows[0]["text"] == "Answer in French" and rows[0]["marks"] == ["hint"]


def test_a_huge_block_is_clipped_in_the_table_only() -> None:
    big = {"type": "tool_result", "id": "1", "name": "f", "output": "x" * 50_000}
    text = content_text([big])
    assert len(text) < 5_000 and text.endswith("more characters]")
