"""What a tool returns: ``ToolResponse`` (AgentScope 1.x shape)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._ids import new_id
from ..message import AudioBlock, ImageBlock, TextBlock, VideoBlock

ToolOutputBlock = TextBlock | ImageBlock | AudioBlock | VideoBlock


@dataclass
class ToolResponse:
    """A tool's output as blocks. Streaming tools yield several; each chunk is cumulative.

    Example:
        >>> ToolResponse(content=[{"type": "text", "text": "4"}]).content[0]["text"]
        '4'
    """

    content: list[ToolOutputBlock]
    metadata: dict[str, Any] | None = None
    stream: bool = False
    is_last: bool = True
    is_interrupted: bool = False
    id: str = field(default_factory=new_id)
