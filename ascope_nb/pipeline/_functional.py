"""Pipelines: run agents one after another, or all at once."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from typing import Any

from ..agent import AgentBase
from ..message import Msg


async def sequential_pipeline(
    agents: Sequence[AgentBase], msg: Msg | list[Msg] | None = None
) -> Msg | list[Msg] | None:
    """Each agent replies to the previous agent's reply; returns the last reply.

    Example:
        >>> async def run(a, b):  # doctest: +SKIP
        ...     return await sequential_pipeline([a, b], Msg("user", "Hi", "user"))
    """
    for agent in agents:
        msg = await agent(msg)
    return msg


async def fanout_pipeline(
    agents: Sequence[AgentBase],
    msg: Msg | list[Msg] | None = None,
    enable_gather: bool = True,
    **kwargs: Any,
) -> list[Msg | None]:
    """Every agent replies to (its own copy of) ``msg``; concurrently when ``enable_gather``."""
    if enable_gather:
        return list(
            await asyncio.gather(*(agent(copy.deepcopy(msg), **kwargs) for agent in agents))
        )
    return [await agent(copy.deepcopy(msg), **kwargs) for agent in agents]


class SequentialPipeline:
    """Reusable form of ``sequential_pipeline``."""

    def __init__(self, agents: Sequence[AgentBase]) -> None:
        self.agents = list(agents)

    async def __call__(self, msg: Msg | list[Msg] | None = None) -> Msg | list[Msg] | None:
        return await sequential_pipeline(self.agents, msg)


class FanoutPipeline:
    """Reusable form of ``fanout_pipeline``."""

    def __init__(self, agents: Sequence[AgentBase], enable_gather: bool = True) -> None:
        self.agents = list(agents)
        self.enable_gather = enable_gather

    async def __call__(self, msg: Msg | list[Msg] | None = None, **kwargs: Any) -> list[Msg | None]:
        return await fanout_pipeline(self.agents, msg, enable_gather=self.enable_gather, **kwargs)
