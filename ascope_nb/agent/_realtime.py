"""``RealtimeAgent``: a realtime (speech in, speech out) model behind AgentScope 1.x's agent
interface; front ends talk to it with ``ClientEvents`` and hear ``ServerEvents``."""

from __future__ import annotations

import asyncio
import base64
from array import array
from typing import Any

from .._ids import new_id
from .._logging import logger
from ..message import AudioBlock, Base64Source, ImageBlock, TextBlock, ToolResultBlock
from ..realtime import ClientEvents, ModelEvents, RealtimeModelBase, ServerEvents
from ..tool import Toolkit

# model events forwarded as their agent twin (tool calls and the session are handled apart)
_FORWARDED = (
    ModelEvents.ModelResponseCreatedEvent,
    ModelEvents.ModelResponseDoneEvent,
    ModelEvents.ModelResponseAudioDeltaEvent,
    ModelEvents.ModelResponseAudioDoneEvent,
    ModelEvents.ModelResponseAudioTranscriptDeltaEvent,
    ModelEvents.ModelResponseAudioTranscriptDoneEvent,
    ModelEvents.ModelResponseToolUseDeltaEvent,
    ModelEvents.ModelInputTranscriptionDeltaEvent,
    ModelEvents.ModelInputTranscriptionDoneEvent,
    ModelEvents.ModelInputStartedEvent,
    ModelEvents.ModelInputDoneEvent,
    ModelEvents.ModelErrorEvent,
)


