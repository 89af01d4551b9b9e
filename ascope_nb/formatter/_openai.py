"""``OpenAIChatFormatter`` and ``OpenAIMultiAgentFormatter`` (AgentScope 1.x layouts)."""

from __future__ import annotations

import logging
import operator
from typing import Any

from ..message import Msg
from ._base import PromotingFormatterBase, PromotingMultiAgentFormatterBase, TokenCounter
from ._blocks import tool_call, tool_message
from ._history import history_text
from ._media import audio_part, image_part

logger = logging.getLogger(__name__)


def _promoted_images(tool_name: str, media: list[tuple[str, dict[str, Any]]]) -> dict | None:
    """A user message showing a tool result's images to models that only see user images."""
    parts: list[dict[str, Any]] = []
    for where, block in media:
        if block.get("type") == "image":
            parts.append({"type": "text", "text": f"\n- The image from '{where}': "})
            parts.append(image_part(block))
    if not parts:
        return None
    head = (
        f"<system-info>The following are the image contents from the tool result of '{tool_name}':"
    )
    return {
        "role": "user",
        "name": "user",
        "content": [
            {"type": "text", "text": head},
            *parts,
            {"type": "text", "text": "</system-info>"},
        ],
    }


_content = operator.attrgetter("content")


class OpenAIChatFormatter(PromotingFormatterBase):
    """Formats a user/agent conversation for OpenAI chat completions.

    Each ``Msg`` becomes a message with its ``role`` and ``name``; text and images
    become content parts, thinking is dropped, ``tool_use`` blocks become
    ``tool_calls`` (arguments as a JSON string) and ``tool_result`` blocks become
    ``role="tool"`` messages.

    Args:
        promote_tool_result_images: Show images returned by tools in a user message
            after the tool messages (most APIs accept images only from users).
        token_counter: Counts tokens for ``max_tokens`` truncation.
        max_tokens: Drop the oldest messages until the output fits.

    Example:
        >>> import asyncio
        >>> from ascope_nb.message import Msg
        >>> asyncio.run(OpenAIChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'name': 'user', 'content': [{'type': 'text', 'text': 'Hi'}]}]
    """

    def __init__(
        self,
        promote_tool_result_images: bool = False,
        token_counter: TokenCounter | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(promote_tool_result_images, token_counter, max_tokens)
        self._converted: dict[str, tuple[Any, Any]] = {}
        self._prefix: tuple[list[Msg], list[Any], list[dict[str, Any]], list[dict[str, Any]]] = (
            [],
            [],
            [],
            [],
        )

    _CACHE_LIMIT = 20_000

    def _convert_cached(
        self, msg: Msg
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict]]:
        """``_convert`` memoised per message, so each step formats only the new messages.

        A message is re-converted when its content object or length changes; messages
        are otherwise treated as immutable once formatted (call ``clear_cache()`` after
        editing a block in place).
        """
        content = msg.content
        key = (id(content), len(content))
        hit = self._converted.get(msg.id)
        if hit is not None and hit[0] == key:
            return hit[1]  # type: ignore[no-any-return]
        converted = self._convert(msg)
        if len(self._converted) >= self._CACHE_LIMIT:
            self._converted.pop(next(iter(self._converted)))
        self._converted[msg.id] = (key, converted)
        return converted

    def clear_cache(self) -> None:
        """Forget memoised conversions (after mutating a formatted message in place)."""
        self._converted.clear()
        self._prefix = ([], [], [], [])

    def __copy__(self) -> OpenAIChatFormatter:
        """The same settings with empty memo caches of its own (a copy serves other
        messages: an experiment gives each sample's agent one)."""
        fresh = object.__new__(type(self))
        fresh.__dict__.update(self.__dict__)
        fresh._converted = {}
        fresh._prefix = ([], [], [], [])
        return fresh

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        # Prefix reuse: an agent's history only grows between steps, so when the messages
        # start with the ones formatted last time (same objects, same content objects), go
        # on from the saved state instead of walking the whole history again: the checks
        # run at C speed, which keeps the per-step cost flat. Content changed by assigning
        # a new value is noticed; mutate a formatted message in place only with
        # ``clear_cache()`` afterwards.
        contents = list(map(_content, msgs))
        last_msgs, last_contents, last_out, last_pending = self._prefix
        k = len(last_msgs)
        start = 0
        if k and len(msgs) >= k and msgs[:k] == last_msgs and contents[:k] == last_contents:
            start = k
        out, pending = (list(last_out), list(last_pending)) if start else ([], [])
        for msg in msgs[start:] if start else msgs:
            parts, tool_calls, tool_msgs, promoted = self._convert_cached(msg)
            main: dict[str, Any] = {"role": msg.role, "name": msg.name, "content": parts or None}
            if tool_calls:
                main["tool_calls"] = tool_calls
                out.extend(pending)
                pending.clear()
                out.append(main)
                out.extend(tool_msgs)
                pending.extend(promoted)
                continue
            out.extend(tool_msgs)
            pending.extend(promoted)
            if parts:
                out.extend(pending)
                pending.clear()
                out.append(main)
        self._prefix = (list(msgs), contents, list(out), list(pending))
        return [*out, *pending]

    def _convert(
        self, msg: Msg
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict]]:
        parts: list[dict[str, Any]] = []
        tool_calls: list[dict[str, Any]] = []
        tool_msgs: list[dict[str, Any]] = []
        promoted: list[dict[str, Any]] = []
        for block in msg.get_content_blocks():
            kind = block.get("type")
            if kind == "text":
                parts.append({"type": "text", "text": block["text"]})
            elif kind == "tool_use":
                tool_calls.append(tool_call(block))  # type: ignore[arg-type]
            elif kind == "tool_result":
                message, media = tool_message(block)  # type: ignore[arg-type]
                tool_msgs.append(message)
                extra = _promoted_images(block.get("name", ""), media)
                if extra is not None and self.promote_tool_result_images:
                    promoted.append(extra)
            elif kind == "image":
                parts.append(image_part(block))
            elif kind == "audio":
                if msg.role != "assistant":  # a model's own audio output is not sent back
                    parts.append(audio_part(block))
            elif kind != "thinking":
                logger.warning("OpenAIChatFormatter skips unsupported %r block", kind)
        return parts, tool_calls, tool_msgs, promoted


