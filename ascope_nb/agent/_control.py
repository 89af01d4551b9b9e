"""Steering a live agent: guidance hints, pause / step, and tool-call approval.

The notebook buttons and ``Run`` methods call these; they must be called on the agent's
event loop thread (``Run`` marshals calls that arrive on other threads).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from ..events import ApprovalRequested, ApprovalResolved, Event, StatusChanged
from ..exceptions import ConfigError

Decision = Literal["approved", "denied", "edited"]


@dataclass
class ApprovalDecision:
    """A decision on one tool call; ``input`` is the (possibly edited) arguments."""

    decision: Decision
    input: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    by: str = "human"


ApprovalHandler = Callable[[dict[str, Any]], Awaitable[ApprovalDecision] | ApprovalDecision]


def normalize_policy(policy: str | Collection[str] | None) -> frozenset[str] | Literal["all"]:
    """``"all"``, a comma-separated string, or a collection of tool names."""
    if policy is None:
        return frozenset()
    if isinstance(policy, str):
        if policy.strip() == "all":
            return "all"
        return frozenset(p.strip() for p in policy.split(",") if p.strip())
    names = frozenset(policy)
    if not all(isinstance(n, str) for n in names):
        raise ConfigError(f"approval policy must name tools as strings, got {policy!r}")
    return names


class AgentControl:
    """Steering state of one agent.

    Example:
        >>> control = AgentControl(require_approval="execute_shell_command")
        >>> control.needs_approval("execute_shell_command")
        True
    """

    def __init__(self, *, require_approval: str | Collection[str] | None = None) -> None:
        self.require_approval = normalize_policy(require_approval)
        self.approval_handler: ApprovalHandler | None = None
        self._hints: list[tuple[str, Literal["human", "system"]]] = []
        self._paused = False
        self._step_credits = 0
        self._gate: asyncio.Event | None = None
        self._pending: dict[str, asyncio.Future[ApprovalDecision]] = {}
        self._early: dict[str, ApprovalDecision] = {}

    @property
    def refusal(self) -> str:
        """Why guidance, Pause and Step cannot reach this agent ("": they can)."""
        return ""

    # guidance -------------------------------------------------------------------------
    def steer(self, text: str, *, source: Literal["human", "system"] = "human") -> None:
        """Queue guidance; it is added before the agent's next reasoning step."""
        if not isinstance(text, str) or not text.strip():
            raise ConfigError("steering text must be a non-empty string")
        self._hints.append((text, source))

    @property
    def has_hints(self) -> bool:
        """Whether guidance waits for the next step."""
        return bool(self._hints)

    def take_hints(self) -> list[tuple[str, Literal["human", "system"]]]:
        hints, self._hints = self._hints, []
        return hints

    # pause / step ---------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Hold the agent before its next step."""
        self._paused = True

    def resume(self) -> None:
        """Run freely again."""
        self._paused = False
        self._step_credits = 0
        self._open_gate()

    def step(self) -> None:
        """While paused, let exactly one more step run (pauses first if running)."""
        self._paused = True
        self._step_credits += 1
        self._open_gate()

    def _open_gate(self) -> None:
        if self._gate is not None:
            self._gate.set()

    async def wait_before_step(self, emit: Callable[[Event], Any]) -> None:
        """Called by the agent before each step: waits while paused."""
        if not self._paused:
            return
        if self._step_credits > 0:
            self._step_credits -= 1
            return
        emit(StatusChanged(status="paused"))
        while self._paused and self._step_credits == 0:
            self._gate = asyncio.Event()
            await self._gate.wait()
        self._gate = None
        if self._paused:
            self._step_credits -= 1
        emit(StatusChanged(status="running"))

    # approval -------------------------------------------------------------------------
    def needs_approval(self, tool_name: str) -> bool:
        policy = self.require_approval
        return policy == "all" or tool_name in policy

    @property
    def pending_approvals(self) -> list[str]:
        return list(self._pending)

    def approve(
        self, tool_call_id: str, input: dict[str, Any] | None = None, *, by: str = "human"
    ) -> None:
        """Approve a waiting tool call, optionally with edited arguments."""
        decision: Decision = "approved" if input is None else "edited"
        self._resolve(tool_call_id, ApprovalDecision(decision, dict(input or {}), by=by))

    def deny(self, tool_call_id: str, reason: str = "", *, by: str = "human") -> None:
        """Deny a waiting tool call; the model is told, with ``reason``."""
        self._resolve(tool_call_id, ApprovalDecision("denied", {}, reason=reason, by=by))

    def _resolve(self, tool_call_id: str, decision: ApprovalDecision) -> None:
        future = self._pending.get(tool_call_id)
        if future is None:
            self._early[tool_call_id] = decision
            return
        if not future.done():
            future.set_result(decision)

    async def request_approval(
        self, tool_call: dict[str, Any], emit: Callable[[Event], Any]
    ) -> ApprovalDecision:
        """Wait (without polling) for a decision on ``tool_call``; emits the approval events."""
        call_id, name, original = (
            tool_call["id"],
            tool_call["name"],
            dict(tool_call.get("input") or {}),
        )
        emit(ApprovalRequested(tool_call_id=call_id, name=name, input=original))
        decision = self._early.pop(call_id, None)
        if decision is None and self.approval_handler is not None:
            result = self.approval_handler(tool_call)
            decision = (
                await result  # type: ignore[misc]
                if inspect.isawaitable(result)
                else result
            )  # type: ignore[assignment]
        if decision is None:
            future: asyncio.Future[ApprovalDecision] = asyncio.get_running_loop().create_future()
            self._pending[call_id] = future
            emit(StatusChanged(status="waiting_approval", detail=call_id))
            try:
                decision = await future
            finally:
                self._pending.pop(call_id, None)
            emit(StatusChanged(status="running"))
        assert decision is not None
        if decision.decision == "approved":
            decision.input = original
        emit(
            ApprovalResolved(
                tool_call_id=call_id,
                name=name,
                decision=decision.decision,
                input=decision.input,
                original_input=original,
                reason=decision.reason,
                by=decision.by,
            )
        )
        return decision
