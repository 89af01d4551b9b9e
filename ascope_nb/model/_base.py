"""The model interface: anything AgentScope 1.x accepts as a model works here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import Any, Literal

from ..exceptions import ConfigError
from ._response import ChatResponse

ToolChoice = Literal["auto", "none", "any", "required"] | str


class ChatModelBase(ABC):
    """Base class of chat models.

    A subclass implements ``async __call__(messages, tools=None, tool_choice=None, **kwargs)``
    and returns a ``ChatResponse`` or, when ``stream`` is true, an async generator of
    cumulative ``ChatResponse`` chunks.

    Example:
        >>> class Echo(ChatModelBase):
        ...     async def __call__(self, messages, tools=None, tool_choice=None, **kwargs):
        ...         return ChatResponse(content=[{"type": "text", "text": messages[-1]["content"]}])
        >>> Echo("echo", stream=False).model_name
        'echo'
    """

    model_name: str
    stream: bool

    def __init__(self, model_name: str, stream: bool) -> None:
        self.model_name = model_name
        self.stream = stream

    @abstractmethod
    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Call the model with formatted messages and optional tool JSON schemas."""

    def _validate_tool_choice(
        self, tool_choice: str | None, tools: list[dict[str, Any]] | None
    ) -> None:
        if tool_choice is None:
            return
        if tool_choice in ("auto", "none", "any", "required"):
            return
        names = [t.get("function", {}).get("name") for t in tools or []]
        if tool_choice not in names:
            raise ConfigError(
                f"tool_choice {tool_choice!r} is neither 'auto', 'none', 'any', 'required' "
                f"nor one of the tools {names!r}"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_name={self.model_name!r}, stream={self.stream!r})"


def check_messages(messages: Any, who: str, *, formatter: str = "a formatter") -> None:
    """Raise a one-line ``ConfigError`` unless ``messages`` is a list of dicts with a ``role``.

    ``who`` names the model in the message; ``formatter`` is the one to format with.

    Example:
        >>> check_messages([{"role": "user", "content": "Hi"}], "MyModel")
        >>> try:
        ...     check_messages("Hi", "MyModel")
        ... except ConfigError as exc:
        ...     print(str(exc).split(" (")[0])
        MyModel expects a list of message dicts with a 'role' key
    """
    if not isinstance(messages, list) or not all(
        isinstance(m, dict) and "role" in m for m in messages
    ):
        raise ConfigError(
            f"{who} expects a list of message dicts with a 'role' key "
            f"(format Msg objects with {formatter} first)"
        )
