"""A ``RealtimeAgent`` in a voice conversation: its ``ServerEvents`` become the run's events.

Each model response is one reply: ``ReplyStarted``; the transcript as ``TextDelta``; the
audio as ``SpeechStarted`` / ``SpeechChunk`` / ``SpeechEnded`` (played as it comes, like a
ReAct agent's speech); the transcript as the reply's ``MessageCompleted``; ``ReplyEnded``.
What the person said comes back from the model's input transcription as a user message.
Barge-in ends the response in progress at once ("interrupted") and drops the rest of its
audio; the model itself learns of the interruption from the new audio (server-side voice
activity detection, as the realtime services do).
"""

from __future__ import annotations

import asyncio
import base64
import io
import wave
from collections.abc import Callable
from typing import Any

from .._ids import new_id
from ..agent._realtime import RealtimeAgent, resample_pcm16
from ..agent._speech_stream import SpeechEmitter
from ..events import (
    Event,
    MessageCompleted,
    ReplyEnded,
    ReplyStarted,
    RunContext,
    RunStatus,
    TextDelta,
)
from ..message import Msg
from ..realtime import ClientEvents, ServerEvents
from ..realtime._events import AudioFormat


def wav_to_pcm16(audio: bytes) -> tuple[bytes, int]:
    """The 16-bit mono PCM of a WAV recording and its rate (``ValueError``: one line)."""
    try:
        with wave.open(io.BytesIO(audio)) as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise ValueError(
                    f"the recording is {wav.getnchannels()} channel(s) of "
                    f"{8 * wav.getsampwidth()} bits; 16-bit mono is needed"
                )
            return wav.readframes(wav.getnframes()), wav.getframerate()
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a WAV recording ({len(audio)} bytes): {exc}") from None


class _Response:
    def __init__(self, bridge: RealtimeBridge) -> None:
        self.reply_id = new_id()
        self.msg_id = new_id()
        self.block_id = new_id()
        self.text = ""
        self.speech = SpeechEmitter(
            lambda e: bridge.emit(e, self.reply_id),
            agent=bridge.agent.name,
            msg_id=self.msg_id,
            text="",
        )


class RealtimeBridge:
    """Runs ``agent`` for a voice conversation whose events go to ``ctx``."""

    def __init__(
        self, agent: RealtimeAgent, ctx: RunContext, *, notice: Callable[[str], None]
    ) -> None:
        self.agent = agent
        self.ctx = ctx
        self.notice = notice
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self._response: _Response | None = None
        self._waiting: list[asyncio.Future[Msg | None]] = []

    @property
    def replying(self) -> bool:
        return self._response is not None

    def emit(self, event: Event, reply_id: str = "") -> None:
        event.agent = event.agent or self.agent.name
        event.reply_id = event.reply_id or reply_id
        self.ctx.emit(event)

    async def start(self) -> None:
        await self.agent.start(self._queue)
        self._pump = asyncio.get_running_loop().create_task(self._forward())

    async def stop(self) -> None:
        self.barge_in()
        if self._pump is not None:
            self._pump.cancel()
            await asyncio.gather(self._pump, return_exceptions=True)
        await self.agent.stop()

    async def hear(self, audio: bytes, *, media_type: str) -> Msg | None:
        """Send one recording; returns the reply it gets (None if interrupted first)."""
        if media_type != "audio/wav":
            raise ValueError(f"a realtime agent takes audio/wav recordings, got {media_type!r}")
        pcm, rate = wav_to_pcm16(audio)
        rate_in = self.agent.model.input_sample_rate
        data = resample_pcm16(base64.b64encode(pcm).decode("ascii"), rate, rate_in)
        waiter: asyncio.Future[Msg | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        await self.agent.handle_input(
            ClientEvents.ClientAudioAppendEvent(
                session_id="", audio=data, format=AudioFormat(type="audio/pcm", rate=rate_in)
            )
        )
        return await waiter

    def barge_in(self) -> None:
        """End the response in progress now (interrupted); its late audio is dropped."""
        self._finish("interrupted")

    def _finish(self, status: RunStatus) -> None:
        response, self._response = self._response, None
        if response is None:
            return
        response.speech.end("completed" if status == "completed" else "interrupted")
        msg = Msg(self.agent.name, response.text, "assistant")
        msg.id = response.msg_id
        if status != "completed":
            msg.metadata = {"_is_interrupted": True}
        self.emit(MessageCompleted(msg=msg.to_dict()), response.reply_id)
        self.emit(ReplyEnded(msg_id=msg.id, status=status), response.reply_id)
        if self._waiting:
            waiter = self._waiting.pop(0)
            if not waiter.done():
                waiter.set_result(msg)

    async def _forward(self) -> None:
        S = ServerEvents
        while True:
            event = await self._queue.get()
            response = self._response
            if isinstance(event, S.AgentResponseCreatedEvent):
                self._finish("interrupted")  # a new answer replaces an unfinished one
                self._response = _Response(self)
                self.emit(ReplyStarted(), self._response.reply_id)
            elif isinstance(event, S.AgentInputTranscriptionDoneEvent):
                user = Msg("user", event.transcript, "user", metadata={"voice": {"realtime": True}})
                self.emit(MessageCompleted(msg=user.to_dict(), added_to_memory=False))
            elif response is None:
                continue  # the rest of an interrupted answer
            elif isinstance(event, S.AgentResponseAudioDeltaEvent):
                rate = int(getattr(event.format, "rate", 0) or self.agent.model.output_sample_rate)
                response.speech.add(base64.b64decode(event.delta), rate)
            elif isinstance(event, S.AgentResponseAudioTranscriptDeltaEvent):
                response.text += event.delta
                response.speech.text = response.text
                self.emit(
                    TextDelta(
                        msg_id=response.msg_id, block_id=response.block_id, delta=event.delta
                    ),
                    response.reply_id,
                )
            elif isinstance(event, S.AgentResponseDoneEvent):
                self._finish("completed")
            elif isinstance(event, S.AgentErrorEvent):
                self.notice(f"voice: {self.agent.name}: {event.message}")
                self._finish("error")
