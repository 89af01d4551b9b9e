"""A Python signature and docstring for an MCP tool, built from its JSON schema.

``Toolkit.register_tool_function(func)`` derives a tool's schema from the signature; giving
an ``MCPToolFunction`` one whose parameters carry their JSON schema verbatim (pydantic's
``WithJsonSchema``) makes plain registration offer the model the server's own schema.
"""

from __future__ import annotations

import copy
import inspect
from typing import Annotated, Any

_MISSING = object()


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with local ``#/$defs/...`` references replaced by their targets.

    Example:
        >>> s = {"$defs": {"P": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/P"}}}
        >>> inline_refs(s)
        {'properties': {'a': {'type': 'integer'}}}
    """
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}

    def resolve(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [resolve(n, depth) for n in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and depth < 32:
            key = ref.rsplit("/", 1)[-1]
            if ref.startswith(("#/$defs/", "#/definitions/")) and key in defs:
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolve(copy.deepcopy(defs[key]), depth + 1), **rest}
        return {k: resolve(v, depth) for k, v in node.items() if k not in ("$defs", "definitions")}

    return resolve(schema, 0)  # type: ignore[no-any-return]


def build_signature(input_schema: dict[str, Any]) -> inspect.Signature:
    """Keyword-only parameters, one per schema property, annotated with their JSON schema.

    Example:
        >>> sig = build_signature({"type": "object", "properties": {"x": {"type": "string"}},
        ...     "required": ["x"]})
        >>> list(sig.parameters), sig.parameters["x"].default is inspect.Parameter.empty
        (['x'], True)
    """
    from pydantic import WithJsonSchema

    schema = inline_refs(input_schema)
    required = set(schema.get("required") or [])
    params = []
    for name, prop in (schema.get("properties") or {}).items():
        if not name.isidentifier():
            continue  # cannot be a Python parameter; register with json_schema= instead
        prop = dict(prop) if isinstance(prop, dict) else {}
        default: Any = inspect.Parameter.empty
        if name not in required:
            default = prop.get("default")
        annotation = Annotated[Any, WithJsonSchema(prop)]
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return inspect.Signature(params)
