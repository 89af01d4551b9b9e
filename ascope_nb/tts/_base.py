"""``TTSModelBase``: the one interface every text-to-speech model here implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import Any

from ..message import Msg
from ._response import TTSResponse


class TTSModelBase(ABC):
    """Turn a message's text into speech (AgentScope 1.x API).

    Models that take text as it streams (``supports_streaming_input``) hold a connection:
    use them as ``async with model:`` (or ``connect()`` / ``close()``), ``push(msg)`` each
    growing version of the message, then ``synthesize()`` to wait for the rest of the audio.
    The others only implement ``synthesize(msg)``. With ``stream=True`` ``synthesize`` returns
    an async generator of ``TTSResponse`` chunks, the last one with ``is_last=True``.

    Example:
        >>> from ascope_nb.tts import OpenAITTSModel  # doctest: +SKIP
        >>> speech = await OpenAITTSModel(api_key="...", stream=False).synthesize(msg)  # doctest: +SKIP
    """

    supports_streaming_input: bool = False
    model_name: str
    stream: bool

    def __init__(self, model_name: str, stream: bool) -> None:
        self.model_name = model_name
        self.stream = stream

    def _set_voice_options(self, voice: str, generate_kwargs: dict[str, Any] | None) -> None:
        """Keep the voice and the extra request options every vendor's constructor takes."""
        self.voice = voice
        self.generate_kwargs = dict(generate_kwargs or {})

    async def __aenter__(self) -> TTSModelBase:
        if self.supports_streaming_input:
            await self.connect()
        return self

    async def __aexit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if self.supports_streaming_input:
            await self.close()

    async def connect(self) -> None:
        """Open the connection (streaming-input models only)."""
        raise NotImplementedError(f"{type(self).__name__} has no connect(): it takes whole text")

    async def close(self) -> None:
        """Close the connection (streaming-input models only)."""
        raise NotImplementedError(f"{type(self).__name__} has no close(): it takes whole text")

    async def push(self, msg: Msg, **kwargs: Any) -> TTSResponse:
        """Send the new part of ``msg``'s text; returns the audio received so far (may be
        empty). ``msg.id`` names the utterance (streaming-input models only)."""
        raise NotImplementedError(f"{type(self).__name__} has no push(): it takes whole text")

    @abstractmethod
    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        """Speech for ``msg`` (or, for streaming-input models with ``msg=None``, for all the
        text pushed so far): one response, or a generator of chunks when ``stream``."""
