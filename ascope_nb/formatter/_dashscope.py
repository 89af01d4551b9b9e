"""``DashScopeChatFormatter`` and ``DashScopeMultiAgentFormatter``: DashScope's native layout.

DashScope's own API (the ``dashscope`` SDK that ``DashScopeChatModel`` calls) takes content
parts without a ``type``: ``{"text": ...}``, ``{"image": url}``, ``{"audio": url}``,
``{"video": url}``; a message whose parts are all text is sent as one string. Tool calls
and tool results have the OpenAI shape (AgentScope 1.x layout).
"""

from __future__ import annotations

import base64
import mimetypes
import os
from pathlib import Path
from typing import Any

from ..message import Msg
from ._base import TokenCounter, TruncatedFormatterBase
from ._blocks import tool_call, tool_message
from ._history import HISTORY_PROMPT, interleaved_parts, wrap_history

_MEDIA = ("image", "audio", "video")


def media_part(block: dict[str, Any]) -> dict[str, str]:
    """A native DashScope part for an image, audio or video block.

    A local file (a path or ``file://``) is inlined as a data URL; a web URL is kept.

    Example:
        >>> media_part({"type": "audio", "source": {"type": "url", "url": "https://x/a.mp3"}})
        {'audio': 'https://x/a.mp3'}
    """
    kind, source = block["type"], block["source"]
    if source["type"] == "base64":
        return {kind: f"data:{source['media_type']};base64,{source['data']}"}
    if source["type"] != "url":
        raise ValueError(f"unsupported {kind} source type {source['type']!r}")
    url = str(source["url"])
    path = url.removeprefix("file://")
    if not os.path.isfile(path):
        return {kind: url}
    mime = mimetypes.guess_type(path)[0]
    if mime is None:
        raise ValueError(
            f"cannot tell the media type of {path!r}: use a file with a known extension "
            "(.png, .jpg, .mp3, .wav, .mp4, ...)"
        )
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return {kind: f"data:{mime};base64,{data}"}


