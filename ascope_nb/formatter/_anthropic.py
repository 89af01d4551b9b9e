"""``AnthropicChatFormatter`` and ``AnthropicMultiAgentFormatter`` (Messages API layout)."""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..message import Msg
from ._base import MultiAgentFormatterBase, TruncatedFormatterBase
from ._history import interleaved_parts, wrap_history

logger = logging.getLogger(__name__)

_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def anthropic_image(block: dict[str, Any]) -> dict[str, Any]:
    """An Anthropic ``image`` block: base64 kept, local files inlined, web URLs as ``url``.

    Example:
        >>> anthropic_image({"type": "image", "source": {"type": "url", "url": "https://x/a.png"}})
        {'type': 'image', 'source': {'type': 'url', 'url': 'https://x/a.png'}}
    """
    source = block["source"]
    if source["type"] == "base64":
        return {**block}
    url = str(source["url"])
    path = url.removeprefix("file://")
    if os.path.isfile(path):
        mime = _IMAGE_TYPES.get(os.path.splitext(path)[1].lower()) or _sniff_image(path)
        if mime:
            data = base64.b64encode(Path(path).read_bytes()).decode()
            return {"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}
    if urlparse(path).scheme not in ("", "file"):
        return {"type": "image", "source": {"type": "url", "url": url}}
    raise ValueError(f"invalid image URL {url!r}: neither a local image file nor a web URL")


def _sniff_image(path: str) -> str | None:
    head = Path(path).read_bytes()[:16]
    for magic, mime in (
        (b"\x89PNG", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
    ):
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    guess = mimetypes.guess_type(path)[0]
    return guess if guess and guess.startswith("image/") else None


def _tool_result(block: dict[str, Any]) -> dict[str, Any]:
    output = block.get("output")
    if output is None:
        content: list[dict[str, Any]] = [{"type": "text", "text": ""}]
    elif isinstance(output, list):
        content = [anthropic_image(b) if b.get("type") == "image" else b for b in output]
    else:
        content = [{"type": "text", "text": str(output)}]
    return {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": block.get("id"), "content": content}],
    }


class AnthropicChatFormatter(TruncatedFormatterBase):
    """Formats a user/agent conversation for the Anthropic Messages API.

    Text and thinking blocks are passed back as they are (Anthropic asks for the
    thinking of earlier turns), images are inlined, ``tool_use`` blocks stay in the
    assistant message and each ``tool_result`` becomes a user message of its own.
    A system message after the first position is sent as a user message.

    Example:
        >>> import asyncio
        >>> asyncio.run(AnthropicChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'content': [{'type': 'text', 'text': 'Hi'}]}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = False
    support_vision: bool = True

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        self.assert_list_of_msgs(msgs)
        out: list[dict[str, Any]] = []
        for index, msg in enumerate(msgs):
            content: list[dict[str, Any]] = []
            for block in msg.get_content_blocks():
                kind = block.get("type")
                if kind in ("text", "thinking"):
                    content.append({**block})
                elif kind == "image":
                    content.append(anthropic_image(block))  # type: ignore[arg-type]
                elif kind == "tool_use":
                    content.append(
                        {
                            "id": block.get("id"),
                            "type": "tool_use",
                            "name": block.get("name"),
                            "input": block.get("input", {}),
                        }
                    )
                elif kind == "tool_result":
                    out.append(_tool_result(block))  # type: ignore[arg-type]
                else:
                    logger.warning("AnthropicChatFormatter skips unsupported %r block", kind)
            role = "user" if msg.role == "system" and index != 0 else msg.role
            if content:
                out.append({"role": role, "content": content})
        return out


class AnthropicMultiAgentFormatter(MultiAgentFormatterBase):
    """Formats a conversation among several agents for the Anthropic Messages API.

    Runs of plain messages become one user message of ``name: text`` lines inside
    ``<history>`` tags (images kept in place); tool runs use ``AnthropicChatFormatter``.

    Example:
        >>> import asyncio
        >>> msgs = [Msg("Alice", "Hi", "assistant"), Msg("Bob", "Hey", "assistant")]
        >>> out = asyncio.run(AnthropicMultiAgentFormatter(conversation_history_prompt="").format(msgs))
        >>> out[0]["content"][0]["text"]
        '<history>\\nAlice: Hi\\nBob: Hey\\n</history>'
    """

    support_tools_api: bool = True
    support_multiagent: bool = True
    support_vision: bool = True

    chat_formatter = AnthropicChatFormatter

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        parts = interleaved_parts(
            msgs,
            media_types=("image",),
            media_part=anthropic_image,
            text_part=lambda text: {"type": "text", "text": text},
        )
        prompt = self.conversation_history_prompt if is_first else ""
        wrap_history(parts, prompt)
        return [{"role": "user", "content": parts}] if parts else []