def resample_pcm16(data_b64: str, src_rate: int, dst_rate: int) -> str:
    """16-bit mono PCM (base64) from ``src_rate`` to ``dst_rate`` by linear interpolation.

    Example:
        >>> pcm = base64.b64encode(array("h", [0, 100, 200, 300]).tobytes()).decode()
        >>> list(array("h", base64.b64decode(resample_pcm16(pcm, 4, 2))))
        [0, 200]
    """
    if src_rate == dst_rate:
        return data_b64
    samples = array("h", base64.b64decode(data_b64)[: len(base64.b64decode(data_b64)) // 2 * 2])
    if not samples:
        return data_b64
    count = max(1, round(len(samples) * dst_rate / src_rate))
    out = array("h")
    for index in range(count):
        pos = index * src_rate / dst_rate
        low = min(int(pos), len(samples) - 1)
        high = min(low + 1, len(samples) - 1)
        out.append(int(samples[low] + (samples[high] - samples[low]) * (pos - low)))
    return base64.b64encode(out.tobytes()).decode("ascii")


class RealtimeAgent:
    """Talks through a ``RealtimeModelBase``: ``start(queue)`` connects, ``handle_input(event)``
    takes client events (audio, text, images) or another agent's audio, ``ServerEvents`` come
    out on ``queue``; tool calls run on ``toolkit`` and their results go back to the model.

    Example:
        >>> agent = RealtimeAgent("Friday", "Be brief.", model)  # doctest: +SKIP
        >>> await agent.start(queue); await agent.handle_input(text_event)  # doctest: +SKIP
    """

    def __init__(
        self,
        name: str,
        sys_prompt: str,
        model: RealtimeModelBase,
        toolkit: Toolkit | None = None,
    ) -> None:
        self.id = new_id()
        self.name = name
        self.sys_prompt = sys_prompt
        self.model = model
        self.toolkit = toolkit
        self._incoming_queue: asyncio.Queue[Any] = asyncio.Queue()
        self._model_response_queue: asyncio.Queue[Any] = asyncio.Queue()
        self._tasks: list[asyncio.Task[Any]] = []

    async def start(self, outgoing_queue: asyncio.Queue) -> None:
        """Connect the model and start the two loops (in and out)."""
        tools = self.toolkit.get_json_schemas() if self.toolkit else None
        await self.model.connect(
            self._model_response_queue, instructions=self.sys_prompt, tools=tools or None
        )
        self._tasks = [
            asyncio.create_task(self._forward_loop(outgoing_queue)),
            asyncio.create_task(self._model_response_loop(outgoing_queue)),
        ]

    async def stop(self) -> None:
        """Stop both loops and close the model's connection."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.model.disconnect()

    async def handle_input(self, event: ClientEvents.EventBase | ServerEvents.EventBase) -> None:
        """Queue an event from a front end or another agent for the model."""
        await self._incoming_queue.put(event)

    def _block_for(self, event: Any) -> AudioBlock | TextBlock | ImageBlock | None:
        if isinstance(event, ServerEvents.AgentResponseAudioDeltaEvent):
            if event.agent_id == self.id:
                return None  # never feed our own voice back
            data = resample_pcm16(event.delta, event.format.rate, self.model.input_sample_rate)
            source = Base64Source(type="base64", media_type=event.format.type, data=data)
            return AudioBlock(type="audio", source=source)
        if isinstance(event, ClientEvents.ClientAudioAppendEvent):
            source = Base64Source(type="base64", media_type=event.format.type, data=event.audio)
            return AudioBlock(type="audio", source=source)
        if isinstance(event, ClientEvents.ClientTextAppendEvent):
            return TextBlock(type="text", text=event.text)
        if isinstance(event, ClientEvents.ClientImageAppendEvent):
            media_type = str(event.format.get("type", "image/jpeg"))
            source = Base64Source(type="base64", media_type=media_type, data=event.image)
            return ImageBlock(type="image", source=source)
        return None

    async def _forward_loop(self, outgoing_queue: asyncio.Queue) -> None:
        """outside -> agent -> model. A failed send is reported, and the loop goes on."""
        while True:
            event = await self._incoming_queue.get()
            block = self._block_for(event)
            if block is None:
                continue
            try:
                await self.model.send(block)
            except (RuntimeError, ValueError, OSError) as exc:
                await outgoing_queue.put(
                    ServerEvents.AgentErrorEvent(
                        error_type="send",
                        code="",
                        message=str(exc),
                        agent_id=self.id,
                        agent_name=self.name,
                    )
                )

    async def _model_response_loop(self, outgoing_queue: asyncio.Queue) -> None:
        """model -> agent -> outside."""
        while True:
            event = await self._model_response_queue.get()
            if isinstance(event, _FORWARDED):
                out: Any = ServerEvents.from_model_event(
                    event, agent_id=self.id, agent_name=self.name
                )
            elif isinstance(event, ModelEvents.ModelSessionCreatedEvent):
                out = ServerEvents.AgentReadyEvent(agent_id=self.id, agent_name=self.name)
            elif isinstance(event, ModelEvents.ModelSessionEndedEvent):
                out = ServerEvents.AgentEndedEvent(agent_id=self.id, agent_name=self.name)
            elif isinstance(event, ModelEvents.ModelResponseToolUseDoneEvent):
                out = ServerEvents.from_model_event(event, agent_id=self.id, agent_name=self.name)
                await outgoing_queue.put(out)
                if self.toolkit is not None:
                    self._tasks.append(
                        asyncio.create_task(self._acting(event.tool_use, outgoing_queue))
                    )
                continue
            else:
                logger.debug("%s: model event %s not forwarded", self.name, type(event).__name__)
                continue
            await outgoing_queue.put(out)

    async def _acting(self, tool_use: Any, outgoing_queue: asyncio.Queue) -> None:
        """Run one tool call; its last output goes to the model and to the front ends."""
        assert self.toolkit is not None
        last = None
        async for chunk in await self.toolkit.call_tool_function(tool_use):
            last = chunk
        if last is None:
            return
        result = ToolResultBlock(
            type="tool_result", id=tool_use["id"], name=tool_use["name"], output=last.content
        )
        try:
            await self.model.send(result)
        except (RuntimeError, ValueError, OSError) as exc:
            logger.warning("%s: tool result of %s not sent: %s", self.name, tool_use["name"], exc)
        await outgoing_queue.put(
            ServerEvents.AgentResponseToolResultEvent(
                tool_result=result, agent_id=self.id, agent_name=self.name
            )
        )
