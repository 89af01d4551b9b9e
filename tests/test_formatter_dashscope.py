"""DashScopeChatFormatter / DashScopeMultiAgentFormatter write DashScope's native layout."""

from __future__ import annotations

import base64
from pathlib import Path

from ascope_nb.formatter import DashScopeChatFormatter, DashScopeMultiAgentFormatter
from ascope_nb.message import Msg

WEB_IMAGE = {"type": "image", "source": {"type": "url", "url": "https://ex.com/cat.png"}}
WEB_AUDIO = {"type": "audio", "source": {"type": "url", "url": "https://ex.com/a.mp3"}}


def tool_round(output: list[dict]) -> list[Msg]:
    call = {"type": "tool_use", "id": "c1", "name": "snap", "input": {"q": "é"}}
    result = {"type": "tool_result", "id": "c1", "name": "snap", "output": output}
    return [Msg("Friday", [call], "assistant"), Msg("system", [result], "system")]  # type: ignore[list-item]


async def test_chat_layout(tmp_path: Path) -> None:
    png = tmp_path / "p.png"
    png.write_bytes(b"png-bytes")
    local = {"type": "image", "source": {"type": "url", "url": str(png)}}
    thinking = {"type": "thinking", "thinking": "hmm"}
    msgs = [
        Msg("system", "Be brief.", "system"),
        Msg("user", [{"type": "text", "text": "Look:"}, local, WEB_AUDIO], "user"),  # type: ignore[list-item]
        Msg(
            "Friday",
            [thinking, {"type": "text", "text": "A"}, {"type": "text", "text": "B"}],
            "assistant",
        ),  # type: ignore[list-item]
        *tool_round([{"type": "text", "text": "done"}]),
    ]
    out = await DashScopeChatFormatter().format(msgs)
    data = base64.b64encode(b"png-bytes").decode()
    assert out == [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"text": "Look:"},
                {"image": f"data:image/png;base64,{data}"},
                {"audio": "https://ex.com/a.mp3"},
            ],
        },
        {"role": "assistant", "content": "A\nB"},  # all text: one string; thinking dropped
        {
            "role": "assistant",
            "content": [],
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "snap", "arguments": '{"q": "é"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "done", "name": "snap"},
    ]


async def test_tool_result_media_promoted_by_kind() -> None:
    output = [{"type": "text", "text": "two files"}, WEB_IMAGE, WEB_AUDIO]
    plain = await DashScopeChatFormatter().format(tool_round(output))
    assert [m["role"] for m in plain] == ["assistant", "tool"]
    assert plain[1]["content"] == (
        "- two files\n- The returned image can be found at: https://ex.com/cat.png\n"
        "- The returned audio can be found at: https://ex.com/a.mp3"
    )
    only_audio = await DashScopeChatFormatter(promote_tool_result_audios=True).format(
        tool_round(output)
    )
    assert only_audio[2] == {
        "role": "user",
        "content": [
            {
                "text": "<system-info>The following are the media contents from the tool result of 'snap':"
            },
            {"text": "\n- The audio from 'https://ex.com/a.mp3': "},
            {"audio": "https://ex.com/a.mp3"},
            {"text": "</system-info>"},
        ],
    }
    both = await DashScopeChatFormatter(
        promote_tool_result_images=True, promote_tool_result_audios=True
    ).format(tool_round(output))
    assert [p for p in both[2]["content"] if "text" not in p] == [
        {"image": "https://ex.com/cat.png"},
        {"audio": "https://ex.com/a.mp3"},
    ]


async def test_multi_agent_layout() -> None:
    msgs = [
        Msg("system", "You are Bob.", "system"),
        Msg("Alice", "Hi Bob", "assistant"),
        Msg("Carol", [WEB_IMAGE, {"type": "text", "text": "see this"}], "assistant"),  # type: ignore[list-item]
        *tool_round([{"type": "text", "text": "ok"}]),
        Msg("Alice", "Thanks", "assistant"),
    ]
    out = await DashScopeMultiAgentFormatter(conversation_history_prompt="# H\n").format(msgs)
    assert out[0] == {"role": "system", "content": "You are Bob."}
    assert out[1] == {
        "role": "user",
        "content": [
            {"text": "# H\n<history>\nAlice: Hi Bob"},
            {"image": "https://ex.com/cat.png"},
            {"text": "Carol: see this\n</history>"},
        ],
    }
    assert [m["role"] for m in out[2:4]] == ["assistant", "tool"]
    # the second history block has no header and, being all text, is one string
    assert out[4] == {"role": "user", "content": "<history>\nAlice: Thanks\n</history>"}


async def test_exported_prompts_keep_the_text_of_native_parts() -> None:
    """A run formatted with DashScopeChatFormatter exports what the model saw, text included."""
    from ascope_nb.agent import ReActAgent
    from ascope_nb.agent._control import ApprovalDecision
    from ascope_nb.export import RunRecord, preference_pairs
    from ascope_nb.testing import ScriptedModel, tool_call
    from ascope_nb.tool import Toolkit

    def search(query: str) -> str:
        """Search the web.

        Args:
            query: What to look for.
        """
        return "found"

    toolkit = Toolkit()
    toolkit.register_tool_function(search)
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are Friday.",
        model=ScriptedModel([[tool_call("search", query="cat")], "A cat."], stream=True),
        formatter=DashScopeChatFormatter(),
        toolkit=toolkit,
        require_approval=["search"],
    )
    agent.set_console_output_enabled(False)
    agent.control.approval_handler = lambda call: ApprovalDecision("denied", {}, reason="no")
    question = Msg("user", [{"type": "text", "text": "What is this?"}, WEB_IMAGE], "user")  # type: ignore[list-item]
    events = [e async for e in agent.stream(question)]
    (pair,) = preference_pairs(RunRecord.from_events(events))
    assert [(m["role"], m["content"]) for m in pair.prompt] == [
        ("system", "You are Friday."),
        ("user", "What is this?"),
    ]
