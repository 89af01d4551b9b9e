"""MCP clients against real servers: mcp-server-time and server-everything (stdio, HTTP)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
import time

import pytest
from support.mcp_servers import TIME_COMMAND, everything_command, everything_http, pid_alive

from ascope_nb.exceptions import AscopeError, ToolNotFoundError
from ascope_nb.mcp import (
    HttpStatefulClient,
    HttpStatelessClient,
    MCPConnectionError,
    MCPServerError,
    StdIOStatefulClient,
)
from ascope_nb.tool import Toolkit, ToolResponse


def time_client(name: str = "time") -> StdIOStatefulClient:
    return StdIOStatefulClient(name, command=TIME_COMMAND[0], args=TIME_COMMAND[1:], timeout=90)


def everything_client(name: str = "everything") -> StdIOStatefulClient:
    cmd = everything_command()
    return StdIOStatefulClient(name, command=cmd[0], args=cmd[1:], timeout=90)


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


async def test_time_server_stdio_call_and_close_ends_process() -> None:
    client = time_client()
    async with client:
        assert client.is_connected
        pid = client.pid
        assert pid is not None and pid_alive(pid)
        assert [t.name for t in await client.list_tools()] == [
            "get_current_time",
            "convert_time",
        ]
        func = await client.get_callable_function("get_current_time")
        assert (func.name, func.mcp_name) == ("get_current_time", "time")
        params = func.json_schema["function"]["parameters"]
        assert params["required"] == ["timezone"]
        response = await func(timezone="UTC")
        assert isinstance(response, ToolResponse)
        assert response.metadata is None
        payload = json.loads(response.content[0]["text"])
        assert payload["timezone"] == "UTC" and payload["datetime"].endswith("+00:00")
        # an error raised by the server's tool is an isError result: success False
        bad = await func(timezone="Not/AZone")
        assert bad.metadata is not None and bad.metadata["success"] is False
        assert "Not/AZone" in bad.metadata["error"]
        raw = await (await client.get_callable_function("convert_time", wrap_tool_result=False))(
            source_timezone="UTC", time="12:00", target_timezone="Asia/Tokyo"
        )
        assert raw.isError is False
        target = json.loads(raw.content[0].text)["target"]
        assert target["timezone"] == "Asia/Tokyo" and "T21:00:00+09:00" in target["datetime"]
        with pytest.raises(ToolNotFoundError, match="no tool 'nope'"):
            await client.get_callable_function("nope")
    assert not client.is_connected and client.status == "closed"
    assert wait_gone(pid), f"server process {pid} survived close()"
    await client.close()  # closing twice is fine


async def test_registered_function_schema_matches_server_schema() -> None:
    async with everything_client() as client:
        tools = {t.name: t for t in await client.list_tools()}
        func = await client.get_callable_function("get-sum")
        toolkit = Toolkit()
        toolkit.register_tool_function(func)  # plain registration, the seed's option 2
        schema = toolkit.get_json_schemas()[0]["function"]
        server = tools["get-sum"].inputSchema
        assert schema["name"] == "get-sum"
        assert set(schema["parameters"]["properties"]) == set(server["properties"])
        assert schema["parameters"]["required"] == server["required"]
        for key, prop in server["properties"].items():
            assert schema["parameters"]["properties"][key]["type"] == prop["type"]
        call = {"type": "tool_use", "id": "c1", "name": "get-sum", "input": {"a": 2, "b": 40}}
        result = await toolkit.call_tool_function(call).last()
        assert result.metadata is None
        assert "42" in result.content[0]["text"]


async def test_everything_result_mapping_image_resource_and_error() -> None:
    async with everything_client() as client:
        image = await (await client.get_callable_function("get-tiny-image"))()
        images = [b for b in image.content if b["type"] == "image"]
        assert len(images) == 1
        source = images[0]["source"]
        assert source["type"] == "base64" and source["media_type"] == "image/png"
        assert base64.b64decode(source["data"]).startswith(b"\x89PNG")

        ref = await (await client.get_callable_function("get-resource-reference"))(
            resourceType="Text", resourceId=1
        )
        texts = [b["text"] for b in ref.content if b["type"] == "text"]
        assert ref.metadata is None
        assert any("Resource 1" in t for t in texts), texts

        blob = await (await client.get_callable_function("get-resource-reference"))(
            resourceType="Blob", resourceId=2
        )
        assert blob.metadata is not None and "success" not in blob.metadata
        resources = blob.metadata["resources"]
        assert [r["uri"] for r in resources] == [
            t["text"].split()[2] for t in blob.content if t["text"].startswith("[embedded")
        ]

        # wrong argument types: the server answers with an isError result
        wrong = await (await client.get_callable_function("get-sum"))(a="x", b=1)
        assert wrong.metadata is not None and wrong.metadata["success"] is False
        assert wrong.metadata["error"] == wrong.content[0]["text"]


async def test_server_killed_gives_error_result_then_reconnects() -> None:
    client = time_client()
    await client.connect()
    try:
        func = await client.get_callable_function("get_current_time")
        pid = client.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        assert wait_gone(pid)
        for _ in range(100):  # the client notices the end of the stream
            if not client.is_connected:
                break
            await asyncio.sleep(0.05)
        response = await func(timezone="UTC")
        assert response.metadata is not None and response.metadata["success"] is False
        text = response.content[0]["text"]
        assert text.startswith("MCPServerError: server 'time' is not connected (")
        assert "reconnect with await client.connect()" in text
        with pytest.raises(MCPServerError, match="is not connected"):
            await client.call_tool("get_current_time", {"timezone": "UTC"})
        await client.connect()  # reconnect: the same function works again
        assert client.pid != pid
        again = await func(timezone="UTC")
        assert again.metadata is None
    finally:
        await client.close()


async def test_server_killed_during_a_slow_call() -> None:
    client = everything_client()
    await client.connect()
    try:
        slow = await client.get_callable_function("trigger-long-running-operation")
        task = asyncio.create_task(slow(duration=30, steps=3))
        await asyncio.sleep(1.0)
        assert not task.done()
        assert client.pid is not None
        os.kill(client.pid, signal.SIGKILL)
        response = await asyncio.wait_for(task, 20)
        assert response.metadata["success"] is False
        assert "MCPServerError: server 'everything' is not connected" in response.content[0]["text"]
    finally:
        await client.close()


async def test_bad_command_is_one_clear_line() -> None:
    client = StdIOStatefulClient("ghost", command="nonexistent-binary", args=["--x"])
    with pytest.raises(MCPConnectionError) as info:
        await client.connect()
    assert isinstance(info.value, AscopeError)
    assert str(info.value) == (
        "cannot start MCP server 'ghost': command 'nonexistent-binary' not found "
        "(is it installed and on PATH?)"
    )
    assert "\n" not in str(info.value)


async def test_server_exiting_at_start_is_one_clear_line() -> None:
    client = StdIOStatefulClient(
        "quits", command=sys.executable, args=["-c", "import sys; sys.exit(3)"], timeout=60
    )
    with pytest.raises(MCPConnectionError) as info:
        await client.connect()
    message = str(info.value)
    assert message.startswith("cannot start MCP server 'quits' (")
    assert message.endswith("during the handshake") and "\n" not in message


@pytest.mark.parametrize("transport", ["streamable_http", "sse"])
async def test_refused_url_is_one_clear_line(transport: str) -> None:
    client = HttpStatefulClient("remote", transport=transport, url="http://127.0.0.1:1/mcp")
    with pytest.raises(MCPConnectionError) as info:
        await client.connect()
    assert str(info.value) == (
        "cannot connect to MCP server 'remote' (http://127.0.0.1:1/mcp): Connection refused"
    )
    stateless = HttpStatelessClient("remote", transport=transport, url="http://127.0.0.1:1/mcp")
    with pytest.raises(MCPConnectionError, match=r"\): Connection refused$"):
        await stateless.list_tools()


async def test_everything_over_streamable_http_stateful_and_stateless() -> None:
    with everything_http() as (url, proc):
        async with HttpStatefulClient("web", transport="streamable_http", url=url) as client:
            names = [t.name for t in await client.list_tools()]
            assert "echo" in names and "get-sum" in names
            echo = await client.get_callable_function("echo")
            assert (await echo(message="over http")).content[0]["text"] == "Echo: over http"
        stateless = HttpStatelessClient("web", transport="streamable_http", url=url)
        func = await stateless.get_callable_function(func_name="get-sum")
        first = await func(a=1, b=2)
        second = await func(a=3, b=4)
        assert ["3" in first.content[0]["text"], "7" in second.content[0]["text"]] == [True, True]
        # the server goes away: a stateful client gets an error result, never an exception
        client = HttpStatefulClient("web2", transport="streamable_http", url=url)
        await client.connect()
        echo = await client.get_callable_function("echo")
        proc.kill()
        proc.wait(10)
        try:
            gone = await asyncio.wait_for(echo(message="anyone?"), 30)
            assert gone.metadata is not None and gone.metadata["success"] is False
        finally:
            await client.close()
        failed = await func(a=1, b=1)
        assert failed.metadata is not None and failed.metadata["success"] is False
        assert "Connection refused" in failed.content[0]["text"]
