"""``OpenAIStyleRealtimeModel``: what the OpenAI and DashScope realtime models share (a keyed
WebSocket URL, the OpenAI-style parser, conversation items)."""

from __future__ import annotations

from typing import Any, ClassVar

from ..message import ToolResultBlock
from ..tts._keys import require_key
from ._base import RealtimeModelBase, tool_output_text
from ._openai_protocol import OpenAIStyleParser


class OpenAIStyleRealtimeModel(OpenAIStyleParser, RealtimeModelBase):
    """A realtime model speaking the OpenAI-style protocol; subclasses name the key's
    environment variable (``_key_env``), the event names (``_names``), the default voice
    and endpoint (``default_voice``, ``default_base_url``).

    Example:
        >>> from ascope_nb.realtime import OpenAIRealtimeModel
        >>> issubclass(OpenAIRealtimeModel, OpenAIStyleRealtimeModel)
        True
    """

    _key_env: str
    default_voice: ClassVar[str]
    default_base_url: ClassVar[str]

    def __init__(
        self,
        model_name: str,
        api_key: str,
        voice: str | None = None,
        enable_input_audio_transcription: bool = True,
        *,
        base_url: str | None = None,
        generate_kwargs: dict[str, Any] | None = None,
    ) -> None:
        """``voice`` and ``base_url`` default to the class's ``default_voice`` and
        ``default_base_url``."""
        super().__init__(model_name)
        voice = self.default_voice if voice is None else voice
        base_url = self.default_base_url if base_url is None else base_url
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
