"""``GeminiChatFormatter`` and ``GeminiMultiAgentFormatter`` (``generateContent`` layout)."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..message import Msg
from ._base import PromotingFormatterBase, PromotingMultiAgentFormatterBase
from ._history import interleaved_parts, web_bytes, wrap_history

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: dict[str, list[str]] = {
    "image": ["png", "jpeg", "webp", "heic", "heif"],
    "video": ["mp4", "mpeg", "mov", "avi", "x-flv", "mpg", "webm", "wmv", "3gpp"],
    "audio": ["mp3", "wav", "aiff", "aac", "ogg", "flac"],
}


def gemini_media(block: dict[str, Any]) -> dict[str, Any]:
    """A Gemini ``inline_data`` part for an image, audio or video block.

    Example:
        >>> src = {"type": "base64", "media_type": "image/png", "data": "AAAA"}
        >>> gemini_media({"type": "image", "source": src})
        {'inline_data': {'data': 'AAAA', 'mime_type': 'image/png'}}
    """
    source = block["source"]
    if source["type"] == "base64":
        return {"inline_data": {"data": source["data"], "mime_type": source["media_type"]}}
    if source["type"] == "url":
        return {"inline_data": _inline_data(str(source["url"]))}
    raise ValueError(f"unsupported media source type {source['type']!r}")


def _inline_data(url: str) -> dict[str, str]:
    path = url.removeprefix("file://")
    ext = path.rsplit(".", 1)[-1].lower()
    kind = next((k for k, exts in SUPPORTED_EXTENSIONS.items() if ext in exts), None)
    is_file = os.path.exists(path)
    is_web = urlparse(path).scheme not in ("", "file")
    if not is_file and not is_web:
        raise ValueError(f"the URL {url!r} is neither a local file nor a web URL")
    if kind is None:
        raise TypeError(f"unsupported file extension {ext!r} in {url!r}: {SUPPORTED_EXTENSIONS}")
    if is_file:
        data = base64.b64encode(Path(path).read_bytes()).decode()
    else:
        data = web_bytes(url)
    return {"data": data, "mime_type": f"{kind}/{ext}"}


def _signed(part: dict[str, Any], signature: str | None) -> dict[str, Any]:
    if signature is not None:
        part["thought_signature"] = base64.b64decode(signature)
    return part


def _promoted(name: str, media: list[tuple[str, dict[str, Any]]]) -> Msg | None:
    blocks: list[dict[str, Any]] = []
    for url, block in media:
        if block["type"] == "image":
            blocks.append({"type": "text", "text": f"\n- The image from '{url}': "})
            blocks.append({"type": "image", "source": {"type": "url", "url": url}})
    if not blocks:
        return None
    head = f"<system-info>The following are the image contents from the tool result of '{name}':"
    content = [{"type": "text", "text": head}, *blocks, {"type": "text", "text": "</system-info>"}]
    return Msg(name="user", content=content, role="user")  # type: ignore[arg-type]


class GeminiChatFormatter(PromotingFormatterBase):
    """Formats a user/agent conversation as Gemini ``contents``.

    Assistant messages get ``role="model"``, everything else ``"user"``; text becomes
    ``{"text"}`` parts, tool calls ``function_call`` parts (thought signatures decoded
    back to bytes), tool results ``function_response`` parts of their own user turn,
    media ``inline_data`` parts.

    Args:
        promote_tool_result_images: Show images returned by tools in a user turn.
        token_counter: Counts tokens for ``max_tokens`` truncation.
        max_tokens: Drop the oldest messages until the output fits.

    Example:
        >>> import asyncio
        >>> asyncio.run(GeminiChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'parts': [{'text': 'Hi'}]}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = False
    support_vision: bool = True
    supported_extensions = SUPPORTED_EXTENSIONS

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        self.assert_list_of_msgs(msgs)
        out: list[dict[str, Any]] = []
        queue = list(msgs)
        i = 0
        while i < len(queue):
            msg = queue[i]
            parts: list[dict[str, Any]] = []
            for block in msg.get_content_blocks():
                kind = block.get("type")
                if kind == "text":
                    parts.append(
                        _signed({"text": block.get("text")}, block.get("thought_signature"))
                    )  # type: ignore[arg-type]
                elif kind == "tool_use":
                    call = {"id": None, "name": block["name"], "args": block["input"]}  # type: ignore[typeddict-item]
                    parts.append(_signed({"function_call": call}, block.get("thought_signature")))  # type: ignore[arg-type]
                elif kind == "tool_result":
                    text, media = self.convert_tool_result_to_string(block["output"])  # type: ignore[typeddict-item]
                    response = {
                        "id": block["id"],
                        "name": block["name"],
                        "response": {"output": text},
                    }  # type: ignore[typeddict-item]
                    out.append({"role": "user", "parts": [{"function_response": response}]})
                    extra = (
                        _promoted(block["name"], media) if self.promote_tool_result_images else None
                    )  # type: ignore[typeddict-item]
                    if extra is not None:
                        queue.insert(i + 1, extra)
                elif kind in ("image", "audio", "video"):
                    parts.append(gemini_media(block))  # type: ignore[arg-type]
                else:
                    logger.warning("GeminiChatFormatter skips unsupported %r block", kind)
            if parts:
                out.append({"role": "model" if msg.role == "assistant" else "user", "parts": parts})
            i += 1
        return out


class GeminiMultiAgentFormatter(PromotingMultiAgentFormatterBase):
    """Formats a conversation among several agents as Gemini ``contents``.

    The system prompt becomes a user turn; runs of plain messages become one user turn
    of ``name: text`` lines inside ``<history>`` tags (media kept in place); tool runs
    use ``GeminiChatFormatter``.

    Example:
        >>> import asyncio
        >>> msgs = [Msg("Alice", "Hi", "assistant")]
        >>> asyncio.run(GeminiMultiAgentFormatter(conversation_history_prompt="").format(msgs))
        [{'role': 'user', 'parts': [{'text': '<history>Alice: Hi\\n</history>'}]}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = True
    support_vision: bool = True
    chat_formatter = GeminiChatFormatter

    def _format_system_message(self, msg: Msg) -> dict[str, Any]:
        return {"role": "user", "parts": [{"text": msg.get_text_content()}]}

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        parts = interleaved_parts(
            msgs,
            media_types=("image", "video", "audio"),
            media_part=gemini_media,
            text_part=lambda text: {"text": text},
        )
        prompt = self.conversation_history_prompt if is_first else ""
        wrap_history(parts, prompt, opener="<history>")
        return [{"role": "user", "parts": parts}] if parts else []
