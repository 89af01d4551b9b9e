"""``%%agent NAME --mcp SERVER`` equips the agent with a real MCP server's tools."""

from __future__ import annotations

import asyncio
import sys

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from ascope_nb.agent import ApprovalDecision
from ascope_nb.mcp import registry
from ascope_nb.message import Msg
from ascope_nb.notebook import load_ipython_extension
from ascope_nb.testing import ScriptedModel, tool_call


@pytest.fixture()
def shell(tmp_path, monkeypatch):
    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    ip = InteractiveShell.instance()
    load_ipython_extension(ip)
    yield ip
    registry.close_all()


def test_agent_gets_the_server_tools_and_calls_them(shell) -> None:
    shell.run_line_magic(
        "mcp", f"add clock -- {sys.executable} -m mcp_server_time --local-timezone UTC"
    )
    model = ScriptedModel(
        [[tool_call("get_current_time", timezone="UTC")], "It is now."], stream=False
    )
    shell.user_ns["model"] = model
    shell.run_cell_magic(
        "agent", "Clock --model model --mcp clock --approve get_current_time", "You tell the time."
    )
    agent = shell.user_ns["Clock"]
    assert "get_current_time" in [t["function"]["name"] for t in agent.toolkit.get_json_schemas()]
    assert agent.toolkit.tools["get_current_time"].source == "clock"
    agent.control.approval_handler = lambda call: ApprovalDecision("approved", by="policy")
    seen = []
    agent.subscribe(seen.append)
    reply = asyncio.run(agent(Msg("user", "What time is it?", "user")))
    assert reply.get_text_content() == "It is now."
    result = model.calls[1].messages[-1]
    assert result["role"] == "tool" and '"timezone": "UTC"' in result["content"]
    assert [e.source for e in seen if e.kind == "tool_call"] == ["clock"]
    assert [e.decision for e in seen if e.kind == "approval_resolved"] == ["approved"]


def test_unknown_server_is_one_line(shell) -> None:
    with pytest.raises(UsageError) as info:
        shell.run_cell_magic("agent", "Nobody --mcp ghost", "prompt")
    assert "ghost" in str(info.value) and "\n" not in str(info.value)
