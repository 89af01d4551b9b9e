"""JSON schemas for tool functions, from the signature and the Google-style docstring."""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from types import GenericAlias
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")


@dataclass
class ParsedTool:
    """What registration learns from a function."""

    json_schema: dict[str, Any]
    params_model: type[BaseModel]
    accepts_extra: bool
    var_positional: str | None
    var_keyword: str | None


def strip_titles(schema: Any) -> None:
    """Remove pydantic's ``title`` keys in place (a property *named* title is kept).

    Example:
        >>> s = {"title": "M", "properties": {"title": {"title": "Title", "type": "string"}}}
        >>> strip_titles(s)
        >>> s
        {'properties': {'title': {'type': 'string'}}}
    """
    if isinstance(schema, list):
        for item in schema:
            strip_titles(item)
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("title"), str):
        schema.pop("title")
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():
                strip_titles(sub)
        elif isinstance(value, dict | list):
            strip_titles(value)


def _description(func: Any, include_long_description: bool) -> tuple[str, dict[str, str]]:
    from docstring_parser import parse

    doc = inspect.getdoc(func)
    if doc is None and not inspect.isroutine(func) and callable(func):
        doc = inspect.getdoc(type(func).__call__)  # a callable object without a class docstring
    parsed = parse(doc or "")
    parts = [parsed.short_description] if parsed.short_description else []
    if include_long_description and parsed.long_description:
        parts.append(parsed.long_description)
    params = {p.arg_name.lstrip("*"): (p.description or "") for p in parsed.params}
    return "\n".join(parts), params


def parse_tool_function(
    func: Any,
    *,
    name: str,
    exclude: frozenset[str] = frozenset(),
    include_long_description: bool = True,
    include_var_positional: bool = False,
    include_var_keyword: bool = False,
) -> ParsedTool:
    """Build the OpenAI function schema and an argument-validating pydantic model.

    Args:
        func: The tool function (function, method, partial target or callable object).
        name: The tool name written into the schema.
        exclude: Parameter names hidden from the model (preset keyword arguments).
        include_long_description: Add the docstring's long description to the summary.
        include_var_positional: Expose ``*args`` as an array parameter.
        include_var_keyword: Expose ``**kwargs`` as an object parameter.

    Example:
        >>> def add(a: int, b: int = 1) -> int:
        ...     '''Add two numbers.
        ...
        ...     Args:
        ...         a: The first number.
        ...         b: The second number.
        ...     '''
        ...     return a + b
        >>> parse_tool_function(add, name="add").json_schema["function"]["parameters"]["required"]
        ['a']
    """
    description, param_docs = _description(func, include_long_description)
    signature = inspect.signature(func)
    hint_target = func if inspect.isroutine(func) else type(func).__call__
    try:
        hints = get_type_hints(hint_target)
    except Exception:  # unresolved forward references: fall back to raw annotations
        hints = {}

    fields: dict[str, Any] = {}
    var_positional = var_keyword = None
    accepts_extra = False
    for pname, param in signature.parameters.items():
        if pname in ("self", "cls") or pname in exclude:
            continue
        annotation = hints.get(pname, param.annotation)
        if annotation is inspect.Parameter.empty:
            annotation = Any
        doc = param_docs.get(pname) or None
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            accepts_extra = True
            if include_var_keyword:
                var_keyword = pname
                fields[pname] = (
                    GenericAlias(dict, (str, annotation)),
                    Field(default={}, description=doc),
                )
        elif param.kind is inspect.Parameter.VAR_POSITIONAL:
            if include_var_positional:
                var_positional = pname
                fields[pname] = (
                    GenericAlias(list, (annotation,)),
                    Field(default=[], description=doc),
                )
        else:
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[pname] = (annotation, Field(default=default, description=doc))

    model = create_model(  # type: ignore[call-overload]  # dynamic field definitions
        f"{name}_arguments",
        __config__=ConfigDict(arbitrary_types_allowed=True),
        **fields,
    )
    parameters = model.model_json_schema()
    strip_titles(parameters)
    parameters.setdefault("properties", {})
    function: dict[str, Any] = {"name": name, "parameters": parameters}
    if description:
        function["description"] = description
    return ParsedTool(
        json_schema={"type": "function", "function": function},
        params_model=model,
        accepts_extra=accepts_extra,
        var_positional=var_positional,
        var_keyword=var_keyword,
    )


def remove_parameters(json_schema: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """A copy of ``json_schema`` without the parameters ``names`` (preset keyword arguments)."""
    schema = copy.deepcopy(json_schema)
    params = schema["function"].setdefault("parameters", {"type": "object", "properties": {}})
    for pname in names:
        params.get("properties", {}).pop(pname, None)
    if "required" in params:
        params["required"] = [r for r in params["required"] if r not in names]
        if not params["required"]:
            params.pop("required")
    return schema


def merge_extended_model(json_schema: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """A copy of ``json_schema`` with the fields of ``model`` added to its parameters."""
    schema = copy.deepcopy(json_schema)
    extra = model.model_json_schema()
    strip_titles(extra)
    params = schema["function"].setdefault("parameters", {"type": "object", "properties": {}})
    params.setdefault("properties", {}).update(extra.get("properties", {}))
    required = list(params.get("required", [])) + [
        r for r in extra.get("required", []) if r not in params.get("required", [])
    ]
    if required:
        params["required"] = required
    if "$defs" in extra:
        params.setdefault("$defs", {}).update(extra["$defs"])
    return schema
