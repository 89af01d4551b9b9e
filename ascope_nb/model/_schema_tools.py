"""Tool calls through a JSON-schema-constrained reply ("schema" tool mode).

Small local models (Qwen2.5-Coder 0.5B/1.5B on llama.cpp) do not emit native
``tool_calls``. Instead each step is constrained with ``response_format`` to one JSON
object ``{"name": <tool>, <its arguments>...}`` (or ``{"name": "finish", "answer": ...}``),
and the JSON is mapped back to our blocks. A tool whose parameters cannot sit beside
``name`` (a parameter called ``name``, ``arguments`` or ``thought``, or a schema that is
not a plain object) keeps them nested: ``{"name": <tool>, "arguments": {...}}``. The prompt is kept lean (every token costs on a
CPU): each tool's first description paragraph, and its arguments without the optional
ones that have a default. These are the pure functions; ``SchemaToolModel`` wraps a model
with them.

Example:
    >>> tools = [{"type": "function", "function": {"name": "add", "parameters": {
    ...     "type": "object", "properties": {"a": {"type": "integer"}}}}}]
    >>> schema = step_schema(tools)
    >>> [c["properties"]["name"]["const"] for c in schema["anyOf"]]
    ['add', 'finish']
    >>> [b["type"] for b in step_blocks('{"name": "add", "a": 1}')]
    ['tool_use']
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._ids import new_id
from ..message._text import parts_text as _text
from ._partial_json import parse_partial_object
from ._response import ResponseBlock

FINISH = "finish"
"""The name of the choice that ends the loop with an answer."""

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*|\s*```\s*$")


def tool_names(tools: list[dict[str, Any]] | None) -> list[str]:
    """The function names of OpenAI tool schemas, in order."""
    return [str(t.get("function", {}).get("name", "")) for t in tools or []]


def finish_name(tools: list[dict[str, Any]] | None) -> str:
    """``"finish"``, or a variant when a tool already has that name."""
    name, names = FINISH, set(tool_names(tools))
    while name in names:
        name = f"_{name}"
    return name


def _rename_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out = {k: _rename_refs(v, prefix) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = f"#/$defs/{prefix}{ref[len('#/$defs/') :]}"
        return out
    if isinstance(node, list):
        return [_rename_refs(v, prefix) for v in node]
    return node


def _arguments_schema(
    parameters: dict[str, Any] | None, prefix: str, defs: dict[str, Any]
) -> dict[str, Any]:
    """A tool's parameters with local ``$defs`` hoisted to the root under ``prefix``."""
    params = copy.deepcopy(parameters) if parameters else {}
    params.setdefault("type", "object")
    params.setdefault("properties", {})
    local_defs = params.pop("$defs", None) or params.pop("definitions", None) or {}
    params = _rename_refs(params, prefix)
    for key, value in local_defs.items():
        defs[f"{prefix}{key}"] = _rename_refs(value, prefix)
    if params.get("type") == "object":
        params.setdefault("additionalProperties", False)
    return params


def _choice(name: str, tail: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"name": {"const": name}, tail[0]: tail[1]},
        "required": ["name", tail[0]],
        "additionalProperties": False,
    }


_RESERVED = frozenset({"name", "arguments", "thought"})
_PLAIN_KEYS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "description",
        "title",
        "$defs",
        "definitions",
    }
)


def is_flat(parameters: dict[str, Any] | None) -> bool:
    """Whether a tool's arguments can sit beside ``name`` in a step (fewer tokens).

    Example:
        >>> is_flat({"type": "object", "properties": {"code": {"type": "string"}}})
        True
        >>> is_flat({"type": "object", "properties": {"name": {"type": "string"}}})
        False
    """
    params = parameters or {}
    props = params.get("properties", {})
    return (
        params.get("type", "object") == "object"
        and set(params) <= _PLAIN_KEYS
        and isinstance(props, dict)
        and not _RESERVED & set(props)
    )


def _flat_choice(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"name": {"const": name}, **args.get("properties", {})},
        "required": ["name", *args.get("required", [])],
        "additionalProperties": False,
    }


def step_schema(
    tools: list[dict[str, Any]], *, allow_finish: bool = True, only: str | None = None
) -> dict[str, Any]:
    """The JSON schema of one step: ``anyOf`` one choice per tool, plus ``finish``.

    Args:
        tools: OpenAI tool schemas (``{"type": "function", "function": {...}}``).
        allow_finish: Offer the ``finish`` choice (off for ``tool_choice="required"``).
        only: Offer only this tool (``tool_choice=<name>``).

    Example:
        >>> step_schema([], allow_finish=True)["anyOf"][0]["required"]
        ['name', 'answer']
    """
    defs: dict[str, Any] = {}
    choices = []
    for i, tool in enumerate(tools):
        fn = tool.get("function", {})
        name = str(fn.get("name", ""))
        if only is not None and name != only:
            continue
        args = _arguments_schema(fn.get("parameters"), f"t{i}_", defs)
        if is_flat(fn.get("parameters")):
            choices.append(_flat_choice(name, args))
        else:
            choices.append(_choice(name, ("arguments", args)))
    if allow_finish and only is None:
        choices.append(_choice(finish_name(tools), ("answer", {"type": "string"})))
    schema: dict[str, Any] = {"anyOf": choices}
    if defs:
        schema["$defs"] = defs
    return schema


