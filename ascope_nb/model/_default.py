"""The default model of this kernel, and ``--model`` values (a variable or a spec string).

Example:
    >>> set_default_model("demo")
    >>> default_model().model_name
    'demo'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from . import ChatModelBase

from ._spec import builtin_default_spec

ENV_VAR = "ASCOPE_MODEL"
"""Environment variable with a default model spec (used when nothing else is set)."""

_default: Any = None  # a spec string or a model object; None: $ASCOPE_MODEL, then "demo"


def set_default_model(model: ChatModelBase | str | None) -> None:
    """Set the model used when an agent is made without one (``None``: back to the default).

    A spec string is checked now (a missing API key is an error here, not at the first call).
    """
    from . import ChatModelBase, model_from_spec

    global _default
    if model is None or model == "":
        _default = None
        return
    if isinstance(model, str):
        model_from_spec(model)  # validate
    elif not isinstance(model, ChatModelBase):
        raise ConfigError(f"a default model must be a spec or a model, got {type(model).__name__}")
    _default = model


def default_model_spec() -> str:
    """What the default model is, in words (a spec string or the model's class and name)."""
    if _default is None:
        return os.environ.get(ENV_VAR) or builtin_default_spec()
    if isinstance(_default, str):
        return _default
    return f"{type(_default).__name__}({_default.model_name!r})"


def default_model() -> ChatModelBase:
    """The default model: one set by ``set_default_model``, else ``$ASCOPE_MODEL``, else the
    embedded local model when installed (``ascope-nb[local]``), else the offline demo model.

    A spec makes a new model object on each call (each agent gets its own client); a model
    object is shared.
    """
    from . import model_from_spec

    if _default is None:
        return model_from_spec(os.environ.get(ENV_VAR) or builtin_default_spec())
    return model_from_spec(_default)


def resolve_model(value: Any, namespace: Mapping[str, Any] | None = None) -> ChatModelBase:
    """A model from ``--model``: ``None`` (the default), a model, a variable name, or a spec."""
    from . import ChatModelBase, model_from_spec

    if value is None:
        return default_model()
    if isinstance(value, ChatModelBase):
        return value
    if isinstance(value, str) and namespace is not None and value.isidentifier():
        if value in namespace:
            found = namespace[value]
            if isinstance(found, ChatModelBase):
                return found
            if isinstance(found, str):
                return model_from_spec(found)
            raise ConfigError(
                f"--model {value}: the variable holds a {type(found).__name__}, not a model"
            )
        if value not in ("demo", "local"):  # specs that are bare words
            raise ConfigError(
                f"--model {value}: no such variable; give a variable holding a model or a "
                "spec like 'openai:gpt-4o-mini'"
            )
    return model_from_spec(value)
