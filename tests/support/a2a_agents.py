"""Agents for the A2A tests: scripted ReAct agents with an adding tool and a slow tool."""

from __future__ import annotations

import asyncio
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import TextBlock
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, ToolResponse


def add(a: int, b: int) -> ToolResponse:
    """Add two numbers.

    Args:
        a: The first number.
        b: The second number.
    """
    return ToolResponse(content=[TextBlock(type="text", text=str(a + b))])


async def slow(seconds: float) -> ToolResponse:
    """Wait, then say done.

    Args:
        seconds: How long to wait.
    """
    await asyncio.sleep(seconds)
    return ToolResponse(content=[TextBlock(type="text", text="done")])


def adder(name: str = "Friday", *, turns: int = 4, **kwargs: Any) -> ReActAgent:
    """Calls ``add(1, 2)`` then answers "It is 3." (``turns`` times)."""
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    toolkit.register_tool_function(slow)
    agent = ReActAgent(
        name=name,
        sys_prompt="You add numbers.",
        model=ScriptedModel([[tool_call("add", a=1, b=2)], "It is 3."] * turns),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        **kwargs,
    )
    agent.set_console_output_enabled(False)
    return agent


def sleeper(name: str = "Sleepy", seconds: float = 30.0) -> ReActAgent:
    """Calls ``slow(seconds)`` first; then answers "awake" (for cancel tests)."""
    toolkit = Toolkit()
    toolkit.register_tool_function(slow)
    agent = ReActAgent(
        name=name,
        sys_prompt="You sleep.",
        model=ScriptedModel([[tool_call("slow", seconds=seconds)], "awake", "awake again"]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    return agent
