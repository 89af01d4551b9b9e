"""``STTModelBase``: turn a recording into text."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class STTResponse:
    """What a recogniser heard.

    Example:
        >>> STTResponse(text="what time is it", language="en").language
        'en'
    """

    text: str
    language: str | None = None
    duration_s: float | None = None
    segments: tuple[tuple[float, float, str], ...] = field(default_factory=tuple)


class STTModelBase(ABC):
    """A speech recogniser: ``await model.transcribe(audio)`` gives an ``STTResponse``.

    ``audio`` is one whole recording as bytes; ``media_type`` says its container (``audio/wav``
    is the one every implementation must read; the browser's ``audio/webm`` is decoded where
    the implementation can). Bad audio raises ``ValueError`` with one line naming the problem.

    Example:
        >>> class Echo(STTModelBase):
        ...     model_name = "echo"
        ...     async def transcribe(self, audio, *, media_type="audio/wav", language=None):
        ...         return STTResponse(text=audio.decode())
        >>> import asyncio
        >>> asyncio.run(Echo().transcribe(b"hi")).text
        'hi'
    """

    model_name: str

    @abstractmethod
    async def transcribe(
        self,
        audio: bytes,
        *,
        media_type: str = "audio/wav",
        language: str | None = None,
    ) -> STTResponse:
        """Recognise the speech in ``audio``."""
