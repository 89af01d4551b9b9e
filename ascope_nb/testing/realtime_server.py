"""A fake OpenAI Realtime server (WebSocket) on 127.0.0.1, for realtime-model tests.

It answers ``session.update`` with ``session.created`` and each user text item (with
``respond_to_audio``, each appended recording too, as server voice detection would) with one
response: ``response.created``, audio deltas (a tone as base64 PCM), a transcript of the
scripted reply, ``response.done`` (``dialect="dashscope"``: Qwen Omni's event names). It records every message received. ``drop_after`` closes
the TCP connection (no close frame) after that many audio deltas, as a crashed server would.

Example:
    >>> with FakeRealtimeServer(replies=["Hi!"]) as server:
    ...     server.url.startswith("ws://127.0.0.1:")
    True
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterable
from typing import Any

from .speech_server import tone_pcm

__all__ = ["FakeRealtimeServer"]

# the audio/transcript event prefixes of each dialect (DashScope's Qwen Omni follows OpenAI's
# protocol with its own names for these)
_AUDIO_EVENTS = {
    "openai": ("response.output_audio", "response.output_audio_transcript"),
    "dashscope": ("response.audio", "response.audio_transcript"),
}


class FakeRealtimeServer:
    """The fake realtime server; ``url`` is what ``OpenAIRealtimeModel(base_url=...)`` takes."""

    def __init__(
        self,
        replies: Iterable[str] = (),
        *,
        chunk_bytes: int = 4800,
        drop_after: int | None = None,
        dialect: str = "openai",
        respond_to_audio: bool = False,
    ) -> None:
        if dialect not in _AUDIO_EVENTS:
            raise ValueError(f"FakeRealtimeServer: unknown dialect {dialect!r} (openai, dashscope)")
        self.audio_event = _AUDIO_EVENTS[dialect]
        self.replies = list(replies)
        self.chunk_bytes = chunk_bytes
        self.drop_after = drop_after
        self.respond_to_audio = respond_to_audio  # answer each input_audio_buffer.append
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._ready = threading.Event()
        self._port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/v1/realtime"

    def start(self) -> FakeRealtimeServer:
        threading.Thread(target=self._run, daemon=True).start()
        if not self._ready.wait(10):
            raise RuntimeError("fake realtime server did not start")
        return self

    def _run(self) -> None:
        from websockets.asyncio.server import serve

        async def main() -> None:
            self._server = await serve(self._session, "127.0.0.1", 0)
            self._port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._server.serve_forever()

        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(main())
        except asyncio.CancelledError:
            pass
        finally:
            self._loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)

    def __enter__(self) -> FakeRealtimeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _session(self, websocket: Any) -> None:
        self.headers.append(dict(websocket.request.headers))
        async for raw in websocket:
            message = json.loads(raw)
            self.received.append(message)
            kind = message.get("type")
            if kind == "session.update":
                await websocket.send(
                    json.dumps({"type": "session.created", "session": {"id": "sess_1"}})
                )
            elif kind == "conversation.item.create" and message["item"].get("type") == "message":
                if not await self._respond(websocket, len(self.received)):
                    return
            elif kind == "input_audio_buffer.append" and self.respond_to_audio:
                if not await self._respond(websocket, len(self.received)):
                    return

    async def _respond(self, websocket: Any, n: int) -> bool:
        text = self.replies.pop(0) if self.replies else "OK"
        response_id, item_id = f"resp_{n}", f"item_{n}"
        audio_kind, transcript_kind = self.audio_event
        await websocket.send(
            json.dumps({"type": "response.created", "response": {"id": response_id}})
        )
        audio = tone_pcm(text)
        for index, start in enumerate(range(0, len(audio), self.chunk_bytes)):
            if self.drop_after is not None and index >= self.drop_after:
                websocket.transport.abort()  # a crash: no close frame
                return False
            delta = base64.b64encode(audio[start : start + self.chunk_bytes]).decode()
            await websocket.send(
                json.dumps({"type": f"{audio_kind}.delta", "item_id": item_id, "delta": delta})
            )
        for event in (
            {"type": f"{audio_kind}.done", "item_id": item_id},
            {"type": f"{transcript_kind}.delta", "item_id": item_id, "delta": text},
            {"type": f"{transcript_kind}.done", "item_id": item_id},
            {
                "type": "response.done",
                "response": {"id": response_id, "usage": {"input_tokens": 3, "output_tokens": 5}},
            },
        ):
            await websocket.send(json.dumps(event))
        return True
