"""Tracing decorators for user code (AgentScope 1.x names): ``trace``, ``trace_llm``,
``trace_reply``, ``trace_format``, ``trace_toolkit``, ``trace_embedding``.

While tracing is off (``ascope_nb._config.trace_enabled`` is False) a decorated function
is called straight through and OpenTelemetry is not imported. While it is on, each call is
a span: a child of the current OTel span, else of the reply running now, so user spans sit
inside the run's trace. Sync and async functions work, and so do (async) generators and
functions returning them: the span ends with the last chunk. Errors set the span status
and propagate unchanged.

Example:
    >>> @trace(name="double")
    ... def double(x):
    ...     return 2 * x
    >>> double(4)
    8
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _config
from ._redact import redact

if TYPE_CHECKING:
    from opentelemetry.trace import Span

F = TypeVar("F", bound=Callable[..., Any])
Describe = Callable[[tuple[Any, ...], dict[str, Any]], tuple[str, dict[str, Any]]]
Summarise = Callable[[Any], dict[str, Any]]


def _nothing(result: Any) -> dict[str, Any]:
    return {}


def _content_on() -> bool:
    from ._setup import active_tracer

    tracer = active_tracer()
    return bool(tracer is not None and tracer.capture_content)


def _begin(name: str, attributes: dict[str, Any]) -> Span:
    from opentelemetry import trace

    from .._version import __version__
    from ._setup import active_tracer, reply_context

    parent = None
    if not trace.get_current_span().get_span_context().is_valid:
        parent = reply_context()
    active = active_tracer()  # the provider given to instrument(), else the global one
    tracer = (
        active.otel_tracer if active is not None else trace.get_tracer("ascope_nb", __version__)
    )
    return tracer.start_span(name, context=parent, attributes=attributes)


def _fail(span: Span, exc: BaseException) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_status(Status(StatusCode.ERROR, str(redact(f"{type(exc).__name__}: {exc}"))))
    span.set_attribute("error.type", type(exc).__name__)
    span.end()


def _succeed(span: Span, result: Any, summarise: Summarise) -> None:
    try:
        span.set_attributes(summarise(result))
    finally:
        span.end()


async def _traced_async_iter(
    source: AsyncIterator[Any], span: Span, summarise: Summarise
) -> AsyncIterator[Any]:
    last = None
    try:
        async for chunk in source:
            last = chunk
            yield chunk
    except GeneratorExit:  # the consumer stopped early: not an error
        span.end()
        raise
    except BaseException as exc:
        _fail(span, exc)
        raise
    _succeed(span, last, summarise)


def _traced_iter(source: Iterator[Any], span: Span, summarise: Summarise) -> Iterator[Any]:
    last = None
    try:
        for chunk in source:
            last = chunk
            yield chunk
    except GeneratorExit:  # the consumer stopped early: not an error
        span.end()
        raise
    except BaseException as exc:
        _fail(span, exc)
        raise
    _succeed(span, last, summarise)


def _settle(span: Span, result: Any, summarise: Summarise) -> Any:
    """End the span now, or, for a generator result, when it is exhausted."""
    if inspect.isasyncgen(result) or hasattr(result, "__anext__"):
        return _traced_async_iter(result, span, summarise)
    if inspect.isgenerator(result):
        return _traced_iter(result, span, summarise)
    _succeed(span, result, summarise)
    return result


def _traced(func: F, describe: Describe, summarise: Summarise = _nothing) -> F:
    """Wrap ``func`` so each call is a span named and described by ``describe(args, kwargs)``."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _config.trace_enabled:
                return await func(*args, **kwargs)
            from opentelemetry import trace

            span = _begin(*describe(args, kwargs))
            try:
                with trace.use_span(span, end_on_exit=False):
                    result = await func(*args, **kwargs)
            except BaseException as exc:
                _fail(span, exc)
                raise
            return _settle(span, result, summarise)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _config.trace_enabled:
            return func(*args, **kwargs)
        from opentelemetry import trace

        span = _begin(*describe(args, kwargs))
        try:
            with trace.use_span(span, end_on_exit=False):
                result = func(*args, **kwargs)
        except BaseException as exc:
            _fail(span, exc)
            raise
        return _settle(span, result, summarise)

    return sync_wrapper  # type: ignore[return-value]


def _dump(value: Any) -> str:
    return json.dumps(redact(value), ensure_ascii=False, default=repr)