def response_format(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response_format`` request field for ``schema`` (OpenAI json_schema style)."""
    return {"type": "json_schema", "json_schema": {"name": "step", "schema": schema}}


# ------------------------------------------------------------------ the prompt side
def tools_instruction(tools: list[dict[str, Any]], *, allow_finish: bool = True) -> str:
    """The system-prompt text that tells the model the tools and the reply format."""
    done = finish_name(tools)
    lines = [
        "You can call tools. Reply with exactly one JSON object per step:",
        '{"name": "<tool name>", <the tool\'s arguments>}',
    ]
    if allow_finish:
        lines += [
            "When you know the final answer, reply:",
            f'{{"name": "{done}", "answer": "<final answer>"}}',
            "Call a tool only when you need its result; never repeat the same call.",
        ]
    lines.append("Tools:")
    for tool in tools:
        fn = tool.get("function", {})
        params = json.dumps(lean_parameters(fn.get("parameters")), ensure_ascii=False)
        lines.append(f"- {fn.get('name')}: {short_description(fn.get('description'))}")
        lines.append(f"  arguments schema: {params}")
        if not is_flat(fn.get("parameters")):
            lines.append('  (put its arguments in "arguments": {...})')
    return "\n".join(lines)


def short_description(description: Any) -> str:
    r"""The first paragraph of a tool description, on one line.

    Example:
        >>> short_description("Run code.\n\nLong details follow.")
        'Run code.'
    """
    text = str(description or "").strip()
    return " ".join(text.split("\n\n", 1)[0].split())


def lean_parameters(parameters: dict[str, Any] | None) -> dict[str, Any]:
    """A parameters schema without the optional properties that have a default.

    The model then leaves them out and the tool uses its default (the grammar still
    allows them). Example:
        >>> lean_parameters({"type": "object", "required": ["code"], "properties": {
        ...     "code": {"type": "string"}, "timeout": {"type": "number", "default": 300}}})
        {'type': 'object', 'required': ['code'], 'properties': {'code': {'type': 'string'}}}
    """
    params = dict(parameters or {})
    props = params.get("properties")
    if isinstance(props, dict):
        required = set(params.get("required") or [])
        params["properties"] = {
            k: v
            for k, v in props.items()
            if k in required or not (isinstance(v, dict) and "default" in v)
        }
    return params


def _call_json(call: dict[str, Any], said: Mapping[str, str], flat: set[str]) -> str:
    known = said.get(f"call:{call.get('id')}")
    if known is not None:
        return known
    fn = call.get("function", {})
    raw = fn.get("arguments") or "{}"
    try:
        args = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        args = raw
    if fn.get("name") in flat and isinstance(args, dict) and not _RESERVED & set(args):
        return json.dumps({"name": fn.get("name"), **args}, ensure_ascii=False)
    return json.dumps({"name": fn.get("name"), "arguments": args}, ensure_ascii=False)


def schema_messages(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    *,
    allow_finish: bool = True,
    said: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Rewrite OpenAI messages for a model without native tool calling.

    The tool list and reply format join the system prompt; assistant ``tool_calls``
    become the JSON the model would have written; ``tool`` results become user messages.
    ``said`` maps ``"call:<id>"`` and ``"text:<answer>"`` to the model's exact reply text:
    those turns are sent back byte for byte, so the server reuses its prompt cache.

    Example:
        >>> msgs = [{"role": "user", "content": "hi"}]
        >>> [m["role"] for m in schema_messages(msgs, [])]
        ['system', 'user']
    """
    instruction = tools_instruction(tools, allow_finish=allow_finish)
    said = said or {}
    flat = {
        str(t.get("function", {}).get("name"))
        for t in tools
        if is_flat(t.get("function", {}).get("parameters"))
    }
    out: list[dict[str, Any]] = []
    for msg in messages:
        role = msg.get("role")
        if role == "assistant" and msg.get("tool_calls"):
            steps = [_call_json(c, said, flat) for c in msg["tool_calls"]]
            out.append({"role": "assistant", "content": "\n".join(steps)})
        elif role == "assistant" and f"text:{_text(msg.get('content'))}" in said:
            out.append({"role": "assistant", "content": said[f"text:{_text(msg.get('content'))}"]})
        elif role == "tool":
            name = msg.get("name") or "the tool"
            result = f"Result of {name}:\n{_text(msg.get('content'))}"
            if out and out[-1].get("role") == "user" and out[-1].get("_tool_results"):
                out[-1]["content"] += "\n\n" + result
            else:
                out.append({"role": "user", "content": result, "_tool_results": True})
        else:
            out.append({k: v for k, v in msg.items() if k != "tool_calls"})
    for msg in out:
        msg.pop("_tool_results", None)
    if out and out[0].get("role") == "system":
        out[0] = {**out[0], "content": f"{_text(out[0].get('content'))}\n\n{instruction}"}
    else:
        out.insert(0, {"role": "system", "content": instruction})
    return out


# ------------------------------------------------------------------ the reply side
def _strip_fence(text: str) -> str:
    text = _FENCE.sub("", text.strip())
    start = text.find("{")
    return text[start:] if start > 0 else text


def parse_step(text: str) -> dict[str, Any]:
    """The step object in a (possibly cut-off or fenced) reply; ``{}`` when none.

    Example:
        >>> parse_step('{"thought": "Let me ad')
        {'thought': 'Let me ad'}
    """
    body = _strip_fence(text)
    try:
        value = json.loads(body)
        if isinstance(value, dict):
            return value
    except (json.JSONDecodeError, ValueError):
        pass
    end = body.rfind("}")
    if end > 0:
        try:
            value = json.loads(body[: end + 1])
            if isinstance(value, dict):
                return value
        except (json.JSONDecodeError, ValueError):
            pass
    return parse_partial_object(body)


def _thought_block(thought: Any) -> list[ResponseBlock]:
    if isinstance(thought, str) and thought.strip():
        return [{"type": "thinking", "thinking": thought}]
    return []


def step_blocks(
    text: str, *, final: bool = True, finish: str = FINISH, call_id: str | None = None
) -> list[ResponseBlock]:
    """Map a step's JSON text to response blocks.

    A tool choice gives a ``thinking`` block (the thought, if any) and a ``tool_use``
    block (only when ``final``); ``finish`` gives the thought and a ``text`` block with
    the answer. A final reply that is not a step at all becomes a ``text`` block as is.

    Example:
        >>> step_blocks('{"name": "finish", "answer": "391"}')[-1]
        {'type': 'text', 'text': '391'}
    """
    step = parse_step(text)
    blocks = _thought_block(step.get("thought"))
    name = step.get("name")
    if name == finish:
        answer = step.get("answer")
        if isinstance(answer, str) and (answer or final):
            blocks.append({"type": "text", "text": answer})
        return blocks
    if not final:
        return blocks
    if not isinstance(name, str) or not name:
        return [{"type": "text", "text": text.strip()}] if text.strip() else []
    args = step.get("arguments")
    if not isinstance(args, dict) or set(step) - {"name", "arguments", "thought"}:
        args = {k: v for k, v in step.items() if k not in ("name", "thought")}  # flat
    blocks.append(
        {
            "type": "tool_use",
            "id": call_id or f"call_{new_id()}",
            "name": name,
            "input": args,
            "raw_input": json.dumps(args, ensure_ascii=False),
        }  # type: ignore[typeddict-unknown-key]
    )
    return blocks


# ------------------------------------------------------------------ loop guard
@dataclass
class PreviousCall:
    """The latest assistant tool call in the messages and its result text."""

    name: str
    arguments: Any
    result: str | None


def previous_call(messages: list[dict[str, Any]]) -> PreviousCall | None:
    """The last tool call of the last assistant message with ``tool_calls``, if any."""
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if msg.get("role") == "assistant" and msg.get("tool_calls"):
            call = msg["tool_calls"][-1]
            fn = call.get("function", {})
            raw = fn.get("arguments") or "{}"
            try:
                args = json.loads(raw) if isinstance(raw, str) else raw
            except json.JSONDecodeError:
                args = raw
            result = None
            for later in messages[i + 1 :]:
                if later.get("role") == "tool" and later.get("tool_call_id") == call.get("id"):
                    result = _text(later.get("content"))
            return PreviousCall(str(fn.get("name")), args, result)
        if msg.get("role") == "user" and not _is_tool_result(msg):
            return None  # a new question since the last call
    return None


def _is_tool_result(msg: dict[str, Any]) -> bool:
    return msg.get("role") == "tool"


def repeat_note(blocks: list[ResponseBlock], previous: PreviousCall | None) -> str | None:
    """A finishing note when ``blocks`` repeat ``previous`` exactly; else None.

    Example:
        >>> call = {"type": "tool_use", "id": "1", "name": "f", "input": {"x": 1}}
        >>> repeat_note([call], PreviousCall("f", {"x": 1}, "42")).endswith("42")
        True
    """
    if previous is None:
        return None
    for block in blocks:
        if block.get("type") != "tool_use":
            continue
        if block.get("name") == previous.name and block.get("input") == previous.arguments:
            note = (
                f"(Stopped: the model repeated the call {previous.name} with the same arguments.)"
            )
            if previous.result is not None:
                note += f" Its last result:\n{previous.result.strip()}"
            return note
    return None
