"""A ReActAgent with MCP tools: real servers, a scripted model, errors as tool results."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import pytest
from support.mcp_servers import TIME_COMMAND, everything_command

from ascope_nb.agent import ReActAgent
from ascope_nb.events import ToolCall, ToolResult, subscribe
from ascope_nb.exceptions import ConfigError
from ascope_nb.mcp import StdIOStatefulClient
from ascope_nb.message import Msg
from ascope_nb.testing import tool_call
from ascope_nb.tool import Toolkit
from tests.support.agents import scripted_agent


def make_agent(toolkit: Toolkit, replies: list, **kwargs) -> ReActAgent:
    return scripted_agent(replies, toolkit=toolkit, sys_prompt="You are Friday.", **kwargs)


@pytest.fixture
async def time_client():
    client = StdIOStatefulClient("time", command=TIME_COMMAND[0], args=TIME_COMMAND[1:], timeout=90)
    await client.connect()
    yield client
    await client.close()


async def test_agent_calls_real_time_tool_and_result_reaches_model(time_client) -> None:
    toolkit = Toolkit()
    names = await toolkit.register_mcp_client(time_client)
    assert names == ["get_current_time", "convert_time"]
    assert {t.source for t in toolkit.tools.values()} == {"time"}
    agent = make_agent(toolkit, [[tool_call("get_current_time", timezone="UTC")], "done"])
    events: list = []
    with subscribe(events.append):
        reply = await agent(Msg("user", "What time is it in UTC?", "user"))
    assert reply.get_text_content() == "done"
    assert agent.model.calls[0].tool_names == ["get_current_time", "convert_time"]
    tool_message = agent.model.calls[1].messages[-1]
    assert tool_message["role"] == "tool"
    payload = json.loads(tool_message["content"])
    assert payload["timezone"] == "UTC" and payload["datetime"].endswith("+00:00")
    assert payload["datetime"][:4] in agent.model.calls[1].text()
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.name, c.source, c.input) for c in calls] == [
        ("get_current_time", "time", {"timezone": "UTC"})
    ]
    assert [e.state for e in events if isinstance(e, ToolResult)] == ["success"]


async def test_killed_server_gives_error_result_agent_answers_and_reconnects(time_client) -> None:
    toolkit = Toolkit()
    await toolkit.register_mcp_client(time_client, enable_funcs=["get_current_time"])
    os.kill(time_client.pid, signal.SIGKILL)
    agent = make_agent(
        toolkit, [[tool_call("get_current_time", timezone="UTC")], "The time server is down."]
    )
    events: list = []
    with subscribe(events.append):
        reply = await agent(Msg("user", "Time?", "user"))
    assert reply.get_text_content() == "The time server is down."
    seen_by_model = agent.model.calls[1].messages[-1]["content"]
    assert seen_by_model.startswith("MCPServerError: server 'time' is not connected (")
    assert [e.state for e in events if isinstance(e, ToolResult)] == ["error"]

    await time_client.connect()
    agent2 = make_agent(toolkit, [[tool_call("get_current_time", timezone="UTC")], "ok"])
    await agent2(Msg("user", "Time?", "user"))
    assert json.loads(agent2.model.calls[1].messages[-1]["content"])["timezone"] == "UTC"


async def test_register_options_and_remove(time_client) -> None:
    toolkit = Toolkit()
    with pytest.raises(ConfigError, match=r"enable_funcs: MCP server 'time' has no tools \['x'\]"):
        await toolkit.register_mcp_client(time_client, enable_funcs=["x"])
    toolkit.create_tool_group("clock", "Clock tools", active=True)
    await toolkit.register_mcp_client(
        time_client,
        group_name="clock",
        disable_funcs=["convert_time"],
        preset_kwargs_mapping={"get_current_time": {"timezone": "Asia/Tokyo"}},
    )
    assert list(toolkit.tools) == ["get_current_time"]
    schema = toolkit.get_json_schemas()[0]["function"]
    assert schema["parameters"]["properties"] == {}
    call = {"type": "tool_use", "id": "c1", "name": "get_current_time", "input": {}}
    result = await toolkit.call_tool_function(call).last()
    assert json.loads(result.content[0]["text"])["timezone"] == "Asia/Tokyo"
    assert toolkit.remove_mcp_clients(["time"]) == ["get_current_time"]
    assert toolkit.tools == {}


async def test_approval_policy_applies_to_mcp_tools() -> None:
    cmd = everything_command()
    async with StdIOStatefulClient("everything", command=cmd[0], args=cmd[1:], timeout=90) as c:
        toolkit = Toolkit()
        await toolkit.register_mcp_client(c, enable_funcs=["echo"])
        agent = make_agent(
            toolkit,
            [
                [tool_call("echo", id="e1", message="hi")],
                [tool_call("echo", id="e2", message="x")],
                "ok",
            ],
            require_approval=["echo"],
        )
        seen: list = []
        agent.subscribe(seen.append)
        task = asyncio.create_task(agent(Msg("user", "echo", "user")))
        for _ in range(200):
            if agent.control.pending_approvals:
                break
            await asyncio.sleep(0.02)
        assert agent.control.pending_approvals == ["e1"]
        agent.control.deny("e1", "no echo")
        for _ in range(200):
            if agent.control.pending_approvals:
                break
            await asyncio.sleep(0.02)
        agent.control.approve("e2", {"message": "edited"})
        await asyncio.wait_for(task, 30)
        results = {e.tool_call_id: e for e in seen if isinstance(e, ToolResult)}
        assert results["e1"].state == "denied"
        assert results["e2"].output == [{"type": "text", "text": "Echo: edited"}]
        assert [e.source for e in seen if isinstance(e, ToolCall)] == ["everything", "everything"]
