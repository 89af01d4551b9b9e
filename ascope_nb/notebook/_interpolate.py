"""``{var}`` interpolation of magic cell bodies from the notebook namespace.

Only ``{name}`` and ``{name.attr}`` are replaced; other braces (JSON, code, set literals)
are left alone, and ``{{`` / ``}}`` give literal braces. An unknown name is one clear error.

Example:
    >>> interpolate("Hello {who}! {{literal}} {'a': 1}", {"who": "Ada"})
    "Hello Ada! {literal} {'a': 1}"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..exceptions import ConfigError

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)\}")


class UnknownVariableError(ConfigError):
    """A ``{name}`` in a cell body names nothing in the notebook."""


def interpolate(text: str, namespace: Mapping[str, Any], *, where: str = "the cell") -> str:
    """Replace ``{name}`` / ``{name.attr}`` in ``text`` with ``str()`` of the value."""

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        name, attrs = match.group(1), match.group(2)
        if name not in namespace:
            raise UnknownVariableError(
                f"{where}: {{{name}}} is not defined in the notebook "
                "(define it, or write {{ }} for literal braces)"
            )
        value = namespace[name]
        for attr in attrs.split(".")[1:]:
            try:
                value = getattr(value, attr)
            except AttributeError:
                raise UnknownVariableError(
                    f"{where}: {{{name}{attrs}}}: {type(value).__name__} has no attribute {attr!r}"
                ) from None
        return str(value)

    return _FIELD.sub(replace, text)
