"""Speaking a reply as it is synthesized: ``SpeechStarted``, ``SpeechChunk`` events (16-bit
mono PCM, base64, at most ``CHUNK_BYTES`` each) the live view plays at once, ``SpeechEnded``,
then the whole audio as one message (``metadata["speech_of"]``) for transcripts and saves.

Models that take whole text speak the reply sentence by sentence (the first audio comes after
the first sentence, and each chunk names the text it speaks, which the view highlights);
streaming-input models get the whole reply as one utterance. Cancelling the reply (Stop,
barge-in) ends the speech at once with ``status="interrupted"`` and keeps what was spoken.

Example:
    >>> sentence_spans("Hi there. How are you?")
    [(0, 9), (10, 22)]
"""

from __future__ import annotations

import asyncio
import base64
import io
import re
import wave
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

from .._ids import new_id
from .._logging import logger
from ..events import MessageCompleted, SpeechChunk, SpeechEnded, SpeechStarted
from ..message import Msg
from ..redact import redact_text
from ._speech import collect_speech, pcm_to_wav, playable_block

if TYPE_CHECKING:
    from ..tts import TTSModelBase

CHUNK_BYTES = 32_000
"""Raw PCM bytes per ``SpeechChunk`` (0.67 s at 24 kHz; 43 KB of base64 on the comm)."""

_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；])\s+|\n+")
_PCM_RATE = re.compile(r"rate=(\d+)")


class NotPCM(ValueError):
    """The TTS model's audio is not WAV or raw PCM (mp3, opus...): it cannot be streamed."""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (blank ones left out)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def decode_pcm(block: Any) -> tuple[bytes, int] | None:
    """16-bit mono PCM and its rate from an audio block (WAV or ``audio/pcm;rate=N``)."""
    source = (block or {}).get("source") or {}
    if source.get("type") != "base64" or not source.get("data"):
        return None
    data = base64.b64decode(source["data"])
    media_type = str(source.get("media_type", "audio/pcm"))
    if media_type.startswith(("audio/pcm", "audio/L16")):
        found = _PCM_RATE.search(media_type)
        return data, int(found.group(1)) if found else 24000
    if media_type in ("audio/wav", "audio/x-wav", "audio/wave"):
        with wave.open(io.BytesIO(data)) as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise NotPCM(
                    f"WAV with {wav.getnchannels()} channel(s) of {8 * wav.getsampwidth()} bits "
                    "(16-bit mono streams)"
                )
            return wav.readframes(wav.getnframes()), wav.getframerate()
    raise NotPCM(f"{media_type} audio cannot be streamed (WAV or raw PCM can)")


async def pcm_pieces(tts: TTSModelBase, msg: Msg) -> AsyncIterator[tuple[bytes, int, str]]:
    """The new PCM of each piece ``tts`` makes for ``msg``, as it comes. Streamed chunks are
    cumulative (AgentScope's convention) unless the model says
    ``stream_chunks_cumulative = False``; then a last chunk (``is_last``) that repeats the
    previous piece (OpenAI) or all of it is skipped, and one with new audio is kept. The third
    item is the sentence a chunk says it speaks (``metadata["text"]``, as ``LocalTTSModel``
    gives), else ""."""
    cumulative = bool(getattr(tts, "stream_chunks_cumulative", True))
    if tts.supports_streaming_input:
        async with tts:
            await tts.push(msg)
            result: Any = await tts.synthesize(msg)
            async for piece in _pieces(result, stream=tts.stream, cumulative=cumulative):
                yield piece
        return
    async for piece in _pieces(await tts.synthesize(msg), stream=tts.stream, cumulative=cumulative):
        yield piece


async def _pieces(
    result: Any, *, stream: bool, cumulative: bool
) -> AsyncIterator[tuple[bytes, int, str]]:
    if not stream:
        found = decode_pcm(result.content)
        if found is not None and found[0]:
            yield found[0], found[1], ""
        return
    seen = previous = b""
    async for chunk in result:
        found = decode_pcm(chunk.content)
        if found is None:
            continue
        pcm, rate = found
        if cumulative:
            new = pcm[len(seen) :] if pcm.startswith(seen) else pcm
            seen = pcm
        elif chunk.is_last and pcm in (previous, seen):
            continue  # a repeat at the end, not new audio
        else:
            new, seen, previous = pcm, seen + pcm, pcm
        if new:
            yield new, rate, str((chunk.metadata or {}).get("text") or "")


