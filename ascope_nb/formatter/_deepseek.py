"""``DeepSeekChatFormatter`` and ``DeepSeekMultiAgentFormatter`` (text-only chat layout)."""

from __future__ import annotations

import json
import logging
from typing import Any

from ..message import Msg
from ._base import MultiAgentFormatterBase, TruncatedFormatterBase
from ._history import history_text, named_lines

logger = logging.getLogger(__name__)


class DeepSeekChatFormatter(TruncatedFormatterBase):
    """Formats a user/agent conversation for DeepSeek's chat API.

    Text blocks are joined into one string ``content``; thinking goes back as
    ``reasoning_content``; tool calls are OpenAI ``tool_calls``; tool results are
    ``role="tool"`` messages. No vision.

    Example:
        >>> import asyncio
        >>> asyncio.run(DeepSeekChatFormatter().format([Msg("user", "Hi", "user")]))
        [{'role': 'user', 'content': 'Hi'}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = False
    support_vision: bool = False

    async def _format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        self.assert_list_of_msgs(msgs)
        out: list[dict[str, Any]] = []
        for msg in msgs:
            texts: list[str] = []
            thoughts: list[str] = []
            calls: list[dict[str, Any]] = []
            for block in msg.get_content_blocks():
                kind = block.get("type")
                if kind == "text":
                    texts.append(block.get("text", ""))  # type: ignore[arg-type]
                elif kind == "thinking":
                    thoughts.append(block.get("thinking", ""))  # type: ignore[arg-type]
                elif kind == "tool_use":
                    args = json.dumps(block.get("input", {}), ensure_ascii=False)
                    calls.append(
                        {
                            "id": block.get("id"),
                            "type": "function",
                            "function": {"name": block.get("name"), "arguments": args},
                        }
                    )
                elif kind == "tool_result":
                    text, _ = self.convert_tool_result_to_string(block.get("output"))  # type: ignore[arg-type]
                    out.append(
                        {
                            "role": "tool",
                            "tool_call_id": block.get("id"),
                            "content": text,
                            "name": block.get("name"),
                        }
                    )
                else:
                    logger.warning("DeepSeekChatFormatter skips unsupported %r block", kind)
            content = "\n".join(texts)
            message: dict[str, Any] = {
                "role": msg.role,
                "content": content or (None if calls else ""),
            }
            if thoughts and "\n".join(thoughts):
                message["reasoning_content"] = "\n".join(thoughts)
            if calls:
                message["tool_calls"] = calls
            if message["content"] or calls:
                out.append(message)
        return out


class DeepSeekMultiAgentFormatter(MultiAgentFormatterBase):
    """Formats a conversation among several agents for DeepSeek's chat API: runs of
    plain messages become one user message of ``name: text`` lines in ``<history>``.

    Example:
        >>> import asyncio
        >>> msgs = [Msg("Alice", "Hi", "assistant")]
        >>> asyncio.run(DeepSeekMultiAgentFormatter(conversation_history_prompt="").format(msgs))
        [{'role': 'user', 'content': '<history>\\nAlice: Hi\\n</history>'}]
    """

    support_tools_api: bool = True
    support_multiagent: bool = True
    support_vision: bool = False

    chat_formatter = DeepSeekChatFormatter

    async def _format_agent_message(
        self, msgs: list[Msg], is_first: bool = True
    ) -> list[dict[str, Any]]:
        lines = named_lines(msgs)
        if not lines:
            return []
        prompt = self.conversation_history_prompt if is_first else ""
        return [{"role": "user", "content": history_text(lines, prompt)}]
