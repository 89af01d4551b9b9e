"""Toolkit: schemas, preset arguments, groups, streaming calls, errors as results, cancellation."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import AsyncGenerator, Generator
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from ascope_nb.exceptions import ConfigError
from ascope_nb.message import ToolUseBlock
from ascope_nb.tool import Toolkit, ToolResponse


def call(name: str, raw_input: str | None = None, **kwargs: Any) -> ToolUseBlock:
    block: ToolUseBlock = {"type": "tool_use", "id": "call_1", "name": name, "input": kwargs}
    if raw_input is not None:
        block["raw_input"] = raw_input
    return block


def text(resp: ToolResponse) -> str:
    return "".join(b["text"] for b in resp.content if b["type"] == "text")


async def chunks(toolkit: Toolkit, block: ToolUseBlock) -> list[ToolResponse]:
    return [c async for c in await toolkit.call_tool_function(block)]


class Filter(BaseModel):
    """A filter."""

    field: str
    min_score: float = 0.0


def search(
    query: str,
    limit: int = 10,
    tags: list[str] | None = None,
    mode: Literal["fast", "deep"] = "fast",
    filt: Filter | None = None,
    api_key: str = "",
) -> str:
    """Search the corpus.

    Returns the best matching documents.

    Args:
        query: What to look for.
        limit: How many results.
        tags: Only documents with these tags.
        mode: Search depth.
        filt: An optional filter.
        api_key: Secret key.
    """
    return f"{query}|{limit}|{tags}|{mode}|{filt!r}|{api_key}"


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def test_schema_from_signature_and_docstring() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(search, preset_kwargs={"api_key": "secret"})
    nullable = {"type": "null"}
    assert toolkit.get_json_schemas() == [
        {
            "type": "function",
            "function": {
                "name": "search",
                "description": "Search the corpus.\nReturns the best matching documents.",
                "parameters": {
                    "type": "object",
                    "$defs": {
                        "Filter": {
                            "description": "A filter.",
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "min_score": {"type": "number", "default": 0.0},
                            },
                            "required": ["field"],
                        }
                    },
                    "properties": {
                        "query": {"type": "string", "description": "What to look for."},
                        "limit": {
                            "type": "integer",
                            "default": 10,
                            "description": "How many results.",
                        },
                        "tags": {
                            "anyOf": [{"type": "array", "items": {"type": "string"}}, nullable],
                            "default": None,
                            "description": "Only documents with these tags.",
                        },
                        "mode": {
                            "type": "string",
                            "enum": ["fast", "deep"],
                            "default": "fast",
                            "description": "Search depth.",
                        },
                        "filt": {
                            "anyOf": [{"$ref": "#/$defs/Filter"}, nullable],
                            "default": None,
                            "description": "An optional filter.",
                        },
                    },
                    "required": ["query"],
                },
            },
        }
    ]


def test_schema_options_description_and_long_description() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(search, include_long_description=False, func_name="find")
    toolkit.register_tool_function(add, func_description="Sum.")
    schemas = {s["function"]["name"]: s["function"] for s in toolkit.get_json_schemas()}
    assert schemas["find"]["description"] == "Search the corpus."
    assert "api_key" in schemas["find"]["parameters"]["properties"]
    assert schemas["add"]["description"] == "Sum."
    assert toolkit.tools["find"].original_name == "search"


async def test_preset_kwargs_hidden_and_passed_and_validated_args() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(search, preset_kwargs={"api_key": "secret"})
    params = toolkit.get_json_schemas()[0]["function"]["parameters"]
    assert "api_key" not in params["properties"]
    resp = await toolkit.call_tool_function(
        call("search", query="q", limit="3", filt={"field": "f"})
    ).last()
    # "3" is coerced to 3, the dict becomes a Filter, the preset key is passed
    assert text(resp) == "q|3|None|fast|Filter(field='f', min_score=0.0)|secret"
    assert resp.metadata is None  # the tool's own response, as AgentScope 1.x returns it


async def test_partial_arguments_become_presets() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(functools.partial(add, 40))
    schema = toolkit.get_json_schemas()[0]["function"]
    assert (
        schema["name"],
        list(schema["parameters"]["properties"]),
        schema["parameters"]["required"],
    ) == (
        "add",
        ["b"],
        ["b"],
    )
    assert text(await toolkit.call_tool_function(call("add", b=2)).last()) == "42"


async def test_groups_activate_deactivate_state_and_removal() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    toolkit.create_tool_group("web", "Browse the web", notes="Cite sources.")
    toolkit.register_tool_function(search, group_name="web")

    def names() -> list[str]:
        return [s["function"]["name"] for s in toolkit.get_json_schemas()]

    assert names() == ["add"]
    inactive = await toolkit.call_tool_function(call("search", query="x")).last()
    assert text(inactive).startswith("FunctionInactiveError: The function 'search'")
    assert inactive.metadata is not None and inactive.metadata["success"] is False

    toolkit.update_tool_groups(["web", "basic"], active=True)
    assert names() == ["add", "search"]
    assert toolkit.get_activated_notes() == "## About Tool Group 'web'\nCite sources."
    assert toolkit.state_dict() == {"active_groups": ["web"]}

    other = Toolkit()
    other.create_tool_group("web", "Browse the web")
    other.load_state_dict(toolkit.state_dict())
    assert other.groups["web"].active is True
    with pytest.raises(ConfigError):
        other.load_state_dict({"active_groups": [], "extra": 1})

    toolkit.update_tool_groups(["web"], active=False)
    assert names() == ["add"]
    with pytest.raises(ConfigError):
        toolkit.create_tool_group("web", "again")
    with pytest.raises(ConfigError):
        toolkit.register_tool_function(add, group_name="nope")
    with pytest.raises(ConfigError):
        toolkit.remove_tool_groups("basic")
    toolkit.remove_tool_groups("web")
    assert (list(toolkit.tools), list(toolkit.groups)) == (["add"], [])


async def test_reset_equipped_tools_meta_tool() -> None:
    toolkit = Toolkit()
    toolkit.create_tool_group("math", "Arithmetic tools", notes="Use integers.")
    toolkit.create_tool_group("web", "Browse the web")
    toolkit.register_tool_function(add, group_name="math")
    toolkit.register_tool_function(toolkit.reset_equipped_tools)
    meta = toolkit.get_json_schemas()[0]["function"]
    assert meta["parameters"]["properties"] == {
        "math": {"type": "boolean", "default": False, "description": "Arithmetic tools"},
        "web": {"type": "boolean", "default": False, "description": "Browse the web"},
    }
    resp = await toolkit.call_tool_function(call("reset_equipped_tools", math=True)).last()
    assert "'math'" in text(resp) and "Use integers." in text(resp)
    assert toolkit.state_dict() == {"active_groups": ["math"]}
    assert text(await toolkit.call_tool_function(call("add", a=1, b=2)).last()) == "3"


def test_duplicate_names() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    with pytest.raises(ConfigError, match="already registered"):
        toolkit.register_tool_function(add)
    toolkit.register_tool_function(add, namesake_strategy="skip")
    toolkit.register_tool_function(add, namesake_strategy="rename")
    assert len(toolkit.tools) == 2
    renamed = next(t for n, t in toolkit.tools.items() if n != "add")
    assert (
        renamed.name.startswith("add_") and renamed.json_schema["function"]["name"] == renamed.name
    )
    toolkit.remove_tool_function("add")
    with pytest.raises(ConfigError):
        toolkit.remove_tool_function("add", allow_not_exist=False)
    toolkit.clear()
    assert toolkit.tools == {} and toolkit.get_json_schemas() == []


async def test_sync_tool_runs_in_a_thread_without_blocking_the_loop() -> None:
    seen: dict[str, int] = {}

    def slow() -> str:
        """Sleep a little."""
        seen["thread"] = threading.get_ident()
        time.sleep(0.3)
        return "done"

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    toolkit = Toolkit()
    toolkit.register_tool_function(slow)
    task = asyncio.create_task(ticker())
    resp = await toolkit.call_tool_function(call("slow")).last()
    task.cancel()
    assert (text(resp), resp.is_last) == ("done", True)
    assert seen["thread"] != threading.get_ident()
    assert ticks >= 10  # the loop kept running while the tool slept


async def test_streaming_tools_yield_cumulative_chunks() -> None:
    def gen_tool(n: int) -> Generator[ToolResponse, None, None]:
        """Count in a sync generator.

        Args:
            n: How far.
        """
        for i in range(1, n + 1):
            yield ToolResponse(
                content=[{"type": "text", "text": " ".join(map(str, range(1, i + 1)))}]
            )

    async def agen_tool(n: int) -> AsyncGenerator[ToolResponse, None]:
        """Count in an async generator.

        Args:
            n: How far.
        """
        for i in range(1, n + 1):
            await asyncio.sleep(0)
            yield ToolResponse(
                content=[{"type": "text", "text": " ".join(map(str, range(1, i + 1)))}]
            )

    async def async_tool(n: int) -> ToolResponse:
        """Count at once.

        Args:
            n: How far.
        """
        return ToolResponse(content=[{"type": "text", "text": "1 2 3"}], metadata={"n": n})

    toolkit = Toolkit()
    for tool in (gen_tool, agen_tool, async_tool):
        toolkit.register_tool_function(tool)

    streamed = [
        (text(c), c.is_last, c.stream) for c in await chunks(toolkit, call("gen_tool", n=3))
    ]
    # the chunks are the tool's own ToolResponses, unchanged (AgentScope 1.x semantics)
    expected = [("1", True, False), ("1 2", True, False), ("1 2 3", True, False)]
    assert streamed == expected
    streamed_async = await chunks(toolkit, call("agen_tool", n=3))
    assert [(text(c), c.is_last, c.stream) for c in streamed_async] == expected

    single = await chunks(toolkit, call("async_tool", n=3))
    assert [(text(c), c.is_last, c.metadata) for c in single] == [("1 2 3", True, {"n": 3})]


async def test_plain_values_and_async_callable_objects_and_explicit_schema() -> None:
    def info() -> dict[str, int]:
        """Return a dict."""
        return {"a": 1}

    class Remote:
        """A remote tool (as an MCP client would build it)."""

        __name__ = "remote"

        async def __call__(self, **kwargs: Any) -> str:
            return f"remote got {sorted(kwargs.items())}"

    schema = {
        "type": "function",
        "function": {
            "name": "remote_echo",
            "description": "Echo remotely.",
            "parameters": {
                "type": "object",
                "properties": {"msg": {"type": "string"}},
                "required": ["msg"],
                "additionalProperties": False,
            },
        },
    }
    toolkit = Toolkit()
    toolkit.register_tool_function(info)
    toolkit.register_tool_function(Remote(), json_schema=schema, source="time-server")
    assert text(await toolkit.call_tool_function(call("info")).last()) == '{"a": 1}'
    assert toolkit.tools["remote_echo"].source == "time-server"
    assert toolkit.get_json_schemas()[1] == schema
    resp = await toolkit.call_tool_function(call("remote_echo", msg="hi")).last()
    assert text(resp) == "remote got [('msg', 'hi')]"
    bad = await toolkit.call_tool_function(call("remote_echo", msg="hi", x=1)).last()
    assert "unexpected argument 'x'" in text(bad)


async def test_postprocess_func_replaces_chunks() -> None:
    def shout(block: ToolUseBlock, resp: ToolResponse) -> ToolResponse:
        return ToolResponse(
            content=[{"type": "text", "text": f"{block['name']}: {text(resp).upper()}"}]
        )

    def hello() -> str:
        """Say hello."""
        return "hello"

    toolkit = Toolkit()
    toolkit.register_tool_function(hello, postprocess_func=shout)
    assert text(await toolkit.call_tool_function(call("hello")).last()) == "hello: HELLO"


async def test_unknown_tool_and_bad_arguments_are_results() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    toolkit.register_tool_function(search)

    unknown = await chunks(toolkit, call("foo"))
    assert [(text(c), c.is_last, c.metadata) for c in unknown] == [
        (
            "FunctionNotFoundError: Cannot find the function named 'foo'. "
            "Available tools: 'add', 'search'.",
            True,
            {"success": False, "error": text(unknown[0])},
        )
    ]

    malformed = await toolkit.call_tool_function(call("add", raw_input='{"a": 1, "b":')).last()
    assert text(malformed).startswith(
        "InvalidArgumentsError: arguments for 'add' are not valid JSON ("
    )
    assert malformed.metadata is not None and malformed.metadata["success"] is False

    missing = await toolkit.call_tool_function(call("add", a=1, c=2)).last()
    assert text(missing) == (
        "InvalidArgumentsError: invalid arguments for 'add': missing required argument 'b'; "
        "unexpected argument 'c'. Expected arguments: 'a', 'b'."
    )
    wrong_type = await toolkit.call_tool_function(call("add", a="x", b=1)).last()
    assert text(wrong_type).startswith("InvalidArgumentsError: invalid arguments for 'add': 'a': ")
    bad_literal = await toolkit.call_tool_function(call("search", query="q", mode="slow")).last()
    assert "'mode'" in text(bad_literal)


async def test_raising_tools_give_agentscopes_error_text_and_streams_raise() -> None:
    """As in AgentScope 1.x: a function that raises gives ``Error: {exc}`` as its response;
    a streaming tool that raises mid-stream raises into whoever iterates its chunks."""

    def divide(a: int, b: int) -> float:
        """Divide.

        Args:
            a: Numerator.
            b: Denominator.
        """
        return a / b

    def fail_quietly() -> str:
        """Raise an exception without a message."""
        raise KeyError

    def broken_stream() -> Generator[str, None, None]:
        """Stream then fail."""
        yield "partial"
        raise RuntimeError("disk\nfull")

    toolkit = Toolkit()
    for func in (divide, fail_quietly, broken_stream):
        toolkit.register_tool_function(func)
    resp = await toolkit.call_tool_function(call("divide", a=1, b=0)).last()
    assert (text(resp), resp.metadata, resp.is_last) == (
        "Error: division by zero",
        {"success": False, "error": "Error: division by zero"},
        True,
    )
    assert text(await toolkit.call_tool_function(call("fail_quietly")).last()) == "Error: KeyError"
    seen: list[str] = []
    with pytest.raises(RuntimeError, match="disk\nfull"):
        async for chunk in await toolkit.call_tool_function(call("broken_stream")):
            seen.append(text(chunk))
    assert seen == ["partial"]


async def test_cancellation_propagates_from_a_long_async_tool() -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def wait_long() -> str:
        """Wait for a long time."""
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            finished.append("cleaned up")
        return "never"

    toolkit = Toolkit()
    toolkit.register_tool_function(wait_long)

    async def consume() -> list[ToolResponse]:
        return [c async for c in toolkit.call_tool_function(call("wait_long"))]

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 5)
    t0 = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - t0 < 1
    assert finished == ["cleaned up"]
