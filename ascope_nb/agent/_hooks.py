"""Hooks: functions run before and after an agent's reply, print, observe, reasoning, acting.

Pre-hooks are called as ``hook(agent, kwargs)`` and may return new kwargs; post-hooks as
``hook(agent, kwargs, output)`` and may return a new output. Hooks may be sync or async.

Unlike AgentScope 1.x, where class-hook dicts were class attributes shared by every
subclass, each class here has its own registry; a hook registered on a base class applies
to its subclasses, never the other way round.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections import OrderedDict
from collections.abc import Callable
from copy import deepcopy
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


_generation = [0]


def hooks_generation() -> int:
    """A number that changes whenever any hook registry changes (agents cache their hook
    lists against it, so a step with no hooks costs one comparison per hooked method)."""
    return _generation[0]


class HookRegistry:
    """An ordered set of named hooks per hook type."""

    __slots__ = ("hooks",)

    def __init__(self) -> None:
        self.hooks: dict[str, OrderedDict[str, Hook]] = {t: OrderedDict() for t in HOOK_TYPES}
        _generation[0] += 1

    def add(self, hook_type: str, name: str, hook: Hook) -> None:
        check_hook_type(hook_type)
        self.hooks[hook_type][name] = hook
        _generation[0] += 1

    def remove(self, hook_type: str, name: str) -> None:
        check_hook_type(hook_type)
        if name not in self.hooks[hook_type]:
            raise KeyError(f"no {hook_type} hook named {name!r}")
        del self.hooks[hook_type][name]
        _generation[0] += 1

    def clear(self, hook_type: str | None = None) -> None:
        for key in [hook_type] if hook_type else HOOK_TYPES:
            check_hook_type(key)
            self.hooks[key].clear()
        _generation[0] += 1


def check_hook_type(hook_type: str) -> None:
    if hook_type not in HOOK_TYPES:
        raise ValueError(f"unknown hook type {hook_type!r}; expected one of {HOOK_TYPES}")


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


async def run_pre_hooks(agent: Any, hooks: list[Hook], kwargs: dict[str, Any]) -> dict[str, Any]:
    for hook in hooks:
        result = await _maybe_await(hook(agent, deepcopy(kwargs)))
        if result is not None:
            if not isinstance(result, dict):
                raise TypeError(
                    f"pre-hook {hook!r} must return a kwargs dict or None, got {type(result).__name__}"
                )
            kwargs = result
    return kwargs


async def run_post_hooks(agent: Any, hooks: list[Hook], kwargs: dict[str, Any], output: Any) -> Any:
    for hook in hooks:
        result = await _maybe_await(hook(agent, deepcopy(kwargs), deepcopy(output)))
        if result is not None:
            output = result
    return output


# (id(agent), method) pairs whose hooks are running in this task: an override that calls
# super().method() runs the hooks once, in the outermost call only.
_running: contextvars.ContextVar[frozenset[tuple[int, str]]] = contextvars.ContextVar(
    "ascope_hooks_running", default=frozenset()
)


def _bind(func: Callable[..., Any], agent: Any, args: Any, kwargs: Any) -> dict[str, Any]:
    try:
        bound = inspect.signature(func).bind(agent, *args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{func.__qualname__}(): {exc}") from None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(arguments)))  # self
    return arguments


def with_hooks(func: Callable[..., Any], kind: str) -> Callable[..., Any]:
    """Wrap the agent method ``func`` so its ``pre_<kind>``/``post_<kind>`` hooks run on
    every call, also a direct one (``await agent.observe(msg)``). Hooks receive deep copies
    of the keyword arguments (and of the output), so editing them in place changes nothing
    unless the hook returns them."""
    if getattr(func, "__ascope_hooked__", False):
        return func
    pre_kind, post_kind = f"pre_{kind}", f"post_{kind}"

    @functools.wraps(func)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        pre, post = self._hooks(pre_kind), self._hooks(post_kind)
        if not pre and not post:  # the common case: no bookkeeping at all
            return await func(self, *args, **kwargs)
        key = (id(self), kind)
        running = _running.get()
        if key in running:
            return await func(self, *args, **kwargs)
        token = _running.set(running | {key})
        try:
            call = _bind(func, self, args, kwargs)
            call = await run_pre_hooks(self, pre, call)
            rest = {k: v for k, v in call.items() if k not in ("args", "kwargs")}
            output = await func(self, *call.get("args", ()), **rest, **call.get("kwargs", {}))
        finally:
            _running.reset(token)
        return await run_post_hooks(self, post, call, output)

    wrapper.__ascope_hooked__ = True  # type: ignore[attr-defined]
    return wrapper
