"""``AgentScopeLLM``: any ascope_nb chat model as a mem0 LLM (``mem0ai``'s ``LLMBase``).

mem0 calls ``generate_response`` synchronously, sometimes from inside a running event loop
(``asyncio.gather`` of several memory writes). The model's coroutine therefore runs on one
persistent event loop in a daemon thread, shared by every call: no "event loop is closed",
and the model's async client stays on one loop.

Example:
    >>> from ascope_nb.testing import ScriptedModel
    >>> from types import SimpleNamespace
    >>> llm = AgentScopeLLM(config=SimpleNamespace(model=ScriptedModel(["noted"], stream=False)))
    >>> llm.generate_response([{"role": "user", "content": "I like tea"}])
    'noted'
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from ..model import ChatModelBase

T = TypeVar("T")

try:  # mem0's base class when mem0ai is installed; the adapter works without it too
    from mem0.llms.base import LLMBase as _LLMBase
except ImportError:  # pragma: no cover - depends on the environment
    _LLMBase = object

_LOOP: asyncio.AbstractEventLoop | None = None
_LOOP_LOCK = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    """The shared event loop running in a daemon thread (started on first use)."""
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None or _LOOP.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="ascope-mem0-llm", daemon=True)
            thread.start()
            _LOOP = loop
        return _LOOP


def run_in_background(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the shared background loop and wait for its result."""
    return asyncio.run_coroutine_threadsafe(coro, _background_loop()).result(timeout)


def _text_and_calls(response: Any) -> tuple[str, list[dict[str, Any]]]:
    text, calls = [], []
    for block in getattr(response, "content", None) or []:
        if block.get("type") == "text":
            text.append(block.get("text", ""))
        elif block.get("type") == "tool_use":
            calls.append({"name": block.get("name"), "arguments": block.get("input", {})})
    return "".join(text), calls


class AgentScopeLLM(_LLMBase):  # type: ignore[misc, valid-type]
    """A mem0 LLM backed by ``config.model`` (an ascope_nb ``ChatModelBase``)."""

    def __init__(self, config: Any = None) -> None:
        model = getattr(config, "model", None)
        if not isinstance(model, ChatModelBase):
            raise ValueError(
                "AgentScopeLLM: config.model must be an ascope_nb chat model, got "
                f"{type(model).__name__}"
            )
        self.config = config
        self.agentscope_model = model

    async def _call(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, choice: Any
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = choice
        response: Any = await self.agentscope_model(messages, **kwargs)
        if hasattr(response, "__aiter__"):  # a streaming model: keep the last (full) chunk
            last = None
            async for chunk in response:
                last = chunk
            return last
        return response

    def generate_response(
        self,
        messages: list[dict[str, Any]],
        response_format: Any = None,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str = "auto",
        **kwargs: Any,
    ) -> str | dict[str, Any]:
        """The model's answer to ``messages``: its text, or with ``tools`` a dict
        ``{"content": text, "tool_calls": [{"name", "arguments"}]}``."""
        response = run_in_background(self._call(messages, tools, tool_choice))
        text, calls = _text_and_calls(response)
        if tools:
            return {"content": text, "tool_calls": calls}
        return text
