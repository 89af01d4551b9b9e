"""``OpenAIResponseChatFormatter`` / ``OpenAIResponseMultiAgentFormatter`` (Responses API
``input`` items)."""

from __future__ import annotations

import json
import logging
from typing import Any

from ..message import Msg
from ._base import PromotingFormatterBase, PromotingMultiAgentFormatterBase
from ._history import history_text
from ._media import audio_part, image_url

logger = logging.getLogger(__name__)


def response_image(block: dict[str, Any]) -> dict[str, Any]:
    """An ``input_image`` item for an image block.

    Example:
        >>> src = {"type": "base64", "media_type": "image/png", "data": "AAAA"}
        >>> response_image({"type": "image", "source": src})
        {'type': 'input_image', 'image_url': 'data:image/png;base64,AAAA'}
    """
    return {"type": "input_image", "image_url": image_url(block["source"])}


def _promoted(name: str, media: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    content: list[dict[str, Any]] = []
    for url, block in media:
        if block["type"] == "image":
            content.append({"type": "input_text", "text": f"\n- The image from '{url}': "})
            content.append(
                {"type": "input_image", "image_url": image_url({"type": "url", "url": url})}
            )
    if not content:
        return None
    head = f"<system-info>The following are the image contents from the tool result of '{name}':"
    return {
        "role": "user",
        "content": [
            {"type": "input_text", "text": head},
            *content,
            {"type": "input_text", "text": "</system-info>"},
        ],
    }


class OpenAIResponseChatFormatter(PromotingFormatterBase):
    """Formats a conversation as OpenAI Responses API ``input`` items.

    A message becomes ``{"role", "content": [input_text | output_text | input_image |
    input_audio]}``, followed by a ``function_call`` item per tool call and a
    ``function_call_output`` item per tool result.

    Example:
        >>> import asyncio
        >>> asyncio.run(OpenAIResponseChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'content': [{'type': 'input_text', 'text': 'Hi'}]}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = True
    support_vision: bool = True

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        self.assert_list_of_msgs(msgs)
        out: list[dict[str, Any]] = []
        for msg in msgs:
            content: list[dict[str, Any]] = []
            trailing: list[dict[str, Any]] = []
            text_type = "output_text" if msg.role == "assistant" else "input_text"
            for block in msg.get_content_blocks():
                kind = block.get("type")
                if kind == "text":
                    content.append({"type": text_type, "text": block.get("text")})
                elif kind == "tool_use":
                    trailing.append(
                        {
                            "type": "function_call",
                            "call_id": block.get("id"),
                            "name": block.get("name"),
                            "arguments": json.dumps(block.get("input", {}), ensure_ascii=False),
                        }
                    )
                elif kind == "tool_result":
                    text, media = self.convert_tool_result_to_string(block["output"])  # type: ignore[typeddict-item]
                    trailing.append(
                        {"type": "function_call_output", "call_id": block.get("id"), "output": text}
                    )
                    extra = (
                        _promoted(block["name"], media) if self.promote_tool_result_images else None
                    )  # type: ignore[typeddict-item]
                    if extra is not None:
                        out.append(extra)
                elif kind == "image":
                    content.append(response_image(block))  # type: ignore[arg-type]
                elif kind == "audio":
                    if msg.role != "assistant":
                        content.append(audio_part(block))  # type: ignore[arg-type]
                else:
                    logger.warning("OpenAIResponseChatFormatter skips unsupported %r block", kind)
            if content:
                out.append({"role": msg.role, "content": content})
            out.extend(trailing)
        return out


class OpenAIResponseMultiAgentFormatter(PromotingMultiAgentFormatterBase):
    """Formats a conversation among several agents as Responses API ``input`` items:
    runs of plain messages become one user message whose ``input_text`` lists
    ``name: text`` lines in ``<history>`` tags, followed by their images and audio.

    Example:
        >>> import asyncio
        >>> fmt = OpenAIResponseMultiAgentFormatter(conversation_history_prompt="")
        >>> asyncio.run(fmt.format([Msg("Alice", "Hi", "assistant")]))[0]["content"][0]["text"]
        '<history>\\nAlice: Hi\\n</history>'
    """

    support_tools_api: bool = True
    support_multiagent: bool = True
    support_vision: bool = True
    chat_formatter = OpenAIResponseChatFormatter

    def _format_system_message(self, msg: Msg) -> dict[str, Any]:
        texts = msg.get_content_blocks("text")
        return {
            "role": "system",
            "content": [{"type": "input_text", "text": b["text"]} for b in texts],
        }

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        lines: list[str] = []
        images: list[dict[str, Any]] = []
        audios: list[dict[str, Any]] = []
        for msg in msgs:
            for block in msg.get_content_blocks():
                if block["type"] == "text":
                    lines.append(f"{msg.name}: {block['text']}")
                elif block["type"] == "image":
                    images.append(response_image(block))  # type: ignore[arg-type]
                elif block["type"] == "audio" and msg.role != "assistant":
                    audios.append(audio_part(block))  # type: ignore[arg-type]
        content: list[dict[str, Any]] = []
        if lines:
            prompt = self.conversation_history_prompt if is_first else ""
            content.append({"type": "input_text", "text": history_text(lines, prompt)})
        content.extend(images)
        content.extend(audios)
        return [{"role": "user", "content": content}] if content else []
