"""Pieces shared by the native-SDK models (DashScope, Ollama): tool calls, structured output."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from ..exceptions import ModelCallError
from ..message import ToolUseBlock
from ._partial_json import parse_arguments, parse_partial_object
from ._response import ChatResponse, ResponseBlock

STRUCTURED_TOOL = "generate_structured_output"


def structured_tool(structured_model: type[Any]) -> dict[str, Any]:
    """The tool a model is made to call for structured output (AgentScope 1.x's schema).

    Example:
        >>> from pydantic import BaseModel
        >>> class P(BaseModel):
        ...     name: str
        >>> structured_tool(P)["function"]["parameters"]["properties"]
        {'name': {'type': 'string'}}
    """
    from ..tool._schema import strip_titles

    schema = structured_model.model_json_schema()
    strip_titles(schema)
    return {
        "type": "function",
        "function": {
            "name": STRUCTURED_TOOL,
            "description": "Generate the required structured output with this function",
            "parameters": schema,
        },
    }


def validated(
    result: ChatResponse,
    structured_model: type[Any] | None,
    error: Callable[[str], ModelCallError],
) -> ChatResponse:
    """Put the validated structured-output arguments in ``result.metadata``.

    Raises:
        ModelCallError: The model did not call the tool, or its arguments do not validate.
    """
    if structured_model is None:
        return result
    from pydantic import ValidationError

    name = structured_model.__name__
    for block in result.content:
        if block["type"] == "tool_use" and block["name"] == STRUCTURED_TOOL:
            try:
                value = structured_model.model_validate(block.get("input") or {})
            except ValidationError as exc:
                detail = " ".join(str(exc).split())[:200]
                raise error(f"reply does not match {name}: {detail}") from exc
            result.metadata = value.model_dump(mode="json")
            return result
    raise error(f"reply does not match {name}: the model did not call {STRUCTURED_TOOL}")


class ToolCallAccumulator:
    """Collects tool calls (whole or in streamed pieces) and builds ``tool_use`` blocks.

    Example:
        >>> acc = ToolCallAccumulator()
        >>> acc.add(0, "c1", "add", '{"a": ')
        >>> acc.add(0, None, None, "1}")
        >>> acc.blocks(final=True, streaming=False)[0]["input"]
        {'a': 1}
    """

    def __init__(self) -> None:
        self._calls: dict[Any, dict[str, str]] = {}

    def add(self, index: Any, call_id: Any, name: Any, arguments: Any) -> None:
        """Add a call or a piece of one; ``arguments`` may be a string piece or a dict."""
        call = self._calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        if isinstance(call_id, str) and call_id and not call["id"]:
            call["id"] = call_id
        if isinstance(name, str):
            call["name"] += name
        if isinstance(arguments, dict):
            call["arguments"] = json.dumps(arguments, ensure_ascii=False)
        elif isinstance(arguments, str):
            call["arguments"] += arguments

    def blocks(self, *, final: bool, streaming: bool) -> list[ToolUseBlock]:
        """The calls as blocks.

        While streaming (``final=False``) the arguments are parsed leniently (``{}`` when
        ``streaming`` is false: no partial parsing). A final block of a stream keeps
        ``raw_input``; a block of a reply that was not streamed has it only when the
        arguments are not valid JSON, so the toolkit can tell the model.
        """
        out: list[ToolUseBlock] = []
        for call in self._calls.values():
            raw = call["arguments"]
            block = ToolUseBlock(type="tool_use", id=call["id"], name=call["name"], input={})
            if not final:
                block["input"] = parse_partial_object(raw) if streaming else {}
                block["raw_input"] = raw
            else:
                parsed = parse_arguments(raw)
                block["input"] = parsed if parsed is not None else {}
                if streaming or parsed is None:
                    block["raw_input"] = raw
            out.append(block)
        return out

    def first_input(self) -> dict[str, Any] | None:
        """The leniently parsed arguments of the first call (streamed structured output)."""
        for call in self._calls.values():
            return parse_partial_object(call["arguments"])
        return None


def reply_blocks(thinking: str, text: str) -> list[ResponseBlock]:
    """The thinking and text blocks of a reply, in that order, each only when not empty.

    Example:
        >>> reply_blocks("", "Hi")
        [{'type': 'text', 'text': 'Hi'}]
    """
    blocks: list[ResponseBlock] = []
    if thinking:
        blocks.append({"type": "thinking", "thinking": thinking})
    if text:
        blocks.append({"type": "text", "text": text})
    return blocks


async def backoff(attempt: int, base_delay: float, label: str, log: logging.Logger) -> None:
    """Wait before retrying failed ``attempt`` (1, 2, ...): ``base_delay`` doubled per retry.

    Example:
        >>> asyncio.run(backoff(1, 0.0, "MyModel 'm'", logging.getLogger("demo")))
    """
    delay = base_delay * 2 ** (attempt - 1)
    log.info("%s: attempt %d failed, retrying in %.2fs", label, attempt, delay)
    await asyncio.sleep(delay)


async def prepend(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """``first`` (unless None: an empty stream), then the items of ``rest``."""
    if first is not None:
        yield first
    async for item in rest:
        yield item
