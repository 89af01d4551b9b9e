"""Messages and content blocks (AgentScope 1.x compatible)."""

from ._blocks import (
    AudioBlock,
    Base64Source,
    ContentBlock,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    URLSource,
    VideoBlock,
)
from ._msg import Msg

__all__ = [
    "Msg",
    "ContentBlock",
    "TextBlock",
    "ThinkingBlock",
    "ToolUseBlock",
    "ToolResultBlock",
    "ImageBlock",
    "AudioBlock",
    "VideoBlock",
    "Base64Source",
    "URLSource",
]
