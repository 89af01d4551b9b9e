"""Recordings sent by the browser's microphone button, reassembled in the kernel.

The browser records with ``MediaRecorder``, decodes the recording to 16 kHz 16-bit mono WAV
(so the kernel needs no codec) and sends it over the widget's comm in base64 pieces::

    {"cmd": "voice_begin", "upload_id": "u1", "media_type": "audio/wav", "size": 64044,
     "chunks": 1}
    {"cmd": "voice_chunk", "upload_id": "u1", "index": 0, "data": "<base64>"}
    {"cmd": "voice_end", "upload_id": "u1"}
    {"cmd": "barge_in"}                       # sent the moment a recording starts

Pieces are at most ``MAX_CHUNK_CHARS`` of base64 (far below the Jupyter server's 10 MiB
websocket message limit), a recording at most ``MAX_UPLOAD_BYTES``. Anything else (a
piece out of order, bad base64, a size that does not add up, an unknown upload) is one
``UploadError`` line, and the upload is dropped: the next one starts clean.

Example:
    >>> uploads = VoiceUploads()
    >>> uploads.begin({"upload_id": "u1", "media_type": "audio/wav", "size": 2, "chunks": 1})
    >>> uploads.chunk({"upload_id": "u1", "index": 0, "data": "AAA="})
    >>> uploads.end({"upload_id": "u1"})
    (b'\\x00\\x00', 'audio/wav')
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
"""Largest recording accepted (about 4 minutes of 16 kHz 16-bit mono WAV)."""
MAX_CHUNK_CHARS = 512 * 1024
"""Largest base64 piece of a recording in one comm message."""
MEDIA_TYPES = ("audio/wav", "audio/webm", "audio/ogg", "audio/mp4")


class UploadError(ValueError):
    """A recording that cannot be used (one line saying why)."""


@dataclass
class _Upload:
    media_type: str
    size: int
    chunks: int
    parts: list[bytes] = field(default_factory=list)
    received: int = 0


class VoiceUploads:
    """The recordings being received, by ``upload_id`` (one at a time in practice)."""

    def __init__(self) -> None:
        self._open: dict[str, _Upload] = {}

    def begin(self, cmd: dict[str, Any]) -> None:
        upload_id = str(cmd.get("upload_id") or "")
        media_type = str(cmd.get("media_type") or "").split(";")[0]
        size, chunks = cmd.get("size"), cmd.get("chunks")
        if not upload_id:
            raise UploadError("recording without an upload_id")
        if media_type not in MEDIA_TYPES:
            raise UploadError(f"recording {upload_id!r}: unsupported media type {media_type!r}")
        if not isinstance(size, int) or not isinstance(chunks, int) or size <= 0 or chunks <= 0:
            raise UploadError(f"recording {upload_id!r}: size and chunks must be positive")
        if size > MAX_UPLOAD_BYTES:
            raise UploadError(
                f"recording {upload_id!r} is {size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}"
            )
        self._open[upload_id] = _Upload(media_type, size, chunks)

    def _get(self, cmd: dict[str, Any]) -> tuple[str, _Upload]:
        upload_id = str(cmd.get("upload_id") or "")
        upload = self._open.get(upload_id)
        if upload is None:
            raise UploadError(f"recording {upload_id!r} was never begun (or was dropped)")
        return upload_id, upload

    def chunk(self, cmd: dict[str, Any]) -> None:
        upload_id, upload = self._get(cmd)
        try:
            index, data = cmd.get("index"), cmd.get("data")
            if index != len(upload.parts) or index >= upload.chunks:
                raise UploadError(
                    f"recording {upload_id!r}: piece {index!r} arrived, expected "
                    f"{len(upload.parts)} of {upload.chunks}"
                )
            if not isinstance(data, str) or len(data) > MAX_CHUNK_CHARS:
                raise UploadError(
                    f"recording {upload_id!r}: piece {index} is not base64 text "
                    f"of at most {MAX_CHUNK_CHARS:,} characters"
                )
            try:
                raw = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise UploadError(
                    f"recording {upload_id!r}: piece {index} is not valid base64"
                ) from None
            upload.received += len(raw)
            if upload.received > upload.size:
                raise UploadError(
                    f"recording {upload_id!r}: more than the announced {upload.size:,} bytes"
                )
            upload.parts.append(raw)
        except UploadError:
            self._open.pop(upload_id, None)
            raise

    def end(self, cmd: dict[str, Any]) -> tuple[bytes, str]:
        """The whole recording and its media type."""
        upload_id, upload = self._get(cmd)
        self._open.pop(upload_id, None)
        if len(upload.parts) != upload.chunks or upload.received != upload.size:
            raise UploadError(
                f"recording {upload_id!r} is incomplete: {len(upload.parts)} of {upload.chunks} "
                f"pieces, {upload.received:,} of {upload.size:,} bytes"
            )
        return b"".join(upload.parts), upload.media_type


__all__ = ["VoiceUploads", "UploadError", "MAX_UPLOAD_BYTES", "MAX_CHUNK_CHARS"]
