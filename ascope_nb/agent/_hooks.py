"""Hooks: functions run before and after an agent's reply, print, observe, reasoning, acting.

Pre-hooks are called as ``hook(agent, kwargs)`` and may return new kwargs; post-hooks as
``hook(agent, kwargs, output)`` and may return a new output. Hooks may be sync or async.

Unlike AgentScope 1.x, where class-hook dicts were class attributes shared by every
subclass, each class here has its own registry; a hook registered on a base class applies
to its subclasses, never the other way round.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Hook = Callable[..., Any]

HOOK_TYPES = (
    "pre_reply",
    "post_reply",
    "pre_print",
    "post_print",
    "pre_observe",
    "post_observe",
    "pre_reasoning",
    "post_reasoning",
    "pre_acting",
    "post_acting",
)


class HookRegistry:
    """An ordered set of named hooks per hook type."""

    __slots__ = ("hooks",)

    def __init__(self) -> None:
        self.hooks: dict[str, OrderedDict[str, Hook]] = {t: OrderedDict() for t in HOOK_TYPES}

    def add(self, hook_type: str, name: str, hook: Hook) -> None:
        check_hook_type(hook_type)
        self.hooks[hook_type][name] = hook

    def remove(self, hook_type: str, name: str) -> None:
        check_hook_type(hook_type)
        if name not in self.hooks[hook_type]:
            raise KeyError(f"no {hook_type} hook named {name!r}")
        del self.hooks[hook_type][name]

    def clear(self, hook_type: str | None = None) -> None:
        for key in [hook_type] if hook_type else HOOK_TYPES:
            check_hook_type(key)
            self.hooks[key].clear()


def check_hook_type(hook_type: str) -> None:
    if hook_type not in HOOK_TYPES:
        raise ValueError(f"unknown hook type {hook_type!r}; expected one of {HOOK_TYPES}")


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


async def run_pre_hooks(agent: Any, hooks: list[Hook], kwargs: dict[str, Any]) -> dict[str, Any]:
    for hook in hooks:
        result = await _maybe_await(hook(agent, dict(kwargs)))
        if result is not None:
            if not isinstance(result, dict):
                raise TypeError(
                    f"pre-hook {hook!r} must return a kwargs dict or None, got {type(result).__name__}"
                )
            kwargs = result
    return kwargs


async def run_post_hooks(agent: Any, hooks: list[Hook], kwargs: dict[str, Any], output: Any) -> Any:
    for hook in hooks:
        result = await _maybe_await(hook(agent, dict(kwargs), output))
        if result is not None:
            output = result
    return output
