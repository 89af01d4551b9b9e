"""``stream_printing_messages``: yield what agents ``print`` while a coroutine runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Coroutine, Sequence
from typing import Any

from ..agent import AgentBase
from ..message import Msg


async def stream_printing_messages(
    agents: Sequence[AgentBase],
    coroutine_task: Coroutine[Any, Any, Any],
    queue: asyncio.Queue[Any] | None = None,
    end_signal: str = "[END]",
    yield_speech: bool = False,
) -> AsyncGenerator[Any, None]:
    """Run ``coroutine_task`` and yield ``(msg, last)`` for each ``await agent.print(msg)``
    of ``agents`` (``(msg, last, speech)`` with ``yield_speech``). An exception of the task
    is raised after the messages printed before it.

    Example:
        >>> async def show(agent, msg):  # doctest: +SKIP
        ...     async for printed, last in stream_printing_messages([agent], agent(msg)):
        ...         print(printed.get_text_content(), last)
    """
    queue = queue if queue is not None else asyncio.Queue()
    for agent in agents:
        agent.set_msg_queue_enabled(True, queue)
    task = asyncio.ensure_future(coroutine_task)
    task.add_done_callback(lambda _: queue.put_nowait(end_signal))
    try:
        while True:
            item = await queue.get()
            if isinstance(item, str) and item == end_signal:
                break
            msg, last, speech = item
            if isinstance(msg, Msg):
                yield (msg, last, speech) if yield_speech else (msg, last)
    finally:
        for agent in agents:
            agent.set_msg_queue_enabled(False)
        if not task.done():
            task.cancel()
    exception = task.exception()
    if exception is not None:
        raise exception from None