def join_text_parts(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send a content list made only of text parts as one string (lines joined by ``\\n``)."""
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list) or not content:
            continue
        if all(isinstance(p, dict) and set(p) <= {"text", "type"} and "text" in p for p in content):
            if all(p.get("type", "text") == "text" for p in content):
                texts = [p["text"] for p in content if p["text"]]
                if texts:
                    message["content"] = "\n".join(texts)
    return messages


def _promoted(
    tool_name: str, media: list[tuple[str, dict[str, Any]]], kinds: set[str]
) -> Msg | None:
    """A user message showing a tool result's media (for models that see media only there)."""
    blocks: list[dict[str, Any]] = []
    for where, block in media:
        if block.get("type") in kinds:
            kind = block["type"]
            blocks.append({"type": "text", "text": f"\n- The {kind} from '{where}': "})
            blocks.append({"type": kind, "source": {"type": "url", "url": where}})
    if not blocks:
        return None
    head = (
        f"<system-info>The following are the media contents from the tool result of '{tool_name}':"
    )
    content: Any = [
        {"type": "text", "text": head},
        *blocks,
        {"type": "text", "text": "</system-info>"},
    ]
    return Msg("user", content, "user")


class _PromotingFormatter(TruncatedFormatterBase):
    """The ``promote_tool_result_*`` settings both DashScope formatters take."""

    def __init__(
        self,
        promote_tool_result_images: bool = False,
        promote_tool_result_audios: bool = False,
        promote_tool_result_videos: bool = False,
        token_counter: TokenCounter | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(token_counter=token_counter, max_tokens=max_tokens)
        self.promote_tool_result_images = promote_tool_result_images
        self.promote_tool_result_audios = promote_tool_result_audios
        self.promote_tool_result_videos = promote_tool_result_videos

    def _promotion(self) -> tuple[bool, bool, bool]:
        """The three flags, in the order of the constructor's arguments."""
        return (
            self.promote_tool_result_images,
            self.promote_tool_result_audios,
            self.promote_tool_result_videos,
        )

    def _promoted_kinds(self) -> set[str]:
        return {kind for kind, on in zip(_MEDIA, self._promotion(), strict=True) if on}


class DashScopeChatFormatter(_PromotingFormatter):
    """Formats a user/agent conversation for DashScope's native API.

    Each ``Msg`` becomes ``{"role", "content"}`` with native parts (text, image, audio,
    video); ``tool_use`` blocks become ``tool_calls``, ``tool_result`` blocks
    ``role="tool"`` messages; thinking is dropped.

    Args:
        promote_tool_result_images: Show the images a tool returned in a user message
            right after its result.
        promote_tool_result_audios: The same for audio.
        promote_tool_result_videos: The same for video.
        token_counter: Counts tokens for ``max_tokens`` truncation.
        max_tokens: Drop the oldest messages until the output fits.

    Example:
        >>> import asyncio
        >>> asyncio.run(DashScopeChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'content': 'Hi'}]
    """

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        queue = list(msgs)
        kinds = self._promoted_kinds()
        i = 0
        while i < len(queue):
            msg = queue[i]
            parts: list[dict[str, Any]] = []
            tool_calls: list[dict[str, Any]] = []
            for block in msg.get_content_blocks():
                kind = block.get("type")
                if kind == "text":
                    parts.append({"text": block["text"]})
                elif kind in _MEDIA:
                    parts.append(media_part(block))  # type: ignore[arg-type]
                elif kind == "tool_use":
                    tool_calls.append(tool_call(block))  # type: ignore[arg-type]
                elif kind == "tool_result":
                    tool_msg, media = tool_message(block)  # type: ignore[arg-type]
                    out.append(tool_msg)
                    extra = _promoted(block.get("name", ""), media, kinds)
                    if extra is not None:
                        queue.insert(i + 1, extra)
            message: dict[str, Any] = {"role": msg.role, "content": parts}
            if tool_calls:
                message["tool_calls"] = tool_calls
            if parts or tool_calls:
                out.append(message)
            i += 1
        return join_text_parts(out)


class DashScopeMultiAgentFormatter(_PromotingFormatter):
    """Formats a conversation among several agents for DashScope's native API.

    The system prompt is kept as a string; each run of plain messages becomes ONE user
    message of ``name: text`` lines inside ``<history>...</history>`` (media parts in
    between), the first run preceded by ``conversation_history_prompt``; tool call/result
    runs are formatted as by ``DashScopeChatFormatter``.

    Args:
        conversation_history_prompt: The header of the first history block.
        promote_tool_result_images: See ``DashScopeChatFormatter``.
        promote_tool_result_audios: See ``DashScopeChatFormatter``.
        promote_tool_result_videos: See ``DashScopeChatFormatter``.
        token_counter: Counts tokens for ``max_tokens`` truncation.
        max_tokens: Drop the oldest messages until the output fits.

    Example:
        >>> import asyncio
        >>> msgs = [Msg("Alice", "Hi Bob", "assistant"), Msg("Bob", "Hi!", "assistant")]
        >>> out = asyncio.run(DashScopeMultiAgentFormatter().format(msgs))
        >>> out[0]["content"].endswith("<history>\\nAlice: Hi Bob\\nBob: Hi!\\n</history>")
        True
    """

    def __init__(
        self,
        conversation_history_prompt: str = HISTORY_PROMPT,
        promote_tool_result_images: bool = False,
        promote_tool_result_audios: bool = False,
        promote_tool_result_videos: bool = False,
        token_counter: TokenCounter | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(
            promote_tool_result_images,
            promote_tool_result_audios,
            promote_tool_result_videos,
            token_counter=token_counter,
            max_tokens=max_tokens,
        )
        self.conversation_history_prompt = conversation_history_prompt

    def _format_system_message(self, msg: Msg) -> dict[str, Any]:
        return {"role": "system", "content": msg.get_text_content()}

    async def _format_tool_sequence(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        chat = DashScopeChatFormatter(*self._promotion())
        return await chat._format(msgs)

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        parts = interleaved_parts(
            msgs, media_types=_MEDIA, media_part=media_part, text_part=lambda text: {"text": text}
        )
        if not parts:
            return []
        wrap_history(parts, self.conversation_history_prompt if is_first else "")
        return join_text_parts([{"role": "user", "content": parts}])
