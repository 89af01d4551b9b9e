"""``FormatterBase`` and ``TruncatedFormatterBase`` (AgentScope 1.x interfaces), and the
constructors the model families share (``PromotingFormatterBase``,
``MultiAgentFormatterBase``, ``PromotingMultiAgentFormatterBase``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import Any, ClassVar, Literal, Protocol

from ..exceptions import ConfigError
from ..message import Msg
from . import _media
from ._history import HISTORY_PROMPT

GroupType = Literal["tool_sequence", "agent_message"]


class TokenCounter(Protocol):
    """Anything with ``async count(messages) -> int`` (AgentScope's ``TokenCounterBase``)."""

    async def count(self, messages: list[dict[str, Any]], **kwargs: Any) -> int: ...


class FormatterBase(ABC):
    """Turns ``Msg`` objects into the message dicts a model API expects.

    Example:
        >>> class TextOnly(FormatterBase):
        ...     async def format(self, msgs):
        ...         return [{"role": m.role, "content": m.get_text_content()} for m in msgs]
    """

    @abstractmethod
    async def format(self, msgs: list[Msg], **kwargs: Any) -> list[dict[str, Any]]:
        """Format the messages for the model API."""

    @staticmethod
    def convert_tool_result_to_string(
        output: str | list[dict[str, Any]] | None,
    ) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
        """A tool output as text plus its media as ``(url_or_path, block)`` pairs."""
        return _media.tool_result_text(output)  # looked up per call: tests patch save_base64

    @staticmethod
    def assert_list_of_msgs(msgs: list[Msg]) -> None:
        """Raise ``TypeError`` unless ``msgs`` is a list of ``Msg``."""
        if not isinstance(msgs, list):
            raise TypeError(f"expected a list of Msg, got {type(msgs).__name__}")
        if set(map(type, msgs)) <= {Msg}:  # the common case, checked at C speed
            return
        for msg in msgs:
            if not isinstance(msg, Msg):
                raise TypeError(f"expected Msg objects, got {type(msg).__name__}")


def _has_tool_blocks(msg: Msg) -> bool:
    return msg.has_content_blocks("tool_use") or msg.has_content_blocks("tool_result")


class TruncatedFormatterBase(FormatterBase):
    """A formatter that drops the oldest messages until the output fits ``max_tokens``.

    Tool calls are dropped together with their results. Subclasses implement
    ``_format`` (or ``_format_tool_sequence`` and ``_format_agent_message``).

    Args:
        token_counter: Counts the tokens of formatted messages.
        max_tokens: The limit; truncation happens only with a counter and a limit.
    """

    def __init__(
        self, token_counter: TokenCounter | None = None, max_tokens: int | None = None
    ) -> None:
        if max_tokens is not None and max_tokens <= 0:
            raise ConfigError(f"max_tokens must be > 0, got {max_tokens!r}")
        self.token_counter = token_counter
        self.max_tokens = max_tokens

    async def format(self, msgs: list[Msg], **kwargs: Any) -> list[dict[str, Any]]:
        """Format ``msgs``, truncating the oldest ones if over ``max_tokens``."""
        self.assert_list_of_msgs(msgs)
        msgs = list(msgs)
        while True:
            formatted = await self._format(msgs)
            if self.token_counter is None or self.max_tokens is None:
                return formatted
            if await self.token_counter.count(formatted) <= self.max_tokens:
                return formatted
            msgs = self._truncate(msgs)

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        """Default layout: the system prompt, then tool sequences and agent-message groups."""
        out: list[dict[str, Any]] = []
        start = 0
        if msgs and msgs[0].role == "system":
            out.append(self._format_system_message(msgs[0]))
            start = 1
        first = True
        async for kind, group in self._group_messages(msgs[start:]):
            if kind == "tool_sequence":
                out.extend(await self._format_tool_sequence(group))
            else:
                out.extend(await self._format_agent_message(group, first))
                first = False
        return out

    def _format_system_message(self, msg: Msg) -> dict[str, Any]:
        return {"role": "system", "content": msg.get_content_blocks("text")}

    async def _format_tool_sequence(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        raise NotImplementedError(f"{type(self).__name__} does not format tool sequences")

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        raise NotImplementedError(f"{type(self).__name__} does not format agent messages")

    def _truncate(self, msgs: list[Msg]) -> list[Msg]:
        """Drop the oldest non-system messages up to the point where all calls are answered."""
        start = 1 if msgs and msgs[0].role == "system" else 0
        if start == len(msgs):
            raise ConfigError(
                f"the system prompt alone exceeds the token limit ({self.max_tokens} tokens)"
            )
        pending: set[str] = set()
        for i in range(start, len(msgs)):
            for block in msgs[i].get_content_blocks("tool_use"):
                pending.add(block["id"])
            for block in msgs[i].get_content_blocks("tool_result"):
                pending.discard(block["id"])
            if not pending:
                return msgs[:start] + msgs[i + 1 :]
        raise ConfigError(f"tool calls without results cannot be truncated: {sorted(pending)!r}")

    @staticmethod
    async def _group_messages(
        msgs: list[Msg],
    ) -> AsyncGenerator[tuple[GroupType, list[Msg]], None]:
        """Split into runs of tool call/result messages and runs of plain agent messages."""
        group: list[Msg] = []
        kind: GroupType | None = None
        for msg in msgs:
            this: GroupType = "tool_sequence" if _has_tool_blocks(msg) else "agent_message"
            if kind is not None and this != kind:
                yield kind, group
                group = []
            kind = this
            group.append(msg)
        if kind is not None:
            yield kind, group


class PromotingFormatterBase(TruncatedFormatterBase):
    """A chat formatter that can show the images a tool returned in a user turn.

    Args:
        promote_tool_result_images: Show the images a tool returned in a user message
            after its result (for models that read images only from user turns).
        token_counter, max_tokens: See ``TruncatedFormatterBase``.
    """

    def __init__(
        self,
        promote_tool_result_images: bool = False,
        token_counter: TokenCounter | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(token_counter=token_counter, max_tokens=max_tokens)
        self.promote_tool_result_images = promote_tool_result_images


class MultiAgentFormatterBase(TruncatedFormatterBase):
    """A multi-agent formatter: agents' messages in a history block introduced by
    ``conversation_history_prompt``; tool sequences laid out by ``chat_formatter``.

    Args:
        conversation_history_prompt: The text before the ``<history>`` block.
        token_counter, max_tokens: See ``TruncatedFormatterBase``.
    """

    chat_formatter: ClassVar[type[TruncatedFormatterBase]]

    def __init__(
        self,
        conversation_history_prompt: str = HISTORY_PROMPT,
        token_counter: TokenCounter | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(token_counter=token_counter, max_tokens=max_tokens)
        self.conversation_history_prompt = conversation_history_prompt

    def _chat(self) -> TruncatedFormatterBase:
        return self.chat_formatter()

    async def _format_tool_sequence(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await self._chat().format(msgs)


class PromotingMultiAgentFormatterBase(MultiAgentFormatterBase):
    """A ``MultiAgentFormatterBase`` whose tool sequences may promote tool-result images
    (``promote_tool_result_images``, passed on to its ``chat_formatter``)."""

    chat_formatter: ClassVar[type[PromotingFormatterBase]]

    def __init__(
        self,
        conversation_history_prompt: str = HISTORY_PROMPT,
        promote_tool_result_images: bool = False,
        token_counter: TokenCounter | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(conversation_history_prompt, token_counter, max_tokens)
        self.promote_tool_result_images = promote_tool_result_images

    def _chat(self) -> TruncatedFormatterBase:
        return self.chat_formatter(promote_tool_result_images=self.promote_tool_result_images)
