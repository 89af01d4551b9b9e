"""``AudioBuffer``: audio a vendor SDK delivers on its own thread, read from asyncio."""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import AsyncGenerator

from ._response import TTSResponse, audio_block

WAIT_S = 120.0
"""How long a reader waits for the server before giving up (seconds)."""


class AudioBuffer:
    """Collects PCM pieces from an SDK callback thread; ``finish_event`` is set when the
    utterance ends (or the connection drops), ``chunk_event`` when new audio arrived.

    Mixed into each SDK's callback class by the model modules; use alone for tests.

    Example:
        >>> buf = AudioBuffer(); buf.add_audio(b"ab"); buf.has_audio_data()
        True
    """

    media_type = "audio/pcm;rate=24000"

    def __init__(self) -> None:
        self.chunk_event = threading.Event()
        self.finish_event = threading.Event()
        self._audio = bytearray()
        self._lock = threading.Lock()
        self.error: str | None = None

    # -- fed by the SDK thread --------------------------------------------------------------
    def add_audio(self, piece: bytes | str) -> None:
        """Append a piece (raw bytes, or base64 text as some servers send)."""
        raw = base64.b64decode(piece) if isinstance(piece, str) else piece
        with self._lock:
            self._audio += raw
        self.chunk_event.set()

    def finish(self, error: str | None = None) -> None:
        """Mark the utterance done; ``error`` when the connection failed or dropped."""
        if error and not self.error:
            self.error = error
        self.chunk_event.set()
        self.finish_event.set()

    # -- read from asyncio ------------------------------------------------------------------
    def has_audio_data(self) -> bool:
        return bool(self._audio)

    def _response(self, *, is_last: bool) -> TTSResponse:
        with self._lock:
            data = bytes(self._audio)
        if not data:
            return TTSResponse(content=None, is_last=is_last)
        return TTSResponse(content=audio_block(data, self.media_type), is_last=is_last)

    async def _wait(self, event: threading.Event) -> None:
        if not await asyncio.to_thread(event.wait, WAIT_S):
            raise TimeoutError(f"TTS server sent nothing for {WAIT_S:.0f} s")

    async def get_audio_data(self, block: bool = True) -> TTSResponse:
        """All audio so far (after the end of the utterance when ``block``)."""
        if block:
            await self._wait(self.finish_event)
        response = self._response(is_last=block)
        if block:
            await self._reset()
        return response

    async def get_audio_chunk(self) -> AsyncGenerator[TTSResponse, None]:
        """Cumulative chunks as audio arrives; the last one has ``is_last=True``."""
        while not self.finish_event.is_set():
            await self._wait(self.chunk_event)
            self.chunk_event.clear()
            if self.finish_event.is_set():
                break
            yield self._response(is_last=False)
        yield self._response(is_last=True)
        await self._reset()

    async def _reset(self) -> None:
        with self._lock:
            self._audio = bytearray()
        self.chunk_event.clear()
        self.finish_event.clear()
