"""``OllamaChatFormatter`` and ``OllamaMultiAgentFormatter`` (Ollama ``/api/chat`` layout)."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..message import Msg
from ._base import PromotingFormatterBase, PromotingMultiAgentFormatterBase
from ._gemini import _promoted
from ._history import web_bytes, wrap_history

logger = logging.getLogger(__name__)


def ollama_image(block: dict[str, Any]) -> str:
    """The base64 data Ollama's ``images`` list wants for an image block.

    Example:
        >>> ollama_image({"type": "image", "source": {"type": "base64", "data": "AAAA"}})
        'AAAA'
    """
    source = block["source"]
    if source["type"] == "base64":
        return str(source["data"])
    if source["type"] != "url":
        raise ValueError(f"unsupported image source type {source['type']!r}")
    url = str(source["url"])
    path = url.removeprefix("file://")
    if os.path.exists(path):
        return base64.b64encode(Path(path).read_bytes()).decode()
    if urlparse(path).scheme not in ("", "file"):
        return web_bytes(url)
    raise ValueError(f"the URL {url!r} is neither an image URL nor a local file")


class OllamaChatFormatter(PromotingFormatterBase):
    """Formats a user/agent conversation for Ollama's chat API.

    Text blocks are joined into ``content``, images go to ``images`` (base64), tool
    calls keep their arguments as objects, tool results are ``role="tool"`` messages.

    Example:
        >>> import asyncio
        >>> asyncio.run(OllamaChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'content': 'Hi'}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = False
    support_vision: bool = True

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        self.assert_list_of_msgs(msgs)
        out: list[dict[str, Any]] = []
        queue = list(msgs)
        i = 0
        while i < len(queue):
            msg = queue[i]
            texts: list[str] = []
            calls: list[dict[str, Any]] = []
            images: list[str] = []
            for block in msg.get_content_blocks():
                kind = block.get("type")
                if kind == "text":
                    texts.append(block.get("text", ""))  # type: ignore[arg-type]
                elif kind == "tool_use":
                    function = {"name": block.get("name"), "arguments": block.get("input", {})}
                    calls.append({"id": block.get("id"), "type": "function", "function": function})
                elif kind == "tool_result":
                    text, media = self.convert_tool_result_to_string(block["output"])  # type: ignore[typeddict-item]
                    out.append(
                        {
                            "role": "tool",
                            "tool_call_id": block.get("id"),
                            "content": text,
                            "name": block.get("name"),
                        }
                    )
                    extra = (
                        _promoted(block["name"], media) if self.promote_tool_result_images else None
                    )  # type: ignore[typeddict-item]
                    if extra is not None:
                        queue.insert(i + 1, extra)
                elif kind == "image":
                    images.append(ollama_image(block))  # type: ignore[arg-type]
                else:
                    logger.warning("OllamaChatFormatter skips unsupported %r block", kind)
            message: dict[str, Any] = {"role": msg.role, "content": "\n".join(texts) or None}
            if calls:
                message["tool_calls"] = calls
            if images:
                message["images"] = images
            if message["content"] or images or calls:
                out.append(message)
            i += 1
        return out


class OllamaMultiAgentFormatter(PromotingMultiAgentFormatterBase):
    """Formats a conversation among several agents for Ollama's chat API: runs of plain
    messages become one user message of ``name: text`` lines in ``<history>`` tags,
    with their images in ``images``.

    Example:
        >>> import asyncio
        >>> msgs = [Msg("Alice", "Hi", "assistant")]
        >>> asyncio.run(OllamaMultiAgentFormatter(conversation_history_prompt="").format(msgs))
        [{'role': 'user', 'content': '<history>\\nAlice: Hi\\n</history>'}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = True
    support_vision: bool = True
    chat_formatter = OllamaChatFormatter

    def _format_system_message(self, msg: Msg) -> dict[str, Any]:
        return {"role": "system", "content": msg.get_text_content()}

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        lines: list[str] = []
        images: list[str] = []
        for msg in msgs:
            for block in msg.get_content_blocks():
                if block["type"] == "text":
                    lines.append(f"{msg.name}: {block['text']}")
                elif block["type"] == "image":
                    if lines:
                        parts.append({"text": "\n".join(lines)})
                        lines = []
                    images.append(ollama_image(block))  # type: ignore[arg-type]
                    parts.append({**block})
        if lines:
            parts.append({"text": "\n".join(lines)})
        if not parts:
            return []
        wrap_history(parts, self.conversation_history_prompt if is_first else "")
        message: dict[str, Any] = {
            "role": "user",
            "content": "\n".join(part.get("text", "") for part in parts),
        }
        if images:
            message["images"] = images
        return [message]
