"""``voice_chat``: talk to an agent from the notebook, through the browser's microphone.

One conversation is one run (one live view, one entry in the run store). Each recording
the microphone button sends (or ``await chat.say(wav)`` sends from code) becomes a turn:

- a ``ReActAgent`` with a speech recogniser (``stt=``, any ``STTModelBase``): the recording
  is transcribed, the text is the user's message, the reply is spoken by the agent's
  ``tts_model`` (``tts=`` sets it) as it is synthesized;
- a ``RealtimeAgent``: the recording goes to the realtime model as 16-bit PCM; its answer
  (audio and transcript) is shown and played the same way (``_voice_realtime``).

Barge-in: starting a recording while the agent replies or speaks interrupts it at once (the
browser silences the speech; the kernel cancels the reply as Stop does), then the new
utterance is handled. The run's Stop silences the agent the same way and ends the
conversation; so does ``chat.close()``, once the current turn is answered.

Example:
    >>> from ascope_nb.testing import FakeSTTModel, FakeTTSModel  # doctest: +SKIP
    >>> chat = ascope_nb.voice_chat(agent, stt=FakeSTTModel(["hi"]), tts=FakeTTSModel())  # doctest: +SKIP
    >>> chat                      # the live view, with its microphone button  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

from ..agent import AgentBase
from ..agent._realtime import RealtimeAgent
from ..events import MessageCompleted, RunEnded, RunStarted, RunStatus, ended_by
from ..exceptions import ConfigError
from ..message import Msg
from ..run import Run
from ..stt import STTModelBase
from ..tts import TTSModelBase
from ..views.voice_view import VoiceView

_log = logging.getLogger("ascope_nb.notebook")

_Utterance = tuple[bytes, str, "asyncio.Future[Msg | None]"]


class VoiceChat:
    """A spoken conversation with one agent: a ``Run`` whose turns are recordings.

    ``chat.view`` is the live view (shown by ``display(chat)`` or as a cell's value);
    ``await chat.say(wav_bytes)`` speaks to it from code and returns the reply;
    ``chat.close()`` ends it and ``await chat`` waits for the end.
    """

    def __init__(
        self,
        agent: AgentBase | RealtimeAgent,
        *,
        stt: STTModelBase | None = None,
        language: str | None = None,
        title: str | None = None,
    ) -> None:
        self.agent = agent
        self.stt = stt
        self.language = language
        self.title = title or f"{agent.name} (voice)"
        self._utterances: asyncio.Queue[_Utterance | None] = asyncio.Queue()
        self._realtime: Any = None
        self._stopped = False
        agents = [agent] if isinstance(agent, AgentBase) else []
        self.run = Run(agents=agents, title=self.title)
        self.view = VoiceView(controller=self, title=self.title)
        self.run._view = self.view  # ``await chat`` flushes the view at the end
        self.run.subscribe(self.view.push)
        self.run._launch(self._conversation)

    # ------------------------------------------------------------------ the turns
    async def _conversation(self) -> None:
        ctx = self.run._context
        ctx.emit(
            RunStarted(
                agent=self.agent.name,
                title=self.title,
                metadata={
                    "voice": {
                        "stt": getattr(self.stt, "model_name", ""),
                        "realtime": isinstance(self.agent, RealtimeAgent),
                    }
                },
            )
        )
        status: RunStatus = "completed"
        error = None
        try:
            if isinstance(self.agent, RealtimeAgent):
                from ._voice_realtime import RealtimeBridge

                self._realtime = RealtimeBridge(self.agent, ctx, notice=self._notice)
                await self._realtime.start()
            while (item := await self._utterances.get()) is not None:
                audio, media_type, done = item
                try:
                    reply = await self._turn(audio, media_type)
                except ValueError as exc:  # a recording the recogniser refused
                    self._notice(f"voice: {exc}")
                    if not done.done():
                        done.set_exception(exc)
                    continue
                if not done.done():
                    done.set_result(reply)
            if self._stopped:
                status = "interrupted"
        except asyncio.CancelledError:  # cancelled from outside (the kernel stops it)
            status = "interrupted"
        except BaseException as exc:
            status, error = ended_by(exc)
            raise
        finally:
            if self._realtime is not None:
                await self._realtime.stop()
            self._fail_waiting()
            ctx.emit(RunEnded(agent=self.agent.name, status=status, error=error))

    async def _turn(self, audio: bytes, media_type: str) -> Msg | None:
        if self._realtime is not None:
            return await self._realtime.hear(audio, media_type=media_type)
        assert self.stt is not None and isinstance(self.agent, AgentBase)
        heard = await self.stt.transcribe(audio, media_type=media_type, language=self.language)
        if not heard.text.strip():
            raise ValueError("nothing was heard in the recording")
        if self._stopped:  # Stop came while the recording was being transcribed
            return None
        voice = {
            "stt": self.stt.model_name,
            "duration": heard.duration_s,
            "language": heard.language,
        }
        said = Msg("user", heard.text, "user", metadata={"voice": voice})
        # what was heard shows in the view at once (the reply's input names the same message)
        self.run._context.emit(
            MessageCompleted(agent="user", msg=said.to_dict(), added_to_memory=False)
        )
        reply: Msg = await self.agent(said)
        return reply

    def _fail_waiting(self) -> None:
        while not self._utterances.empty():
            item = self._utterances.get_nowait()
            if item is not None and not item[2].done():
                item[2].set_result(None)

    def _notice(self, text: str) -> None:
        _log.warning("ascope voice: %s", text)
        self.view.notice(text)

    # ------------------------------------------------------------------ speaking to it
    def hear(self, audio: bytes, *, media_type: str = "audio/wav") -> asyncio.Future[Msg | None]:
        """Take one recording (from the view's microphone); it interrupts a reply in progress
        (barge-in) and is answered after it. Returns a future of the reply."""
        if self.run.done or self.run._loop is None:
            raise ConfigError("this voice conversation has ended")
        done: asyncio.Future[Msg | None] = self.run._loop.create_future()
        self.run._on_loop(self._hear, (audio, media_type, done))  # thread-safe (subshells)
        return done

    def _hear(self, item: _Utterance) -> None:
        self._barge_in()
        self._utterances.put_nowait(item)

    async def say(self, audio: bytes, *, media_type: str = "audio/wav") -> Msg | None:
        """Speak ``audio`` (a whole recording) to the agent and wait for its reply (None for
        a turn that was interrupted before it began). A recording the recogniser refuses
        raises its ``ValueError`` (and the view shows the line)."""
        return await self.hear(audio, media_type=media_type)

    def barge_in(self) -> None:
        """The person started talking: interrupt the reply (and speech) in progress."""
        self.run._on_loop(self._barge_in)

    def _barge_in(self) -> None:
        if self._realtime is not None:
            self._realtime.barge_in()
            return
        agent = self.agent
        if isinstance(agent, AgentBase) and getattr(agent, "_reply_task", None) is not None:
            asyncio.get_running_loop().create_task(agent.interrupt())

    def close(self) -> None:
        """End the conversation once the current turn is answered."""
        self.run._on_loop(self._utterances.put_nowait, None)

    # ------------------------------------------------------------------ RunController
    def stop(self) -> None:
        """The run's Stop: silence the agent now (the reply and its synthesis are cancelled)
        and end the conversation (status "interrupted"). To cut a reply and go on, talk."""
        self.run._on_loop(self._stop)

    def _stop(self) -> None:
        if self.run.done:
            return
        self._stopped = True
        self._barge_in()
        while not self._utterances.empty():  # recordings not yet answered are dropped
            item = self._utterances.get_nowait()
            if item is not None and not item[2].done():
                item[2].set_result(None)
        self._utterances.put_nowait(None)

    def steer(self, text: str) -> None:
        self.run.steer(text)

    def approve(self, tool_call_id: str, input: dict[str, Any] | None = None) -> None:
        self.run.approve(tool_call_id, input)

    def deny(self, tool_call_id: str, reason: str = "") -> None:
        self.run.deny(tool_call_id, reason)

    def pause(self) -> None:
        self.run.pause()

    def step(self) -> None:
        self.run.step()

    def resume(self) -> None:
        self.run.resume()

    def feedback(
        self,
        *,
        score: float | None = None,
        label: Literal["up", "down"] | None = None,
        comment: str = "",
    ) -> None:
        self.run.feedback(score=score, label=label, comment=comment)

    def submit_input(self, request_id: str, text: str) -> None:
        self.run.submit_input(request_id, text)

    @property
    def run_id(self) -> str:
        return self.run.run_id

    # ------------------------------------------------------------------ display
    def __await__(self) -> Any:
        return self.run.wait().__await__()

    def _ipython_display_(self) -> None:
        """Shown as a cell's value: the live view with a display id, replaced by the saved
        transcript (bounded speech) when the conversation ends, as a run's view is."""
        self.view.display()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.view._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        turns = sum(1 for e in self.run.events if e.kind == "reply_started")
        return f"VoiceChat(agent={self.agent.name!r}, status={self.run.status!r}, turns={turns})"


def voice_chat(
    agent: AgentBase | RealtimeAgent,
    *,
    stt: STTModelBase | None = None,
    tts: TTSModelBase | None = None,
    language: str | None = None,
    title: str | None = None,
) -> VoiceChat:
    """Start a spoken conversation with ``agent``; show the returned chat to get the
    microphone button.

    Args:
        agent: a ``ReActAgent`` (needs ``stt``) or a ``RealtimeAgent`` (hears audio itself).
        stt: the speech recogniser (any ``STTModelBase``), e.g. ``LocalSTTModel()``.
        tts: sets ``agent.tts_model`` (any ``TTSModelBase``), e.g. ``LocalTTSModel()``.
        language: passed to the recogniser.
        title: the view's title (default: "<name> (voice)").

    Example:
        >>> chat = voice_chat(agent, stt=LocalSTTModel(), tts=LocalTTSModel())  # doctest: +SKIP
    """
    if isinstance(agent, RealtimeAgent):
        if stt is not None or tts is not None:
            raise ConfigError("a RealtimeAgent hears and speaks itself: drop stt= and tts=")
    elif isinstance(agent, AgentBase):
        if stt is None or not isinstance(stt, STTModelBase):
            raise ConfigError(
                f"voice_chat({agent.name!r}) needs stt=, a speech recogniser (STTModelBase), "
                f"got {type(stt).__name__}"
            )
        if tts is not None:
            if not isinstance(tts, TTSModelBase):
                raise ConfigError(f"tts= must be a TTSModelBase, got {type(tts).__name__}")
            agent.tts_model = tts  # type: ignore[attr-defined]
        if getattr(agent, "tts_model", None) is None:
            _log.warning(
                "voice_chat(%r): the agent has no tts_model; it answers in text", agent.name
            )
    else:
        raise ConfigError(
            f"voice_chat() needs a ReActAgent or a RealtimeAgent, got {type(agent).__name__}"
        )
    return VoiceChat(agent, stt=stt, language=language, title=title)


__all__ = ["voice_chat", "VoiceChat"]
