"""What a chat model returns: ``ChatResponse`` with ``ChatUsage`` (AgentScope 1.x shapes)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .._ids import new_id, timestamp
from ..message import AudioBlock, TextBlock, ThinkingBlock, ToolUseBlock

ResponseBlock = TextBlock | ToolUseBlock | ThinkingBlock | AudioBlock


def _created_at() -> str:
    return timestamp()  # the text of datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@dataclass
class ChatUsage:
    """Token counts and wall time (seconds) of one model call."""

    input_tokens: int
    output_tokens: int
    time: float
    type: Literal["chat"] = "chat"
    metadata: dict[str, Any] | None = None
    """Server timings when known: ``ttft`` (seconds to the first token), ``prompt_tok_s``,
    ``gen_tok_s``, ``cached_tokens`` (prompt tokens reused from the server's cache)."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if out["metadata"] is None:
            del out["metadata"]
        return out


@dataclass
class ChatResponse:
    """A model's answer as content blocks. In a stream each chunk is cumulative.

    Example:
        >>> ChatResponse(content=[{"type": "text", "text": "hi"}]).content[0]["text"]
        'hi'
    """

    content: list[ResponseBlock]
    id: str = field(default_factory=new_id)
    created_at: str = field(default_factory=_created_at)
    type: Literal["chat"] = "chat"
    usage: ChatUsage | None = None
    metadata: dict[str, Any] | None = None
