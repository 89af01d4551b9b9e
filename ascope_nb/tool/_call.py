"""Running one tool call: argument checks, sync/async/generator dispatch, error results."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
from collections.abc import AsyncGenerator, AsyncIterator, Generator
from typing import Any

from ..message import TextBlock, ToolUseBlock
from ._response import ToolResponse
from ._sync_tools import SyncToolsMode, call_sync_tool
from ._threads import in_thread
from ._types import RegisteredToolFunction
from ._validate import validate_content

_BLOCK_TYPES = {"text", "image", "audio", "video"}
_DONE = object()


def error_response(text: str) -> ToolResponse:
    """A final ToolResponse that reports a failure to the model (it can read and recover).

    Example:
        >>> error_response("Error: boom").metadata
        {'success': False, 'error': 'Error: boom'}
    """
    return ToolResponse(
        content=[TextBlock(type="text", text=text)],
        metadata={"success": False, "error": text},
    )


def exception_text(exc: BaseException) -> str:
    """What the model reads when a tool raised: AgentScope 1.x's ``Error: {exc}``.

    An exception without a message gives its type's name instead of nothing.

    Example:
        >>> exception_text(ZeroDivisionError("division by zero"))
        'Error: division by zero'
        >>> exception_text(KeyboardInterrupt())
        'Error: KeyboardInterrupt'
    """
    message = str(exc)
    return f"Error: {message}" if message.strip() else f"Error: {type(exc).__name__}"


def to_response(value: Any) -> ToolResponse:
    """Wrap what a tool returned: a ToolResponse as is, blocks as content, anything else as text.

    Example:
        >>> to_response({"a": 1}).content
        [{'type': 'text', 'text': '{"a": 1}'}]
    """
    if isinstance(value, ToolResponse):
        return value
    if isinstance(value, dict) and value.get("type") in _BLOCK_TYPES:
        return ToolResponse(content=[value])  # type: ignore[list-item]  # checked block dict
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, dict) and v.get("type") in _BLOCK_TYPES for v in value)
    ):
        return ToolResponse(content=value)
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list | int | float | bool) or value is None:
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return ToolResponse(content=[TextBlock(type="text", text=text)])


def prepare_arguments(
    record: RegisteredToolFunction, tool_call: ToolUseBlock
) -> tuple[list[Any], dict[str, Any]] | str:
    """Check the model's arguments against the schema; return ``(args, kwargs)`` or error text."""
    name = record.name
    raw = tool_call.get("raw_input")
    if isinstance(raw, str) and raw.strip():
        try:
            json.loads(raw)
        except json.JSONDecodeError as exc:
            return f"InvalidArgumentsError: arguments for {name!r} are not valid JSON ({exc})."
    given = tool_call.get("input") or {}
    if not isinstance(given, dict):
        return (
            f"InvalidArgumentsError: arguments for {name!r} must be a JSON object, "
            f"got {type(given).__name__}."
        )
    params = record.extended_json_schema["function"].get("parameters") or {}
    properties = params.get("properties") or {}
    problems = [
        f"missing required argument {r!r}" for r in params.get("required", []) if r not in given
    ]
    if not record.accepts_extra:
        problems += [f"unexpected argument {k!r}" for k in given if k not in properties]
    if problems:
        expected = ", ".join(repr(p) for p in properties) or "none"
        return (
            f"InvalidArgumentsError: invalid arguments for {name!r}: {'; '.join(problems)}. "
            f"Expected arguments: {expected}."
        )

    kwargs = dict(given)
    if record.params_model is not None:
        from pydantic import ValidationError

        known = {k: v for k, v in given.items() if k in record.params_model.model_fields}
        try:
            validated = record.params_model.model_validate(known)
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])!r}: {err['msg']}" for err in exc.errors()
            )
            return f"InvalidArgumentsError: invalid arguments for {name!r}: {details}."
        kwargs.update({k: getattr(validated, k) for k in known})

    kwargs.update(record.preset_kwargs)  # preset values win: they are hidden from the model
    args: list[Any] = []
    if record.var_keyword and isinstance(kwargs.get(record.var_keyword), dict):
        kwargs.update(kwargs.pop(record.var_keyword))
    if record.var_positional and record.var_positional in kwargs:
        extra = list(kwargs.pop(record.var_positional) or [])
        for pname, param in inspect.signature(record.original_func).parameters.items():
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                break
            if pname in kwargs:
                args.append(kwargs.pop(pname))
        args += extra
    return args, kwargs


def checked(chunk: ToolResponse) -> ToolResponse:
    """``chunk`` as the tool made it, unless its content needs fixing (bad media, unknown
    blocks, past the size cap): then a copy with the fixed blocks and a ``warnings`` note."""
    content, notes = validate_content(chunk.content)
    if not notes:
        return chunk
    metadata = {**(chunk.metadata or {}), "warnings": notes}
    return dataclasses.replace(chunk, content=content, metadata=metadata)  # type: ignore[arg-type]


