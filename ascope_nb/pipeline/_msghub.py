"""``MsgHub``: a group conversation where each reply is broadcast to the others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._ids import new_id
from ..agent import AgentBase
from ..events import MessageCompleted, RunContext, RunEnded, RunStarted, current_run, ended_by
from ..message import Msg


class MsgHub:
    """Within ``async with MsgHub(participants, announcement=...)`` every participant's reply
    reaches the other participants' ``observe``.

    Entered outside any run, the hub is one run of its own: every reply inside it shares the
    hub's ``run_id``, so the whole conversation shows, stores and exports as one run.

    Example:
        >>> async def chat(a1, a2, a3):  # doctest: +SKIP
        ...     async with MsgHub([a1, a2, a3], announcement=Msg("Host", "Introduce yourselves.", "assistant")):
        ...         await sequential_pipeline([a1, a2, a3])
    """

    def __init__(
        self,
        participants: Sequence[AgentBase],
        announcement: Msg | list[Msg] | None = None,
        enable_auto_broadcast: bool = True,
        name: str | None = None,
    ) -> None:
        for agent in participants:
            if not isinstance(agent, AgentBase):
                raise TypeError(f"MsgHub participants must be agents, got {type(agent).__name__}")
        self.name = name or new_id()
        self.participants: list[AgentBase] = list(participants)
        self.announcement = announcement
        self.enable_auto_broadcast = enable_auto_broadcast
        self._own_run: RunContext | None = None
        self._token: Any = None

    async def __aenter__(self) -> MsgHub:
        if current_run.get() is None:
            self._own_run = RunContext(new_id())
            self._token = current_run.set(self._own_run)
            self._own_run.emit(
                RunStarted(
                    agent="MsgHub",
                    title=" · ".join(a.name for a in self.participants),
                    input=[m.to_dict() for m in _as_list(self.announcement)],
                    metadata={
                        "hub": self.name,
                        "participants": [a.name for a in self.participants],
                    },
                )
            )
        self._reset_subscribers()
        if self.announcement is not None:
            await self.broadcast(self.announcement)
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        for agent in self.participants:
            agent.remove_subscribers(self.name)
        if self._own_run is not None:
            status, error = ended_by(exc)
            self._own_run.emit(RunEnded(agent="MsgHub", status=status, error=error))
            current_run.reset(self._token)
            self._own_run = None

    def _reset_subscribers(self) -> None:
        if self.enable_auto_broadcast:
            for agent in self.participants:
                agent.reset_subscribers(self.name, self.participants)
        else:
            for agent in self.participants:
                agent.remove_subscribers(self.name)

    def add(self, new_participant: AgentBase | list[AgentBase]) -> None:
        """Add participants to the hub."""
        for agent in new_participant if isinstance(new_participant, list) else [new_participant]:
            if agent not in self.participants:
                self.participants.append(agent)
        self._reset_subscribers()

    def delete(self, participant: AgentBase | list[AgentBase]) -> None:
        """Remove participants from the hub."""
        for agent in participant if isinstance(participant, list) else [participant]:
            if agent in self.participants:
                self.participants.remove(agent)
                agent.remove_subscribers(self.name)
        self._reset_subscribers()

    async def broadcast(self, msg: Msg | list[Msg]) -> None:
        """Send ``msg`` to every participant's ``observe``."""
        ctx = current_run.get()
        for item in _as_list(msg):
            if ctx is not None:
                ctx.emit(
                    MessageCompleted(agent=item.name, msg=item.to_dict(), added_to_memory=False)
                )
        for agent in self.participants:
            await agent._observe_with_hooks(msg)

    def set_auto_broadcast(self, enable: bool) -> None:
        """Turn automatic broadcasting of replies on or off."""
        self.enable_auto_broadcast = enable
        self._reset_subscribers()


def _as_list(msg: Msg | list[Msg] | None) -> list[Msg]:
    if msg is None:
        return []
    return [msg] if isinstance(msg, Msg) else list(msg)
