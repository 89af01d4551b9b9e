"""``StateModule``: nested ``state_dict`` / ``load_state_dict`` like AgentScope 1.x."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class StateModule:
    """Base class for objects with a JSON-serialisable state.

    Attributes that are themselves ``StateModule`` s (an agent's memory, toolkit) are saved
    and restored recursively; other attributes are saved when registered with
    ``register_state``.

    Example:
        >>> class Counter(StateModule):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.n = 0
        ...         self.register_state("n")
        >>> c = Counter(); c.n = 3
        >>> d = Counter(); d.load_state_dict(c.state_dict()); d.n
        3
    """

    def __init__(self) -> None:
        self._registered_states: dict[
            str, tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]
        ] = {}

    def _state_registry(self) -> dict[str, tuple[Any, Any]]:
        if "_registered_states" not in self.__dict__:
            self._registered_states = {}
        return self._registered_states

    def _child_modules(self) -> dict[str, StateModule]:
        return {
            key: value
            for key, value in self.__dict__.items()
            if isinstance(value, StateModule) and not key.startswith("__")
        }

    def register_state(
        self,
        attr_name: str,
        custom_to_json: Callable[[Any], Any] | None = None,
        custom_from_json: Callable[[Any], Any] | None = None,
    ) -> None:
        """Include attribute ``attr_name`` in ``state_dict()``."""
        if not hasattr(self, attr_name):
            raise AttributeError(
                f"{type(self).__name__} has no attribute {attr_name!r} to register"
            )
        self._state_registry()[attr_name] = (custom_to_json, custom_from_json)

    def state_dict(self) -> dict[str, Any]:
        """The state as a JSON-serialisable dict."""
        state: dict[str, Any] = {
            name: child.state_dict() for name, child in self._child_modules().items()
        }
        for name, (to_json, _) in self._state_registry().items():
            value = getattr(self, name)
            state[name] = to_json(value) if to_json else value
        return state

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> None:
        """Restore a state saved by ``state_dict()``; ``strict`` requires every key."""
        for name, child in self._child_modules().items():
            if name in state_dict:
                child.load_state_dict(state_dict[name], strict=strict)
            elif strict:
                raise KeyError(f"state of {type(self).__name__} misses key {name!r}")
        for name, (_, from_json) in self._state_registry().items():
            if name in state_dict:
                value = state_dict[name]
                setattr(self, name, from_json(value) if from_json else value)
            elif strict:
                raise KeyError(f"state of {type(self).__name__} misses key {name!r}")
