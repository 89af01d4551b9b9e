"""``OpenAIStyleRealtimeModel``: what the OpenAI and DashScope realtime models share (a keyed
WebSocket URL, the OpenAI-style parser, conversation items)."""

from __future__ import annotations

from typing import Any

from ..message import ToolResultBlock
from ..tts._keys import require_key
from ._base import RealtimeModelBase, tool_output_text
from ._openai_protocol import OpenAIStyleParser


class OpenAIStyleRealtimeModel(OpenAIStyleParser, RealtimeModelBase):
    """A realtime model speaking the OpenAI-style protocol; subclasses name the key's
    environment variable (``_key_env``) and the event names (``_names``).

    Example:
        >>> from ascope_nb.realtime import OpenAIRealtimeModel
        >>> issubclass(OpenAIRealtimeModel, OpenAIStyleRealtimeModel)
        True
    """

    _key_env: str

    def __init__(
        self,
        model_name: str,
        api_key: str,
        voice: str,
        enable_input_audio_transcription: bool,
        *,
        base_url: str,
        generate_kwargs: dict[str, Any] | None,
    ) -> None:
        super().__init__(model_name)
        self._set_voice_options(voice, enable_input_audio_transcription, generate_kwargs)
        self.websocket_url = f"{base_url}?model={model_name}"
        api_key = require_key(api_key, env=self._key_env, who=type(self).__name__)
        self.websocket_headers = {"Authorization": f"Bearer {api_key}"}
        self._init_parser()

    @staticmethod
    def _function_tools(tools: list[dict]) -> list[dict]:
        """Tool schemas as the session's flat ``{"type": "function", "name": ...}`` entries."""
        return [{"type": "function", **t.get("function", t)} for t in tools]

    async def _send_user_item(self, content: dict[str, Any]) -> None:
        item = {"type": "message", "role": "user", "content": [content]}
        await self._send_json({"type": "conversation.item.create", "item": item})

    async def _send_tool_result(self, data: ToolResultBlock) -> None:
        item = {
            "type": "function_call_output",
            "call_id": data["id"],
            "output": tool_output_text(data),
        }
        await self._send_json({"type": "conversation.item.create", "item": item})
