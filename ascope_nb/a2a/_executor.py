"""``AgentRunExecutor``: any ascope_nb agent as an a2a-sdk ``AgentExecutor``.

Each request starts a run (``ascope_nb.run.start``, so it is stored like every run); the
run's events, the stream the live view reads, become A2A task status updates: one
``working`` update per ReAct step (and, while a step's text streams, one at most every
``FLUSH_S`` seconds with the text so far), carrying the text and tool blocks as the message
and the events under ``metadata["ascope_events_json"]``. The reply is the task's artifact. A
tool call that needs approval turns the task ``input-required``; the next message on that
task approves ("approve", "yes") or denies (anything else, the text is the reason); an
``ascope_nb`` caller also sends its full decision (edited arguments) in the message metadata.
Cancel stops the run (the agent's memory stays valid). A message on the task's context
carrying ``metadata["ascope_control_json"]`` (guidance, Pause, Step, Resume from an
``ascope_nb`` caller) is applied to that task's run, as its buttons would, and answered at
once (see ``agent._a2a_control``); a new request may carry them too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.tasks import TaskUpdater
from a2a.types import Message, Part, TaskState

from ..agent._a2a_control import ACK_KEY, apply_actions, control_of
from ..agent._a2a_remote import decision_of
from ..events import (
    ApprovalRequested,
    Event,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    StatusChanged,
    StepEnded,
    Subscription,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolResult,
)
from ..exceptions import ConfigError
from ..formatter._a2a import A2AChatFormatter, _part_v10
from ..message import Msg
from ..redact import redact, redact_text

if TYPE_CHECKING:
    from ..agent import AgentBase
    from ..run import Run

EVENTS_KEY = "ascope_events_json"  # status metadata: the step's events (the wire form, JSON)
# the caller's own run and reply frame its replay: these are not sent
_RUN_FRAME = (RunStarted, RunEnded, ReplyStarted, ReplyEnded)
_YES = {"approve", "approved", "yes", "y", "ok", "allow"}
FLUSH_S = 0.1  # streamed text waits at most this long before it is sent


@dataclass
class _Live:
    """A run being streamed for one task (kept across an input-required pause)."""

    run: Run
    queue: asyncio.Queue[Event]
    subscription: Subscription
    lock: asyncio.Lock | None
    waiting_call: str = ""
    context_id: str = ""  # the A2A context of the task (control requests must name it)


class AgentRunExecutor(AgentExecutor):  # type: ignore[misc]
    """Serve ``agent_or_factory``: one shared agent (requests take turns), or a factory
    called once per A2A context (each conversation its own agent and memory)."""

    def __init__(self, agent_or_factory: Any, *, name: str) -> None:
        from ..agent import AgentBase

        self.name = name
        self._shared: AgentBase | None = None
        self._factory: Callable[[], AgentBase] | None = None
        if isinstance(agent_or_factory, AgentBase):
            self._shared = agent_or_factory
        elif callable(agent_or_factory):
            self._factory = agent_or_factory
        else:
            raise ConfigError(
                f"serve() needs an agent or a factory returning one, got "
                f"{type(agent_or_factory).__name__}"
            )
        self._agents: dict[str, AgentBase] = {}
        self._lock: asyncio.Lock | None = None
        self._live: dict[str, _Live] = {}
        self._formatter = A2AChatFormatter()

    # ------------------------------------------------------------------ agents
    def _agent_for(self, context_id: str) -> AgentBase:
        from ..agent import AgentBase

        if self._shared is not None:
            return self._shared
        agent = self._agents.get(context_id)
        if agent is None:
            assert self._factory is not None
            agent = self._factory()
            if not isinstance(agent, AgentBase):
                raise ConfigError(
                    f"the agent factory of {self.name!r} returned {type(agent).__name__}"
                )
            agent.set_console_output_enabled(False)
            self._agents[context_id] = agent
        return agent

    # ------------------------------------------------------------------ A2A
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id, context_id = context.task_id or "", context.context_id or ""
        control = control_of(context.message)
        if control is not None and control["task_id"]:  # for a task already running
            await self._control(control, context, event_queue)
            return
        updater = TaskUpdater(event_queue, task_id, context_id)
        live = self._live.get(task_id)
        if live is not None and live.waiting_call:
            await self._answer_approval(live, context)
            await self._stream(live, task_id, updater)
            return
        blocks = await self._blocks(context.message)
        if context.current_task is None:
            from a2a.helpers import new_task

            await event_queue.enqueue_event(
                new_task(task_id, context_id, TaskState.TASK_STATE_SUBMITTED)
            )
        if not any(b.get("type") == "text" and b.get("text") for b in blocks):
            reason = f"{self.name}: the request has no text part"
            await updater.reject(updater.new_agent_message([Part(text=reason)]))
            return
        from ..run import start

        lock = None
        if self._shared is not None:
            lock = self._lock = self._lock or asyncio.Lock()
            await lock.acquire()
        try:
            agent = self._agent_for(context_id)
            run = start(
                agent,
                Msg("user", blocks, "user"),  # type: ignore[arg-type]
                title=agent.name,
                metadata={"a2a": {"task_id": task_id, "context_id": context_id}},
            )
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        if control is not None:  # given while no task of the caller ran: before step 1
            apply_actions(run, control["actions"])
        queue: asyncio.Queue[Event] = asyncio.Queue()
        subscription = run.subscribe(queue.put_nowait, replay=True)
        live = _Live(run, queue, subscription, lock, context_id=context_id)
        self._live[task_id] = live
        await self._stream(live, task_id, updater)

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id = context.task_id or ""
        live = self._live.get(task_id)
        if live is not None:
            await self._stop(live, task_id)
        updater = TaskUpdater(event_queue, task_id, context.context_id or "")
        try:
            await updater.cancel()
        except RuntimeError:  # already terminal
            pass

    async def _control(
        self, control: dict[str, Any], context: RequestContext, event_queue: EventQueue
    ) -> None:
        """Apply a caller's guidance / pause / step to the run of its task; answer at once
        (``ok``, or ``not_running``: the caller keeps them for its next request)."""
        from a2a.helpers import new_text_message
        from a2a.types import Role

        target = control["task_id"]
        live = self._live.get(target)
        running = live is not None and not live.run.done and live.context_id == context.context_id
        if live is not None and running:  # (a request of another context is not applied)
            apply_actions(live.run, control["actions"])
            text = f"{self.name}: {len(control['actions'])} request(s) applied to task {target}"
        else:
            text = f"{self.name}: task {target} is not running here"
        answer = new_text_message(text, context_id=context.context_id, role=Role.ROLE_AGENT)
        answer.metadata.update({ACK_KEY: "ok" if running else "not_running"})
        await event_queue.enqueue_event(answer)

    # ------------------------------------------------------------------ streaming
    async def _stream(self, live: _Live, task_id: str, updater: TaskUpdater) -> None:
        """Forward the run's events until it ends (or waits for approval)."""
        step: list[Event] = []
        loop = asyncio.get_running_loop()
        due: float | None = None  # when the unsent text of the step must go out
        try:
            while True:
                if due is None:
                    event = await live.queue.get()
                else:
                    try:
                        event = await asyncio.wait_for(live.queue.get(), due - loop.time())
                    except asyncio.TimeoutError:  # the text so far, so the caller sees it stream
                        await self._send_step(step, updater)
                        step, due = [], None
                        continue
                step.append(event)
                if isinstance(event, StepEnded | ToolCall | ToolResult) or (
                    isinstance(event, StatusChanged) and event.status != "waiting_approval"
                ):  # the view sees calls live, and a pause when the remote holds
                    await self._send_step(step, updater)
                    step, due = [], None
                elif due is None and isinstance(event, TextDelta | ThinkingDelta):
                    due = loop.time() + FLUSH_S
                elif isinstance(event, ApprovalRequested):
                    await self._send_step(step, updater)
                    live.waiting_call = event.tool_call_id
                    text = (
                        f"{self.name} wants to call {event.name}({event.input}); reply "
                        f"'approve' to run it, anything else denies it"
                    )
                    await updater.requires_input(
                        updater.new_agent_message([Part(text=text)]),
                    )
                    return
                elif isinstance(event, RunEnded):
                    break
            await self._finish(live, updater, step[:-1])
        except asyncio.CancelledError:
            await asyncio.shield(self._stop(live, task_id))
            raise
        finally:
            if not live.waiting_call:
                self._release(live, task_id)

    async def _send_step(self, events: list[Event], updater: TaskUpdater) -> None:
        if not events:
            return
        parts = _step_parts(events)
        message = updater.new_agent_message(parts or [Part(text="")])
        await updater.update_status(
            TaskState.TASK_STATE_WORKING, message, metadata=_events_metadata(events)
        )

    async def _finish(self, live: _Live, updater: TaskUpdater, tail: list[Event]) -> None:
        """End the task: the reply as the artifact, then ``completed`` carrying the run's
        last events (the reply's message); a failure or a stop ends it otherwise."""
        run = live.run
        try:  # the answer leaves at once; the store commits the run's end a moment later
            reply = await run.wait(durable=False)
        except asyncio.CancelledError:
            reply = None
        except Exception as exc:
            await self._send_step(tail, updater)
            line = redact_text(f"{self.name}: {type(exc).__name__}: {exc}".splitlines()[0])
            await updater.failed(updater.new_agent_message([Part(text=line)]))
            return
        if run.status == "interrupted" or reply is None:
            await self._send_step(tail, updater)
            await updater.cancel()
            return
        msgs = reply if isinstance(reply, list) else [reply]
        blocks = redact([b for m in msgs for b in m.get_content_blocks()])  # leaves the process
        parts = [p for b in blocks if (p := _part_v10_safe(b))]
        await updater.add_artifact(parts or [Part(text="")], name="reply")
        await updater.update_status(
            TaskState.TASK_STATE_COMPLETED, metadata=_events_metadata(tail) if tail else None
        )

    async def _answer_approval(self, live: _Live, context: RequestContext) -> None:
        call_id = live.waiting_call
        decision = decision_of(context.message)
        if decision is not None:  # an ascope_nb caller's buttons: approved, edited or denied
            live.waiting_call = ""
            if decision["decision"] == "approved":
                live.run.approve(call_id)
            elif decision["decision"] == "edited":
                live.run.approve(call_id, decision["input"])
            else:
                live.run.deny(call_id, str(decision.get("reason") or "denied by the A2A client"))
            return
        text = " ".join(
            b.get("text", "")
            for b in await self._blocks(context.message)
            if b.get("type") == "text"
        ).strip()
        call_id, live.waiting_call = live.waiting_call, ""
        if text.lower().rstrip(".!") in _YES:
            live.run.approve(call_id)
        else:
            live.run.deny(call_id, text or "denied by the A2A client")

    async def _stop(self, live: _Live, task_id: str) -> None:
        live.run.stop()
        try:
            await asyncio.wait_for(asyncio.shield(live.run.wait()), 10)
        except Exception:  # noqa: S110 - the run's own error is kept on the Run
            pass
        live.waiting_call = ""
        self._release(live, task_id)

    def _release(self, live: _Live, task_id: str) -> None:
        if self._live.get(task_id) is live:
            del self._live[task_id]
            live.subscription.close()
            if live.lock is not None and live.lock.locked():
                live.lock.release()

    async def _blocks(self, message: Message | None) -> list[dict[str, Any]]:
        if message is None:
            return []
        msg = await self._formatter.format_a2a_message("user", message)
        return list(msg.get_content_blocks())


