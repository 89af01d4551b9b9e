"""A fresh agent per sample: from a factory, or a copy of a template agent with the same
model, tools, prompt and settings (shared, not copied), an empty memory and a formatter
copy of its own.

Example:
    >>> from ascope_nb import ReActAgent
    >>> from ascope_nb.testing import ScriptedModel
    >>> template = ReActAgent("Friday", "Be brief.", ScriptedModel(["hi"]), max_iters=3)
    >>> copy = agent_factory(template)()
    >>> (copy is template, copy.name, copy.max_iters, copy.memory is template.memory)
    (False, 'Friday', 3, False)
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..agent import AgentBase
from ..exceptions import ConfigError


@functools.cache
def _init_params(cls: Any) -> tuple[str, ...]:
    """The named parameters of ``cls.__init__`` (read once per class)."""
    init = cls.__init__
    return tuple(
        name
        for name, param in inspect.signature(init).parameters.items()
        if name != "self" and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
    )


def _copy_react(template: Any) -> AgentBase:
    cls: Any = type(template)
    kwargs: dict[str, Any] = {}
    for name in _init_params(cls):
        if name == "memory":
            memory = getattr(template, "memory", None)
            kwargs[name] = type(memory)() if memory is not None else None
        elif name == "require_approval":
            kwargs[name] = None  # nobody is there to approve during an experiment
        elif name == "formatter" and getattr(template, name, None) is not None:
            # the settings are shared; a formatter's memo of formatted messages is not (a
            # shared one would keep every sample's messages alive)
            kwargs[name] = copy.copy(template.formatter)
        elif hasattr(template, name):
            kwargs[name] = getattr(template, name)
    agent = cls(**kwargs)
    console = getattr(template, "_printer", None) is not None
    agent.set_console_output_enabled(console)
    return agent


def agent_factory(agent: Any) -> Callable[[], AgentBase]:
    """A function making one fresh agent per call from ``agent`` (an agent or a factory)."""
    if isinstance(agent, AgentBase):
        if hasattr(agent, "sys_prompt") and hasattr(agent, "model"):
            _copy_react(agent)  # fail now, not at the first sample
            return lambda: _copy_react(agent)
        return lambda: copy.deepcopy(agent)
    if callable(agent):

        def make() -> AgentBase:
            made = agent()
            if not isinstance(made, AgentBase):
                raise ConfigError(f"the agent factory returned {type(made).__name__}, not an agent")
            return made

        return make
    raise ConfigError(
        f"agent must be an agent or a function making one, got {type(agent).__name__}"
    )


__all__ = ["agent_factory"]
