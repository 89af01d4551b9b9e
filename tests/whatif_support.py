"""Agents and stored runs shared by the what-if tests (fork, replay, diff, tree, pairs)."""

from __future__ import annotations

import asyncio
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.testing import FunctionModel, tool_call
from ascope_nb.tool import Toolkit


def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)


def tool_results(messages: list[dict[str, Any]]) -> list[str]:
    """The tool results in an OpenAI-formatted prompt, in order."""
    return [str(m.get("content")) for m in messages if m.get("role") == "tool"]


def counting_model(n_calls: int = 3, *, name: str = "counting") -> FunctionModel:
    """Calls ``add(i, 1)`` until it has seen ``n_calls`` results, then says the last one."""

    def answer(messages: list[dict[str, Any]], tools: Any) -> Any:
        seen = tool_results(messages)
        if len(seen) < n_calls:
            return ["Adding.", tool_call("add", a=len(seen), b=1)]
        return f"The last sum is {seen[-1]}."

    return FunctionModel(answer, model_name=name)


def make_agent(model: Any, *, name: str = "Friday", max_iters: int = 10) -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name=name,
        sys_prompt=f"You are {name}. Use the add tool.",
        model=model,
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        max_iters=max_iters,
    )
    agent.set_console_output_enabled(False)
    return agent


async def formatted(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recorded ``Msg`` dicts as the OpenAI formatter sends them."""
    return await OpenAIChatFormatter().format([Msg.from_dict(m) for m in messages])


def run_sync(coro: Any) -> Any:
    return asyncio.get_event_loop_policy().new_event_loop().run_until_complete(coro)
