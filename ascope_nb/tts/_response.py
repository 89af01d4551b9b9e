"""What a TTS model returns: ``TTSResponse`` with ``TTSUsage`` (AgentScope 1.x shapes)."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..message import AudioBlock, Base64Source


def _now(*, compact: bool = False) -> str:
    stamp = datetime.now()
    if compact:
        return stamp.strftime("%Y%m%d%H%M%S%f")
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@dataclass
class TTSUsage:
    """Token counts and wall time (seconds) of one TTS call."""

    input_tokens: int
    output_tokens: int
    time: float
    type: Literal["tts"] = "tts"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TTSResponse:
    """Speech as one audio block; in a stream ``is_last`` marks the final chunk.

    Example:
        >>> TTSResponse(content=None).is_last
        True
    """

    content: AudioBlock | None
    id: str = field(default_factory=lambda: _now(compact=True))
    created_at: str = field(default_factory=_now)
    type: Literal["tts"] = "tts"
    usage: TTSUsage | None = None
    metadata: dict[str, Any] | None = None
    is_last: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def audio_block(data: str | bytes, media_type: str) -> AudioBlock:
    """An ``AudioBlock`` with inline base64 data (``bytes`` are encoded first).

    Example:
        >>> audio_block(b"ab", "audio/pcm")["source"]["data"]
        'YWI='
    """
    if isinstance(data, bytes):
        data = base64.b64encode(data).decode("ascii")
    return AudioBlock(
        type="audio", source=Base64Source(type="base64", data=data, media_type=media_type)
    )