class SpeechEmitter:
    """Emits one speech's events through ``emit`` (an agent's ``_emit``)."""

    def __init__(self, emit: Any, *, agent: str, msg_id: str, text: str) -> None:
        self.emit = emit
        self.agent = agent
        self.msg_id = msg_id
        self.text = text
        self.speech_id = new_id()
        self.rate = 0
        self.pcm = bytearray()
        self._pending = b""
        self._index = 0

    @property
    def started(self) -> bool:
        return self.rate > 0

    def add(self, pcm: bytes, rate: int, *, text_start: int = 0, text_end: int = -1) -> None:
        """Emit ``pcm`` (the first call emits ``SpeechStarted``) in ``CHUNK_BYTES`` pieces."""
        if not self.started:
            self.rate = rate
            self.emit(
                SpeechStarted(
                    speech_id=self.speech_id, msg_id=self.msg_id, text=self.text, sample_rate=rate
                )
            )
        data = self._pending + pcm
        whole = len(data) // 2 * 2
        self._pending = data[whole:]
        end = len(self.text) if text_end < 0 else text_end
        for start in range(0, whole, CHUNK_BYTES):
            piece = data[start : min(start + CHUNK_BYTES, whole)]
            self.pcm += piece
            self.emit(
                SpeechChunk(
                    speech_id=self.speech_id,
                    index=self._index,
                    data=base64.b64encode(piece).decode("ascii"),
                    text_start=text_start,
                    text_end=end,
                )
            )
            self._index += 1

    def end(
        self, status: Literal["completed", "interrupted", "error"], error: str | None = None
    ) -> Msg | None:
        """Emit ``SpeechEnded`` and the whole audio as one message (None if nothing spoken)."""
        if not self.started:
            return None
        duration = len(self.pcm) / 2 / self.rate
        self.emit(
            SpeechEnded(
                speech_id=self.speech_id,
                msg_id=self.msg_id,
                status=status,
                duration=round(duration, 3),
                error=error,
            )
        )
        if not self.pcm:
            return None
        wav = pcm_to_wav(bytes(self.pcm), rate=self.rate)
        msg = Msg(
            self.agent,
            [playable_block(wav, "audio/wav")],
            "assistant",
            metadata={
                "speech_of": self.msg_id,
                "speech": {"speech_id": self.speech_id, "status": status, "duration": duration},
            },
        )
        self.emit(MessageCompleted(msg=msg.to_dict(), added_to_memory=False))
        return msg


async def stream_speech(agent: Any, reply: Msg) -> Msg | None:
    """Speak ``reply`` with ``agent.tts_model``, emitting the audio as it is synthesized;
    returns the whole-audio message. A TTS error propagates (the caller warns once); a
    cancellation ends the speech as interrupted and propagates too."""
    tts = agent.tts_model
    text = reply.get_text_content() or ""
    speech = SpeechEmitter(agent._emit, agent=agent.name, msg_id=reply.id, text=text)
    spans = [(0, len(text))] if tts.supports_streaming_input else sentence_spans(text)
    try:
        for start, end in spans:
            part = reply if len(spans) == 1 else Msg(agent.name, text[start:end], "assistant")
            cursor = start
            async for pcm, rate, said in pcm_pieces(tts, part):
                found = text.find(said, cursor, end) if said else -1
                if found >= 0:  # the model named the sentence this audio speaks
                    cursor = found + len(said)
                    speech.add(pcm, rate, text_start=found, text_end=cursor)
                else:
                    speech.add(pcm, rate, text_start=start, text_end=end)
    except asyncio.CancelledError:
        speech.end("interrupted")
        raise
    except Exception as exc:
        if speech.started:  # audio already played: say how it ended, then let it be reported
            speech.end("error", error=f"{type(exc).__name__}: {exc}")
        raise
    return speech.end("completed")


async def speak(agent: Any, reply: Msg) -> Msg | None:
    """Speak ``reply`` with ``agent.tts_model``: streamed (WAV / PCM audio) or, for another
    codec, as one audio message once whole. A failing TTS service costs the voice, not the
    reply: one warning line (redacted); a cancellation (Stop) propagates."""
    tts = agent.tts_model
    if tts is None or not reply.get_text_content():
        return None
    try:
        try:
            return await stream_speech(agent, reply)
        except NotPCM:
            speech = await collect_speech(tts, reply)
    except Exception as exc:  # the reply stands; say once why it is silent
        logger.warning(
            "%s: no speech from %s: %s",
            agent.name,
            getattr(tts, "model_name", type(tts).__name__),
            redact_text(f"{type(exc).__name__}: {exc}"),
        )
        return None
    if speech is None:
        return None
    msg = Msg(agent.name, [playable_block(*speech)], "assistant", metadata={"speech_of": reply.id})
    agent._emit(MessageCompleted(msg=msg.to_dict(), added_to_memory=False))
    return msg


__all__ = ["speak", "stream_speech", "sentence_spans", "SpeechEmitter", "CHUNK_BYTES", "NotPCM"]
