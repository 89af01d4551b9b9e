"""Audio helpers of speaking a reply: PCM as WAV, playable blocks, and the whole audio of a
(possibly streamed) TTS answer (``_speech_stream`` speaks a reply as it is synthesized)."""

from __future__ import annotations

import base64
import io
import re
import wave
from typing import TYPE_CHECKING, Any

from ..events import MessageCompleted
from ..message import AudioBlock, Base64Source, Msg

if TYPE_CHECKING:
    from ..tts import TTSModelBase

_PCM_RATE = re.compile(r"rate=(\d+)")


def pcm_to_wav(pcm: bytes, *, rate: int = 24000) -> bytes:
    """16-bit mono PCM as a WAV file (what a browser's ``<audio>`` plays).

    Example:
        >>> pcm_to_wav(b"\\x00\\x00" * 10)[:4]
        b'RIFF'
    """
    from ..tts._wav import wav_bytes

    return wav_bytes(pcm, rate=rate)


def playable_block(audio: bytes, media_type: str) -> AudioBlock:
    """An ``AudioBlock`` a browser can play: raw PCM (``audio/pcm;rate=N``) becomes WAV."""
    if media_type.startswith("audio/pcm") or media_type.startswith("audio/L16"):
        found = _PCM_RATE.search(media_type)
        audio = pcm_to_wav(audio, rate=int(found.group(1)) if found else 24000)
        media_type = "audio/wav"
    data = base64.b64encode(audio).decode("ascii")
    return AudioBlock(
        type="audio", source=Base64Source(type="base64", data=data, media_type=media_type)
    )


def _bytes_of(block: Any) -> tuple[bytes, str] | None:
    source = (block or {}).get("source") or {}
    if source.get("type") != "base64" or not source.get("data"):
        return None
    return base64.b64decode(source["data"]), str(source.get("media_type", "audio/pcm"))


async def collect_speech(tts: TTSModelBase, msg: Msg) -> tuple[bytes, str] | None:
    """All the audio ``tts`` makes for ``msg``, streamed or not. Streamed chunks are taken
    as cumulative (AgentScope's convention) unless the model says
    ``stream_chunks_cumulative = False`` (OpenAI: each chunk its own bytes, the last a repeat).
    """
    cumulative = bool(getattr(tts, "stream_chunks_cumulative", True))
    if tts.supports_streaming_input:
        async with tts:
            await tts.push(msg)
            result: Any = await tts.synthesize(msg)
            return await _gather(result, stream=tts.stream, cumulative=cumulative)
    return await _gather(await tts.synthesize(msg), stream=tts.stream, cumulative=cumulative)


async def _gather(result: Any, *, stream: bool, cumulative: bool) -> tuple[bytes, str] | None:
    if not stream:
        return _bytes_of(result.content)
    audio, media_type, wav_rate = b"", "audio/pcm", 0
    async for chunk in result:
        found = _bytes_of(chunk.content)
        if found is None:
            continue
        if cumulative:
            audio, media_type = found
        elif not chunk.is_last:
            part, media_type = found
            if media_type == "audio/wav":  # one WAV per chunk (LocalTTSModel): keep the samples
                part, wav_rate = _wav_frames(part)
            audio += part
    if audio and wav_rate:
        audio = pcm_to_wav(audio, rate=wav_rate)
    return (audio, media_type) if audio else None


def _wav_frames(data: bytes) -> tuple[bytes, int]:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.readframes(wav.getnframes()), wav.getframerate()


def emit_speech(agent: Any, msg: Msg, speech: Any) -> Msg:
    """Emit ``speech`` (an ``AudioBlock`` or a list of them, given to ``print``) as one audio
    message after ``msg``; base64 PCM becomes WAV so a browser plays it."""
    blocks = speech if isinstance(speech, list) else [speech]
    playable = []
    for block in blocks:
        found = _bytes_of(block)
        playable.append(playable_block(*found) if found is not None else block)
    out = Msg(agent.name, playable, "assistant", metadata={"speech_of": msg.id})
    agent._emit(MessageCompleted(msg=out.to_dict(), added_to_memory=False))
    return out
