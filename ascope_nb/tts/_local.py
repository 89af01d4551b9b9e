"""``LocalTTSModel``: offline English speech, no key, no network (``ascope-nb[voice-local]``).

A Piper voice (``en_US-joe-medium``, VITS, ONNX) runs in onnxruntime on the CPU; the words
are read by an espeak-free front end (misaki's lexicon, ``_english_g2p``). Text is spoken
sentence by sentence, so with ``stream=True`` the first sentence's audio arrives while the
rest is still being synthesized.

Example:
    >>> from ascope_nb.message import Msg
    >>> tts = LocalTTSModel(stream=False)  # doctest: +SKIP
    >>> speech = await tts.synthesize(Msg("Friday", "Hello from the notebook.", "assistant"))  # doctest: +SKIP
    >>> speech.content["source"]["media_type"]  # doctest: +SKIP
    'audio/wav'
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from ..message import Msg
from ._base import TTSModelBase
from ._incremental import IncrementalText
from ._response import TTSResponse, TTSUsage, audio_block
from ._sentences import complete_sentences, split_sentences
from ._wav import wav_bytes

DEFAULT_MODEL = "piper-en_US-joe-medium"


class _Sentence:
    """One sentence on its way to audio (a task running in a worker thread)."""

    def __init__(self, index: int, text: str, task: asyncio.Task[bytes]) -> None:
        self.index, self.text, self.task = index, text, task


class _Utterance:
    """The sentences of one message: queued (synthesizing), and spoken (kept unless streamed)."""

    def __init__(self) -> None:
        self.text = IncrementalText()
        self.pending = ""
        self.queue: list[_Sentence] = []
        self.spoken: list[bytes] = []
        self.next_index = 0
        self.started = time.monotonic()

    def cancel(self) -> None:
        for sentence in self.queue:
            sentence.task.cancel()
        self.queue.clear()

    async def take(self) -> tuple[_Sentence, bytes]:
        sentence = self.queue.pop(0)
        pcm = await sentence.task
        self.spoken.append(pcm)
        return sentence, pcm


class LocalTTSModel(TTSModelBase):
    """Offline text to speech (English) with a Piper voice installed from PyPI.

    Args:
        model_name: A label for the voice (the pinned voice unless ``model_path`` is given).
        stream: ``synthesize`` yields one WAV chunk per sentence, then a final
            ``TTSResponse(content=None, is_last=True)`` with the totals in ``metadata``.
        speed: Speaking rate (1.0 = the voice's own; 1.2 = 20% faster).
        threads: CPU threads onnxruntime uses for one sentence.
        sentence_pause_s: Silence after each sentence.
        model_path: A Piper ``.onnx`` voice of your own (its ``.onnx.json`` beside it, or
            ``config_path``); used as given, without a sha256 check.
        config_path: The voice's config, when not ``<model_path>.json``.

    Streaming input (``supports_streaming_input``): ``push(msg)`` each growing version of a
    message; every completed sentence starts synthesizing at once and ``push`` returns the
    audio finished since the last call (one WAV, or ``content=None``). ``synthesize()`` then
    speaks the rest: the not yet returned sentences as chunks (``stream=True``) or the whole
    utterance as one WAV.

    Example:
        >>> tts = LocalTTSModel(stream=True)  # doctest: +SKIP
        >>> async for chunk in await tts.synthesize(msg):  # doctest: +SKIP
        ...     play(chunk.content)  # one sentence's WAV; the last chunk has content None
    """

    supports_streaming_input = True
    stream_chunks_cumulative = False

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        stream: bool = True,
        *,
        speed: float = 1.0,
        threads: int = 2,
        sentence_pause_s: float = 0.15,
        model_path: str | Path | None = None,
        config_path: str | Path | None = None,
    ) -> None:
        super().__init__(model_name=model_name, stream=stream)
        if speed <= 0:
            raise ValueError(f"LocalTTSModel: speed must be > 0, got {speed}")
        self.speed = speed
        self.threads = threads
        self.sentence_pause_s = sentence_pause_s
        self.model_path = model_path
        self.config_path = config_path
        self._voice: Any = None
        self._reset_utterance()

    # -- the engine -------------------------------------------------------------------------
    def _load(self) -> Any:
        if self._voice is None:
            from ._piper import load_voice

            self._voice = load_voice(
                model_path=self.model_path, config_path=self.config_path, threads=self.threads
            )
        return self._voice

    @property
    def sample_rate(self) -> int:
        """The voice's output rate in Hz (loads the voice)."""
        return int(self._load().sample_rate)

    def _speak(self, text: str) -> bytes:
        """16-bit PCM for one sentence plus the pause after it (runs in a worker thread)."""
        from ._english_g2p import english_to_ipa

        voice = self._load()
        ipa = english_to_ipa(text)
        if not ipa.strip(" .,!?;:"):
            return b""
        pcm = voice.speak_ipa(ipa, length_scale=1.0 / self.speed).tobytes()
        return pcm + b"\x00\x00" * int(voice.sample_rate * self.sentence_pause_s)

    def _start(self, utt: _Utterance, text: str) -> None:
        task = asyncio.ensure_future(asyncio.to_thread(self._speak, text))
        utt.queue.append(_Sentence(utt.next_index, text, task))
        utt.next_index += 1

    async def connect(self) -> None:
        """Load the voice now (otherwise the first sentence does)."""
        await asyncio.to_thread(self._load)

    async def close(self) -> None:
        """Drop the pushed utterance: its pending sentences are discarded (barge-in, Stop)."""
        self._reset_utterance()

    def _reset_utterance(self) -> None:
        old = getattr(self, "_utt", None)
        if old is not None:
            old.cancel()
        self._utt = _Utterance()

    # -- streaming input ----------------------------------------------------------------------
    async def push(self, msg: Msg, **kwargs: Any) -> TTSResponse:
        """Take the new text of ``msg``; start each completed sentence; return the audio
        finished since the last call (``content=None`` when none is)."""
        utt = self._utt
        utt.text.check(msg, type(self).__name__)
        if utt.text.msg_id is None:
            utt.started = time.monotonic()
        utt.pending += utt.text.delta(msg)
        done, utt.pending = complete_sentences(utt.pending)
        for text in done:
            self._start(utt, text)
        await asyncio.sleep(0)
        ready: list[bytes] = []
        while utt.queue and utt.queue[0].task.done():
            ready.append((await utt.take())[1])
        pcm = b"".join(ready)
        content = audio_block(wav_bytes(pcm, rate=self.sample_rate), "audio/wav") if pcm else None
        return TTSResponse(content=content, is_last=False, metadata={"sentences": len(ready)})

    # -- synthesis ----------------------------------------------------------------------------
    async def synthesize(
        self, msg: Msg | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        """Speech for ``msg`` (or for the text pushed so far): one WAV, or (``stream``) one
        chunk per sentence. A message with no text is a ``ValueError``."""
        pushed = self._utt.text.msg_id is not None
        if pushed:  # finish the pushed utterance (this model instance speaks it)
            utt = self._utt
            utt.text.check(msg, type(self).__name__)
            if msg is not None:
                utt.pending += utt.text.delta(msg, final=True)
            rest = split_sentences(utt.pending)
            utt.pending = ""
            self._utt = _Utterance()
        else:  # a whole message: its own utterance, so concurrent calls do not mix
            utt = _Utterance()
            rest = split_sentences((msg.get_text_content() or "") if msg is not None else "")
            if not rest:
                where = f" (message {msg.id})" if msg is not None else ""
                raise ValueError(f"LocalTTSModel: there is no text to speak{where}")
        await asyncio.to_thread(self._load)
        if self.stream:
            return self._stream(utt, rest)
        try:
            for text in rest:
                self._start(utt, text)
            while utt.queue:
                await utt.take()
            pcm = b"".join(utt.spoken)
            if not pcm:
                raise ValueError("LocalTTSModel: the text has no speakable words")
            return TTSResponse(
                content=audio_block(wav_bytes(pcm, rate=self.sample_rate), "audio/wav"),
                usage=self._usage(utt),
                metadata={
                    "duration_s": len(pcm) / 2 / self.sample_rate,
                    "sample_rate": self.sample_rate,
                },
            )
        finally:
            utt.cancel()

    async def _stream(self, utt: _Utterance, rest: list[str]) -> AsyncGenerator[TTSResponse, None]:
        rate, offset = self.sample_rate, 0
        todo = list(rest)
        try:
            # one sentence ahead: the next is synthesized while this one is being played
            while utt.queue or todo:
                while todo and len(utt.queue) < 2:
                    self._start(utt, todo.pop(0))
                sentence, pcm = await utt.take()
                utt.spoken.clear()  # streamed audio is not kept (bounded memory)
                if not pcm:
                    continue
                frames = len(pcm) // 2
                yield TTSResponse(
                    content=audio_block(wav_bytes(pcm, rate=rate), "audio/wav"),
                    is_last=False,
                    metadata={
                        "sentence": sentence.index,
                        "text": sentence.text,
                        "sample_rate": rate,
                        "start_s": offset / rate,
                        "duration_s": frames / rate,
                    },
                )
                offset += frames
            yield TTSResponse(
                content=None,
                is_last=True,
                usage=self._usage(utt),
                metadata={"duration_s": offset / rate, "sample_rate": rate},
            )
        finally:
            utt.cancel()

    def _usage(self, utt: _Utterance) -> TTSUsage:
        return TTSUsage(input_tokens=0, output_tokens=0, time=time.monotonic() - utt.started)