def _events_metadata(events: list[Event]) -> dict[str, Any]:
    """The events for the caller's view, as one JSON string (a protobuf ``Struct`` of nested
    event dicts costs ~10x more to build and read); the run and reply frame is left out."""
    shown = [e.to_dict() for e in events if not isinstance(e, _RUN_FRAME)]
    return {EVENTS_KEY: json.dumps(shown, separators=(",", ":"), default=str)}


def _part_v10_safe(block: dict[str, Any]) -> Part | None:
    import a2a.types as types

    try:
        return _part_v10(types, block)
    except ValueError:
        return None


def _step_parts(events: list[Event]) -> list[Part]:
    """The text and tool blocks of one step as A2A parts."""
    from ..events import TextDelta

    text = "".join(e.delta for e in events if isinstance(e, TextDelta))
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    for e in events:
        if isinstance(e, ToolCall):
            blocks.append(
                {"type": "tool_use", "id": e.tool_call_id, "name": e.name, "input": e.input}
            )
        elif isinstance(e, ToolResult):
            blocks.append(
                {"type": "tool_result", "id": e.tool_call_id, "name": e.name, "output": e.output}
            )
    return [p for b in blocks if (p := _part_v10_safe(b)) is not None]


__all__ = ["AgentRunExecutor"]
