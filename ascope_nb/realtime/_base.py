"""``RealtimeModelBase``: one WebSocket session with a speech-to-speech model; vendor
messages become ``ModelEvents`` on the caller's queue."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
from abc import ABC, abstractmethod
from typing import Any

from .._logging import logger
from ..message import AudioBlock, ImageBlock, TextBlock, ToolResultBlock
from ._model_events import ModelEvents

OPEN_TIMEOUT_S = 20.0
"""How long ``connect`` waits for the server's handshake."""


def fetch_url_as_base64(url: str, *, timeout: float = 30.0) -> str:
    """The bytes at ``url`` as base64 text (media a block references by URL)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return base64.b64encode(response.read()).decode("ascii")
    except OSError as exc:
        raise ValueError(f"cannot fetch media from {url}: {exc}") from exc


def tool_output_text(block: ToolResultBlock) -> str:
    """A tool result's output as the plain text realtime APIs accept."""
    output = block["output"]
    if isinstance(output, str):
        return output
    return "\n".join(part["text"] for part in output if part.get("type") == "text")  # type: ignore[typeddict-item]


class RealtimeModelBase(ABC):
    """A realtime (speech in, speech out) model over a WebSocket (AgentScope 1.x API).

    ``await model.connect(queue, instructions, tools)`` opens the session; ``send(block)``
    streams audio, text, images or tool results in; ``ModelEvents`` arrive on ``queue``;
    ``disconnect()`` closes. A dropped connection puts a ``ModelErrorEvent`` and a
    ``ModelSessionEndedEvent`` on the queue instead of failing silently.

    Example:
        >>> model = OpenAIRealtimeModel(model_name="gpt-4o-realtime-preview", api_key="sk-...")  # doctest: +SKIP
        >>> await model.connect(queue, instructions="Be brief.")  # doctest: +SKIP
    """

    model_name: str
    support_input_modalities: list[str]
    websocket_url: str
    websocket_headers: dict[str, str]
    input_sample_rate: int
    output_sample_rate: int

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self._incoming_queue: asyncio.Queue[Any] = asyncio.Queue()
        self._incoming_task: asyncio.Task[None] | None = None
        self._websocket: Any = None
        self._session_id = ""

    def _set_voice_options(
        self,
        voice: str,
        enable_input_audio_transcription: bool,
        generate_kwargs: dict[str, Any] | None,
    ) -> None:
        """Keep the options every vendor's constructor takes."""
        self.voice = voice
        self.enable_input_audio_transcription = enable_input_audio_transcription
        self.generate_kwargs = dict(generate_kwargs or {})

    @abstractmethod
    async def send(self, data: AudioBlock | TextBlock | ImageBlock | ToolResultBlock) -> None:
        """Send one block to the model."""

    @abstractmethod
    def _build_session_config(
        self, instructions: str, tools: list[dict] | None, **kwargs: Any
    ) -> dict:
        """The first message of the session (instructions, voice, tools)."""

    @abstractmethod
    async def parse_api_message(
        self, message: str
    ) -> ModelEvents.EventBase | list[ModelEvents.EventBase] | None:
        """The model event(s) for one server message (None for messages we ignore)."""

    async def connect(
        self, outgoing_queue: asyncio.Queue, instructions: str, tools: list[dict] | None = None
    ) -> None:
        """Open the WebSocket, start forwarding events to ``outgoing_queue`` and configure
        the session."""
        import websockets

        try:
            self._websocket = await websockets.connect(
                self.websocket_url,
                additional_headers=self.websocket_headers,
                open_timeout=OPEN_TIMEOUT_S,
            )
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
            where = self.websocket_url.split("?", 1)[0]
            raise ConnectionError(f"{self.model_name}: cannot open {where}: {exc}") from exc
        self._incoming_task = asyncio.create_task(self._receive_model_event_loop(outgoing_queue))
        config = self._build_session_config(instructions, tools)
        await self._websocket.send(json.dumps(config, ensure_ascii=False))

    async def disconnect(self) -> None:
        """Stop receiving and close the WebSocket."""
        if self._incoming_task and not self._incoming_task.done():
            self._incoming_task.cancel()
        if self._websocket is not None:
            await self._websocket.close()

    def _require_open(self) -> Any:
        from websockets import State

        if self._websocket is None or self._websocket.state != State.OPEN:
            raise RuntimeError(f"{self.model_name}: not connected (call connect() first)")
        return self._websocket

    async def _send_json(self, payload: dict[str, Any]) -> None:
        await self._require_open().send(json.dumps(payload, ensure_ascii=False))

    async def _receive_model_event_loop(self, outgoing_queue: asyncio.Queue) -> None:
        import websockets

        reason = "closed"
        try:
            async for message in self._websocket:
                if isinstance(message, bytes):
                    message = message.decode("utf-8")
                try:
                    events = await self.parse_api_message(message)
                except (ValueError, KeyError, TypeError) as exc:
                    logger.warning("%s: unreadable server message (%s)", self.model_name, exc)
                    continue
                if events is None:
                    continue
                for event in events if isinstance(events, list) else [events]:
                    await outgoing_queue.put(event)
        except websockets.exceptions.ConnectionClosedError as exc:
            reason = f"connection dropped: {exc}"
            await outgoing_queue.put(
                ModelEvents.ModelErrorEvent(
                    error_type="connection",
                    code=str(exc.rcvd.code if exc.rcvd else 1006),
                    message=reason,
                )
            )
        await outgoing_queue.put(
            ModelEvents.ModelSessionEndedEvent(session_id=self._session_id, reason=reason)
        )