INTERRUPTED_INFO = "<system-info>The tool call has been interrupted by the user.</system-info>"


def interrupted_response(previous: ToolResponse | None) -> ToolResponse:
    """The final chunk of a cancelled tool call: what it streamed so far plus a note.

    Example:
        >>> interrupted_response(None).is_interrupted
        True
    """
    content = [
        *(previous.content if previous else []),
        TextBlock(type="text", text=INTERRUPTED_INFO),
    ]
    chunk = ToolResponse(content=content, stream=True, is_last=True, is_interrupted=True)
    return dataclasses.replace(chunk, id=previous.id) if previous else chunk


def _being_cancelled() -> bool:
    cancelling = getattr(asyncio.current_task(), "cancelling", None)  # Python 3.11+
    return cancelling is None or cancelling() > 0  # 3.10 cannot tell: assume a real cancel


async def _postprocess(
    record: RegisteredToolFunction, tool_call: ToolUseBlock, chunk: ToolResponse
) -> ToolResponse:
    if record.postprocess_func is None:
        return chunk
    result = record.postprocess_func(tool_call, chunk)
    if inspect.isawaitable(result):
        result = await result
    return result if isinstance(result, ToolResponse) else chunk


async def _iterate(result: Any) -> AsyncIterator[Any]:
    """Items of an async generator, or of a sync generator advanced in a worker thread."""
    if inspect.isasyncgen(result):
        async for item in result:
            yield item
        return
    while (item := await in_thread(next, result, _DONE)) is not _DONE:
        yield item


def _is_async(func: Any) -> bool:
    if inspect.iscoroutinefunction(func):
        return True
    return not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__)


_called_directly: dict[int, tuple[Any, bool]] = {}


def _call_directly(func: Any) -> bool:
    """Whether calling ``func`` runs no tool code yet (a coroutine or generator function);
    answered once per function (the ``inspect`` checks cost more than a quick tool)."""
    known = _called_directly.get(id(func))
    if known is not None and known[0] is func:
        return known[1]
    direct = (
        _is_async(func) or inspect.isasyncgenfunction(func) or inspect.isgeneratorfunction(func)
    )
    if len(_called_directly) >= 4096:  # tools come and go (MCP reconnects): stay bounded
        _called_directly.clear()
    _called_directly[id(func)] = (func, direct)
    return direct


async def run_tool(
    record: RegisteredToolFunction,
    tool_call: ToolUseBlock,
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    sync_tools: SyncToolsMode | None = None,
) -> AsyncGenerator[ToolResponse, None]:
    """Run the tool and yield its ToolResponse chunks as the tool made them (AgentScope 1.x).

    Sync generators always run in worker threads, and so do sync functions until they have
    shown themselves quick (``_sync_tools.call_sync_tool``: then they run on the loop, as
    in AgentScope; ``sync_tools="thread"`` keeps them in threads): an unproven tool never
    holds the event loop (and the notebook's Stop button) for more than ``QUICK_WAIT``
    (1 ms); a quick call's result is taken without a loop round trip (``_threads``). Each
    chunk passes ``checked`` (bad media, unknown blocks, size cap).

    As in AgentScope 1.x, an exception of a function or coroutine becomes a final error
    response (``Error: {exc}``, ``metadata["success"] is False``), while one raised by a
    streaming tool (a generator) while it streams propagates to whoever iterates the chunks
    (the ``ReActAgent`` catches it and gives the model what was streamed plus the error
    text). ``asyncio.CancelledError`` in the tool becomes a final interrupted
    chunk (``is_interrupted=True``); when the caller's task itself is being cancelled, the
    error is raised again after that chunk. A sync tool already running in a thread cannot
    be killed: its thread runs to the end, its result is dropped.
    """
    func = record.original_func
    previous: ToolResponse | None = None
    streaming = False
    try:
        if _call_directly(func):
            result = func(*args, **kwargs)  # a coroutine or generator: no tool code has run yet
        else:
            result = await call_sync_tool(func, args, kwargs, mode=sync_tools)
        if type(result) is ToolResponse and record.postprocess_func is None:  # the common case
            yield checked(result)
            return
        if inspect.isawaitable(result):
            result = await result
        if not (inspect.isasyncgen(result) or isinstance(result, Generator)):
            yield checked(await _postprocess(record, tool_call, to_response(result)))
            return
        streaming = True
        async for item in _iterate(result):
            previous = checked(await _postprocess(record, tool_call, to_response(item)))
            yield previous
    except asyncio.CancelledError:
        yield await _postprocess(record, tool_call, interrupted_response(previous))
        if _being_cancelled():
            raise
    except Exception as exc:  # the tool failed: tell the model, keep what it streamed so far
        if streaming:
            raise
        text = exception_text(exc)
        content = [*(previous.content if previous else []), TextBlock(type="text", text=text)]
        failed = ToolResponse(content=content, metadata={"success": False, "error": text})
        yield dataclasses.replace(
            failed, id=previous.id if previous else failed.id, stream=previous is not None
        )
