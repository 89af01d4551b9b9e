"""Multimodal tools (AgentScope 1.x ``agentscope.tool``): images and audio made or read by
OpenAI and DashScope. Each takes the vendor key as ``api_key`` and returns a
``ToolResponse`` of image / audio / text blocks; a failure is one text block saying why.
"""

from ._dashscope_tools import (
    dashscope_image_to_text,
    dashscope_text_to_audio,
    dashscope_text_to_image,
)
from ._openai_tools import (
    openai_audio_to_text,
    openai_create_image_variation,
    openai_edit_image,
    openai_image_to_text,
    openai_text_to_audio,
    openai_text_to_image,
)

__all__ = [
    "dashscope_image_to_text",
    "dashscope_text_to_audio",
    "dashscope_text_to_image",
    "openai_text_to_image",
    "openai_text_to_audio",
    "openai_edit_image",
    "openai_create_image_variation",
    "openai_image_to_text",
    "openai_audio_to_text",
]
