"""``VoiceView``: a run's live view with a microphone button (speech in, speech out).

Everything goes through the widget's comm (the kernel may run on another machine; it needs
no audio device): the browser's recordings come in as ``voice_*`` commands
(``_voice_upload``), a ``barge_in`` command arrives the moment a recording starts, and the
agent's speech goes out as ``speech_*`` events that every run view plays as they come.

The controller is a ``VoiceController``: a ``RunController`` that also hears recordings.

Example:
    >>> view = VoiceView(controller=None, title="talk")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

import traitlets as t

from ._assets import bundle_esm
from ._controller import RunController
from ._voice_upload import UploadError, VoiceUploads
from .run_view import RunView

_log = logging.getLogger("ascope_nb.notebook")

VOICE_COMMANDS = frozenset({"voice_begin", "voice_chunk", "voice_end", "barge_in"})


@runtime_checkable
class VoiceController(RunController, Protocol):
    """What a voice view's microphone drives, besides the run's buttons."""

    def hear(self, audio: bytes, *, media_type: str) -> Any: ...

    def barge_in(self) -> Any: ...


class VoiceView(RunView):
    """A ``RunView`` with a microphone: ``controller.hear(audio, media_type=...)`` gets each
    recording, ``controller.barge_in()`` the start of one."""

    _esm = bundle_esm("voice_view.js")
    voice = t.Bool(True).tag(sync=True)

    def __init__(self, *, controller: VoiceController | None = None, title: str = "") -> None:
        super().__init__(controller=controller, title=title)
        self._uploads = VoiceUploads()

    def notice(self, text: str) -> None:
        """One line under the controls (a recording refused, nothing heard...)."""
        self.send({"type": "notice", "text": text})

    def _handle_custom_msg(self, content: Any, buffers: Any) -> None:
        cmd = content.get("cmd") if isinstance(content, dict) else None
        if cmd not in VOICE_COMMANDS:
            super()._handle_custom_msg(content, buffers)
            return
        controller = self.controller
        if controller is None or not self.live:
            self.notice(f"{cmd}: this conversation has ended")
            return
        try:
            if cmd == "barge_in":
                controller.barge_in()  # type: ignore[attr-defined]
            elif cmd == "voice_begin":
                self._uploads.begin(content)
            elif cmd == "voice_chunk":
                self._uploads.chunk(content)
            else:
                audio, media_type = self._uploads.end(content)
                controller.hear(audio, media_type=media_type)  # type: ignore[attr-defined]
        except UploadError as exc:
            _log.warning("ascope voice: %s", exc)
            self.notice(f"voice: {exc}")
        except Exception as exc:  # a failing command must not kill the comm
            _log.warning("ascope voice: %s failed: %s", cmd, exc)
            self.notice(f"voice: {cmd} failed: {exc}")


__all__ = ["VoiceView", "VoiceController"]
