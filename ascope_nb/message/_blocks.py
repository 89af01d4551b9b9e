"""Content blocks: plain dicts typed as TypedDicts, as in AgentScope 1.x."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict


class Base64Source(TypedDict):
    """Inline media: ``{"type": "base64", "media_type": "image/png", "data": "..."}``."""

    type: Literal["base64"]
    media_type: str
    data: str


class URLSource(TypedDict):
    """Media by reference: ``{"type": "url", "url": "https://..."}``."""

    type: Literal["url"]
    url: str


class TextBlock(TypedDict):
    """``{"type": "text", "text": "Hello"}``."""

    type: Literal["text"]
    text: str


class ThinkingBlock(TypedDict):
    """The model's reasoning: ``{"type": "thinking", "thinking": "..."}``."""

    type: Literal["thinking"]
    thinking: str


class ToolUseBlock(TypedDict):
    """A tool call: ``{"type": "tool_use", "id": "call_1", "name": "add", "input": {"a": 1}}``."""

    type: Literal["tool_use"]
    id: str
    name: str
    input: dict
    raw_input: NotRequired[str]


class ImageBlock(TypedDict):
    """``{"type": "image", "source": {...}}``."""

    type: Literal["image"]
    source: Base64Source | URLSource


class AudioBlock(TypedDict):
    """``{"type": "audio", "source": {...}}``."""

    type: Literal["audio"]
    source: Base64Source | URLSource


class VideoBlock(TypedDict):
    """``{"type": "video", "source": {...}}``."""

    type: Literal["video"]
    source: Base64Source | URLSource


class ToolResultBlock(TypedDict):
    """A tool's result, matched to its call by ``id``."""

    type: Literal["tool_result"]
    id: str
    name: str
    output: str | list[TextBlock | ImageBlock | AudioBlock | VideoBlock]


ContentBlock = (
    TextBlock
    | ThinkingBlock
    | ToolUseBlock
    | ToolResultBlock
    | ImageBlock
    | AudioBlock
    | VideoBlock
)

ContentBlockTypes = Literal[
    "text", "thinking", "tool_use", "tool_result", "image", "audio", "video"
]