# ---------------------------------------------------------------------------- decorators
def trace(name: str | None = None) -> Callable[[F], F]:
    """Trace any function (sync, async, generator) as a span called ``name`` (default: its name).

    Example:
        >>> @trace()
        ... async def fetch(url): ...
    """

    def decorator(func: F) -> F:
        span_name = name or func.__name__

        def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            attributes: dict[str, Any] = {"ascope.function.name": span_name}
            if _content_on():
                attributes["ascope.function.input"] = _dump({"args": args, "kwargs": kwargs})
            return span_name, attributes

        def summarise(result: Any) -> dict[str, Any]:
            return {"ascope.function.output": _dump(result)} if _content_on() else {}

        return _traced(func, describe, summarise)

    return decorator


def _usage(response: Any) -> dict[str, Any]:
    usage = getattr(response, "usage", None)
    out: dict[str, Any] = {}
    for name, key in (("input_tokens", "input_tokens"), ("output_tokens", "output_tokens")):
        value = getattr(usage, name, None)
        if isinstance(value, int):
            out[f"gen_ai.usage.{key}"] = value
    tokens = getattr(usage, "tokens", None)
    if isinstance(tokens, int):
        out["gen_ai.usage.input_tokens"] = tokens
    return out


def trace_llm(func: F) -> F:
    """Trace a chat model's ``__call__`` as a ``chat {model}`` span (streaming or not).

    Example:
        >>> from ascope_nb.model import ChatModelBase
        >>> class MyModel(ChatModelBase):
        ...     @trace_llm
        ...     async def __call__(self, messages, **kwargs): ...
    """

    def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        model = getattr(args[0], "model_name", "") if args else ""
        return f"chat {model}", {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": type(args[0]).__module__.split(".")[0] if args else "",
            "gen_ai.request.model": str(model),
        }

    return _traced(func, describe, _usage)


def trace_reply(func: F) -> F:
    """Trace an agent's ``reply`` as an ``invoke_agent {name}`` span.

    Example:
        >>> from ascope_nb.agent import AgentBase
        >>> class MyAgent(AgentBase):
        ...     @trace_reply
        ...     async def reply(self, msg=None): ...
    """

    def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = str(getattr(args[0], "name", "")) if args else ""
        return f"invoke_agent {name}", {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": name,
            "gen_ai.agent.id": str(getattr(args[0], "id", "")) if args else "",
        }

    return _traced(func, describe)


def trace_format(func: F) -> F:
    """Trace a formatter's ``format`` as a ``format {Formatter}`` span.

    Example:
        >>> from ascope_nb.formatter import FormatterBase
        >>> class MyFormatter(FormatterBase):
        ...     @trace_format
        ...     async def format(self, msgs): ...
    """

    def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = type(args[0]).__name__ if args else "formatter"
        return f"format {name}", {"ascope.formatter": name}

    def summarise(result: Any) -> dict[str, Any]:
        return {"ascope.format.messages": len(result)} if isinstance(result, list) else {}

    return _traced(func, describe, summarise)


def trace_toolkit(func: F) -> F:
    """Trace ``Toolkit.call_tool_function`` as an ``execute_tool {tool}`` span that ends with
    the call's last chunk (a chunk marked unsuccessful sets the error status).

    Example:
        >>> from ascope_nb.tool import Toolkit
        >>> class MyToolkit(Toolkit):
        ...     @trace_toolkit
        ...     def call_tool_function(self, tool_call):
        ...         return super().call_tool_function(tool_call)
    """

    def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        call = kwargs.get("tool_call", args[1] if len(args) > 1 else {})
        name = str(call.get("name", ""))
        return f"execute_tool {name}", {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.call.id": str(call.get("id", "")),
            "gen_ai.tool.type": "function",
        }

    def summarise(chunk: Any) -> dict[str, Any]:
        metadata = getattr(chunk, "metadata", None) or {}
        return {"ascope.tool.state": "error" if metadata.get("success") is False else "success"}

    traced = _traced(func, describe, summarise)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result: Any = traced(*args, **kwargs)
        if _config.trace_enabled and hasattr(result, "asend"):  # our wrapping generator
            from ..tool._stream import ToolCallStream

            return ToolCallStream(result)  # iterable directly or after ``await``, as before
        return result

    if inspect.iscoroutinefunction(func):
        return traced
    return wrapper  # type: ignore[return-value]


def trace_embedding(func: F) -> F:
    """Trace an embedding model's ``__call__`` as an ``embeddings {model}`` span.

    Example:
        >>> from ascope_nb.embedding import EmbeddingModelBase
        >>> class MyEmbedding(EmbeddingModelBase):
        ...     @trace_embedding
        ...     async def __call__(self, texts): ...
    """

    def describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        model = str(getattr(args[0], "model_name", "")) if args else ""
        return f"embeddings {model}", {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.request.model": model,
        }

    return _traced(func, describe, _usage)
