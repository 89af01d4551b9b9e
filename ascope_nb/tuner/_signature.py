"""Check a workflow or judge function's parameters before any training starts."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from ..exceptions import ConfigError

_WORKFLOW_REQUIRED = ("task", "model")
_JUDGE_REQUIRED = ("task", "response")
_OPTIONAL = ("auxiliary_models", "logger")


def check_workflow_function(func: Callable[..., Any]) -> None:
    """Raise a one-line ``ConfigError`` unless ``func`` takes ``task`` and ``model``.

    It may also take ``auxiliary_models`` and ``logger``; nothing else, no ``*args``/``**kwargs``.

    Example:
        >>> async def workflow(task, model): ...
        >>> check_workflow_function(workflow)
        >>> async def bad(task): ...
        >>> try:
        ...     check_workflow_function(bad)
        ... except ValueError as err:
        ...     print(err)
        workflow function 'bad' lacks parameter 'model' (it takes task, model[, auxiliary_models, logger])
    """
    _check_parameters(func, kind="workflow", required=_WORKFLOW_REQUIRED)


def check_judge_function(func: Callable[..., Any]) -> None:
    """Raise a one-line ``ConfigError`` unless ``func`` takes ``task`` and ``response``.

    It may also take ``auxiliary_models`` and ``logger``; nothing else, no ``*args``/``**kwargs``.

    Example:
        >>> async def judge(task, response, logger): ...
        >>> check_judge_function(judge)
    """
    _check_parameters(func, kind="judge", required=_JUDGE_REQUIRED)


def _check_parameters(func: Callable[..., Any], *, kind: str, required: Sequence[str]) -> None:
    shape = f"{', '.join(required)}[, {', '.join(_OPTIONAL)}]"
    if not callable(func):
        raise ConfigError(f"{kind} function must be callable, got {type(func).__name__}")
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    where = f"{kind} function {name!r}"
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: its signature cannot be read ({exc})") from None
    for param in parameters.values():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ConfigError(f"{where} has '*{param.name}'; it takes {shape} only")
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            raise ConfigError(f"{where} has '**{param.name}'; it takes {shape} only")
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise ConfigError(
                f"{where}: parameter {param.name!r} is positional-only; the tuner passes arguments by name"
            )
        if param.name not in required and param.name not in _OPTIONAL:
            raise ConfigError(
                f"{where} has parameter {param.name!r} that is not allowed; it takes {shape}"
            )
    for wanted in required:
        if wanted not in parameters:
            raise ConfigError(f"{where} lacks parameter {wanted!r} (it takes {shape})")
