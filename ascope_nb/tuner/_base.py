"""A pydantic base for the tuner's types: a bad field is one ``ConfigError`` line."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from ..exceptions import ConfigError


class OneLineModel(BaseModel):
    """Validates when built; the first bad field becomes one line naming class and field.

    Example:
        >>> from ascope_nb.tuner import AlgorithmConfig
        >>> try:
        ...     AlgorithmConfig(group_size=0)
        ... except ValueError as err:
        ...     print(err)
        AlgorithmConfig.group_size: Input should be greater than or equal to 1 (got 0)
    """

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "?"
            got = f" (got {first['input']!r})" if first["type"] != "missing" else ""
            raise ConfigError(f"{type(self).__name__}.{field}: {first['msg']}{got}") from None
