"""A fake OpenAI speech endpoint (``POST /v1/audio/speech``) on 127.0.0.1, for TTS tests.

It answers with deterministic 24 kHz 16-bit mono PCM (a tone whose length follows the text),
in chunks (HTTP chunked transfer), and records every request body. ``status`` makes it fail
like the real service; ``die_after`` drops the connection after that many chunks.

Example:
    >>> with FakeSpeechServer() as server:
    ...     server.base_url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeSpeechServer", "tone_pcm"]

RATE = 24000


def tone_pcm(text: str, *, rate: int = RATE, ms_per_char: int = 20) -> bytes:
    """A 440 Hz tone, ``ms_per_char`` per character of ``text`` (at least 100 ms).

    Example:
        >>> len(tone_pcm("hi", ms_per_char=50)) == 2 * int(24000 * 0.1)
        True
    """
    frames = int(rate * max(100, ms_per_char * len(text)) / 1000)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(frames)
    )


class FakeSpeechServer:
    """The fake speech server; use as a context manager (``base_url`` ends in ``/v1``)."""

    def __init__(
        self,
        *,
        status: int = 200,
        error_message: str = "",
        chunk_bytes: int = 4800,
        die_after: int | None = None,
    ) -> None:
        self.status = status
        self.error_message = error_message
        self.chunk_bytes = chunk_bytes
        self.die_after = die_after
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeSpeechServer:
        server = self

        class Handler(_SpeechHandler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeSpeechServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _SpeechHandler(BaseHTTPRequestHandler):
    owner: FakeSpeechServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        owner = self.owner
        owner.requests.append(body)
        owner.headers.append({k.lower(): v for k, v in self.headers.items()})
        if self.path.rstrip("/") != "/v1/audio/speech":
            return self._json(404, {"error": {"message": f"no route {self.path}"}})
        if owner.status != 200:
            message = owner.error_message or f"fake error {owner.status}"
            return self._json(owner.status, {"error": {"message": message, "type": "fake"}})
        audio = tone_pcm(str(body.get("input", "")))
        self.send_response(200)
        self.send_header("Content-Type", "audio/pcm")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        size = owner.chunk_bytes
        for index, start in enumerate(range(0, len(audio), size)):
            if owner.die_after is not None and index >= owner.die_after:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)  # no final chunk: a broken stream
                return
            piece = audio[start : start + size]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
