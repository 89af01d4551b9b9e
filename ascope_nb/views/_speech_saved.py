"""Speech in a saved notebook: kept, but bounded.

The live view plays an agent's speech from its ``speech_chunk`` events; the saved output
(the run's events for the JupyterLab renderer, and the HTML transcript) keeps instead the
whole audio message that ends each speech (``metadata["speech_of"]``). Up to
``SPEECH_INLINE_BYTES`` of WAV it is inlined (base64, about 5 s at 24 kHz); a longer one is
written as a WAV file in ``ascope_audio/`` beside the notebook (the kernel's working
directory, or ``$ASCOPE_AUDIO_DIR``) and linked by its relative path. The run store keeps
every chunk either way.

Example:
    >>> bound_speech([{"kind": "speech_chunk", "data": "AAA="}])
    []
    >>> bool(LOCAL_AUDIO.match("ascope_audio/r1-m1.wav")), bool(LOCAL_AUDIO.match("../x.wav"))
    (True, False)
"""

from __future__ import annotations

import base64
import logging
import os
import re
from pathlib import Path
from typing import Any

_log = logging.getLogger("ascope_nb.notebook")

SPEECH_INLINE_BYTES = 256 * 1024
"""WAV bytes of one speech inlined in a saved notebook; longer speech goes to a file."""
AUDIO_DIR_ENV = "ASCOPE_AUDIO_DIR"
LOCAL_AUDIO = re.compile(r"^(?:[\w-][\w.-]*/)*[\w-][\w.-]*\.wav$")
"""The relative links written here (no scheme, no ``..``): what the renderers accept."""


def _audio_dir() -> Path:
    return Path(os.environ.get(AUDIO_DIR_ENV) or "ascope_audio")


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)[:80] or "speech"


def _to_file(block: dict[str, Any], *, run_id: str, msg_id: str) -> dict[str, Any]:
    source = block.get("source") or {}
    data = base64.b64decode(str(source.get("data", "")))
    folder = _audio_dir()
    path = folder / f"{_safe(run_id)}-{_safe(msg_id)}.wav"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        _log.warning("ascope voice: speech not saved to %s: %s", path, exc)
        return {"type": "text", "text": f"[speech, {len(data):,} bytes: not saved ({exc})]"}
    link = os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
    link = link.replace(os.sep, "/")
    if not LOCAL_AUDIO.match(link):  # outside the notebook's folder: name it, no player
        return {"type": "text", "text": f"[speech saved as {path}]"}
    return {"type": "audio", "source": {"type": "url", "url": link, "media_type": "audio/wav"}}


def _bounded_message(event: dict[str, Any]) -> dict[str, Any]:
    msg = event.get("msg") or {}
    content = msg.get("content")
    if not (msg.get("metadata") or {}).get("speech_of") or not isinstance(content, list):
        return event
    blocks = []
    changed = False
    for block in content:
        source = (block or {}).get("source") or {}
        big = source.get("type") == "base64" and len(str(source.get("data", ""))) * 3 // 4 > (
            SPEECH_INLINE_BYTES
        )
        if block.get("type") == "audio" and big:
            block = _to_file(block, run_id=str(event.get("run_id", "")), msg_id=str(msg.get("id")))
            changed = True
        blocks.append(block)
    if not changed:
        return event
    return {**event, "msg": {**msg, "content": blocks}}


def bound_speech(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``events`` without speech chunks, and with long speech moved to files."""
    out = []
    for event in events:
        kind = event.get("kind")
        if kind == "speech_chunk":
            continue
        out.append(_bounded_message(event) if kind == "message_completed" else event)
    return out


__all__ = ["bound_speech", "SPEECH_INLINE_BYTES", "LOCAL_AUDIO"]