class OpenAIMultiAgentFormatter(PromotingMultiAgentFormatterBase):
    """Formats a conversation among several agents for OpenAI chat completions.

    The system prompt is kept; each run of plain messages becomes ONE user message
    listing ``name: text`` lines inside ``<history>...</history>`` (the first run is
    preceded by ``conversation_history_prompt``); tool call/result runs stay real
    ``tool_calls`` and ``role="tool"`` messages.

    Args:
        conversation_history_prompt: The header of the first history block.
        promote_tool_result_images: See ``OpenAIChatFormatter``.
        token_counter: Counts tokens for ``max_tokens`` truncation.
        max_tokens: Drop the oldest messages until the output fits.

    Example:
        >>> import asyncio
        >>> from ascope_nb.message import Msg
        >>> msgs = [Msg("Alice", "Hi Bob", "assistant"), Msg("Bob", "Hi!", "assistant")]
        >>> out = asyncio.run(OpenAIMultiAgentFormatter().format(msgs))
        >>> out[0]["content"][0]["text"].endswith("<history>\\nAlice: Hi Bob\\nBob: Hi!\\n</history>")
        True
    """

    chat_formatter = OpenAIChatFormatter

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        lines: list[str] = []
        media: list[dict[str, Any]] = []
        for msg in msgs:
            for block in msg.get_content_blocks():
                if block["type"] == "text":
                    lines.append(f"{msg.name}: {block['text']}")
                elif block["type"] == "image":
                    media.append(image_part(block))
                elif block["type"] == "audio" and msg.role != "assistant":
                    media.append(audio_part(block))
        content: list[dict[str, Any]] = []
        if lines:
            prompt = self.conversation_history_prompt if is_first else ""
            content.append({"type": "text", "text": history_text(lines, prompt)})
        content.extend(media)
        return [{"role": "user", "content": content}] if content else []
