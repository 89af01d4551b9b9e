"""A quiet ``ReActAgent`` on a scripted model, the agent most tests need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.model import ChatModelBase
from ascope_nb.testing import ScriptedModel
from ascope_nb.tool import Toolkit


def scripted_agent(
    replies: list[Any] | None = None,
    *tools: Callable[..., Any],
    name: str = "Friday",
    sys_prompt: str = "s",
    model: ChatModelBase | None = None,
    toolkit: Toolkit | None = None,
    **kwargs: Any,
) -> ReActAgent:
    """``name`` answering with ``ScriptedModel(replies)`` (or ``model``), ``tools`` registered
    (or ``toolkit`` as given), console output off; ``kwargs`` go to ``ReActAgent``.

    Example:
        >>> scripted_agent(["Hi."], name="Ada").name
        'Ada'
    """
    if toolkit is None:
        toolkit = Toolkit()
        for tool in tools:
            toolkit.register_tool_function(tool)
    agent = ReActAgent(
        name=name,
        sys_prompt=sys_prompt,
        model=model if model is not None else ScriptedModel(replies or []),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        **kwargs,
    )
    agent.set_console_output_enabled(False)
    return agent
