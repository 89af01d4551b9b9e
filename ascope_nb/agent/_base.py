"""``AgentBase``: hooks, observe, interrupt, MsgHub subscribers, and the event stream."""

from __future__ import annotations

import asyncio
import copy
import sys
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from .._ids import new_id
from ..events import (
    Event,
    MessageCompleted,
    ReplyEnded,
    ReplyStarted,
    RunContext,
    RunEnded,
    RunStarted,
    RunStatus,
    Subscriber,
    Subscription,
    current_reply,
    current_run,
    ended_by,
)
from ..message import Msg
from ..module import StateModule
from ._hooks import Hook, HookRegistry, hooks_generation, with_hooks
from ._printer import ConsolePrinter


def _in_jupyter_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython() if hasattr(ipython, "get_ipython") else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _msgs_as_dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, Msg):
        return [value.to_dict()]
    if isinstance(value, list):
        return [m.to_dict() for m in value if isinstance(m, Msg)]
    return []


class AgentBase(StateModule):
    """Base class of agents: ``await agent(msg)`` runs ``reply`` with hooks and events.

    Agents never print: every action is an event (``ascope_nb.events``). Outside a Jupyter
    kernel a ``ConsolePrinter`` subscribes by default, which matches AgentScope's console
    output; ``set_console_output_enabled(False)`` turns it off.

    Example:
        >>> class Echo(AgentBase):
        ...     async def reply(self, msg=None):
        ...         return Msg(self.name, msg.get_text_content(), "assistant")
        >>> import asyncio
        >>> echo = Echo(name="echo"); echo.set_console_output_enabled(False)
        >>> asyncio.run(echo(Msg("user", "hi", "user"))).content
        'hi'
    """

    _class_hooks: ClassVar[HookRegistry] = HookRegistry()
    # methods whose pre_/post_ hooks run on every call: method name -> hook kind
    _HOOKED: ClassVar[dict[str, str]] = {"reply": "reply", "observe": "observe", "print": "print"}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._class_hooks = HookRegistry()  # each class its own registry (AgentScope shared one)
        for name, kind in cls._HOOKED.items():
            if name in cls.__dict__:
                setattr(cls, name, with_hooks(cls.__dict__[name], kind))

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.id = new_id()
        self.name = name if name is not None else type(self).__name__
        self._instance_hooks = HookRegistry()
        self._reply_task: asyncio.Task[Msg | None] | None = None
        self._reply_id: str | None = None
        self._interrupt_requested = False
        self._subscribers: dict[str, list[AgentBase]] = {}
        self._event_subscribers: list[Subscriber] = []
        self._printer: ConsolePrinter | None = None
        self.msg_queue: asyncio.Queue[Any] | None = None
        self.set_console_output_enabled(not _in_jupyter_kernel())

    # ------------------------------------------------------------------ events
    def subscribe(self, callback: Subscriber) -> Subscription:
        """Receive every event this agent emits (in any run)."""
        self._event_subscribers.append(callback)
        return Subscription(self._event_subscribers, callback)

    def set_console_output_enabled(self, enabled: bool) -> None:
        """Print this agent's events to stdout (the default outside notebooks)."""
        if enabled and self._printer is None:
            self._printer = ConsolePrinter()
            self._event_subscribers.append(self._printer)
        elif not enabled and self._printer is not None:
            if self._printer in self._event_subscribers:
                self._event_subscribers.remove(self._printer)
            self._printer = None

    def set_msg_queue_enabled(self, enabled: bool, queue: asyncio.Queue[Any] | None = None) -> None:
        """Also put ``(msg_copy, last, None)`` on ``queue`` for each ``print`` (AgentScope's
        message queue, used by ``pipeline.stream_printing_messages``)."""
        if enabled:
            self.msg_queue = queue if queue is not None else self.msg_queue or asyncio.Queue()
        else:
            self.msg_queue = None

    def disable_console_output(self) -> None:
        """AgentScope 1.x alias of ``set_console_output_enabled(False)``."""
        self.set_console_output_enabled(False)

    def _emit(self, event: Event) -> Event:
        """Stamp ``event`` with this agent and the current reply, and deliver it."""
        if not event.agent:
            event.agent = self.name
        if not event.reply_id:
            event.reply_id = current_reply.get()
        ctx = current_run.get()
        if ctx is None:
            ctx = RunContext("")  # outside any run (e.g. a direct observe): no run id
        return ctx.emit(event, self._event_subscribers)

    def _run_metadata(self) -> dict[str, Any]:
        return {"agent_class": type(self).__name__}

    async def _reply_context(self) -> dict[str, Any]:
        """Extra ``ReplyStarted`` fields: what the model will see besides the input (none
        here; agents with a memory record it, see ``ReActAgent``)."""
        return {}

    def _model_label(self) -> str:
        model = getattr(self, "model", None)
        return str(getattr(model, "model_name", "")) if model is not None else ""

    # ------------------------------------------------------------------ hooks
    def register_instance_hook(self, hook_type: str, hook_name: str, hook: Hook) -> None:
        """Add a hook to this agent only."""
        self._instance_hooks.add(hook_type, hook_name, hook)

    def remove_instance_hook(self, hook_type: str, hook_name: str) -> None:
        self._instance_hooks.remove(hook_type, hook_name)

    def clear_instance_hooks(self, hook_type: str | None = None) -> None:
        self._instance_hooks.clear(hook_type)

    @classmethod
    def register_class_hook(cls, hook_type: str, hook_name: str, hook: Hook) -> None:
        """Add a hook to every instance of this class and its subclasses."""
        cls._class_hooks.add(hook_type, hook_name, hook)

    @classmethod
    def remove_class_hook(cls, hook_type: str, hook_name: str) -> None:
        cls._class_hooks.remove(hook_type, hook_name)

    @classmethod
    def clear_class_hooks(cls, hook_type: str | None = None) -> None:
        cls._class_hooks.clear(hook_type)

    def _hooks(self, hook_type: str) -> list[Hook]:
        """The hooks of ``hook_type``: this agent's, then its classes' (base class first);
        cached until any hook registry changes (``hooks_generation``)."""
        cache: tuple[int, type, dict[str, list[Hook]]] | None = self.__dict__.get("_hook_cache")
        if cache is None or cache[0] != hooks_generation() or cache[1] is not type(self):
            cache = (hooks_generation(), type(self), {})
            self.__dict__["_hook_cache"] = cache
        found = cache[2].get(hook_type)
        if found is None:
            found = list(self._instance_hooks.hooks[hook_type].values())
            for klass in reversed(type(self).__mro__):
                registry = klass.__dict__.get("_class_hooks")
                if isinstance(registry, HookRegistry):
                    found.extend(registry.hooks[hook_type].values())
            cache[2][hook_type] = found
        return list(found) if found else found

    # ------------------------------------------------------------------ the reply
    async def reply(self, *args: Any, **kwargs: Any) -> Msg:
        """Produce this agent's answer. Subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement reply()")

    async def observe(self, msg: Msg | list[Msg] | None) -> None:
        """Receive a message without replying (MsgHub broadcasts). Default: ignore it."""

    async def print(self, msg: Msg, last: bool = True, speech: Any = None) -> None:
        """Show ``msg`` to watchers: emits a ``MessageCompleted`` event (never prints itself).
        ``speech`` (an ``AudioBlock`` or a list of them, AgentScope 1.x) goes with the last
        chunk as an audio message the live view plays (AgentScope plays it on the speakers)."""
        if last:
            self._emit(MessageCompleted(msg=msg.to_dict(), added_to_memory=False))
            if speech:
                from ._speech import emit_speech

                emit_speech(self, msg, speech)
        if self.msg_queue is not None:
            await self.msg_queue.put((copy.deepcopy(msg), last, speech))
            await asyncio.sleep(0)  # let the consumer take it

    async def handle_interrupt(self, *args: Any, **kwargs: Any) -> Msg:
        """The reply returned when interrupted; subclasses also repair their memory."""
        return Msg(
            self.name,
            "I noticed that you have interrupted me. What can I do for you?",
            "assistant",
            metadata={"_is_interrupted": True},
        )

    async def interrupt(self, msg: Msg | list[Msg] | None = None) -> None:
        """Stop the current reply now; pending tool calls get "interrupted" results."""
        task = self._reply_task
        if task is not None and not task.done():
            self._interrupt_requested = True
            task.cancel()

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        ctx = current_run.get()
        if ctx is not None:
            return await self._call_in_reply(args, kwargs)
        return await self._call_in_new_run(RunContext(new_id()), *args, **kwargs)

    async def _call_in_new_run(self, ctx: RunContext, *args: Any, **kwargs: Any) -> Any:
        token = current_run.set(ctx)
        status: RunStatus = "completed"
        error: str | None = None
        output: dict[str, Any] | None = None
        try:
            first = args[0] if args else kwargs.get("msg")
            self._emit(
                RunStarted(
                    input=_msgs_as_dicts(first),
                    title=self.name,
                    model=self._model_label(),
                    metadata=self._run_metadata(),
                )
            )
            reply = await self._call_in_reply(args, kwargs)
            meta = reply.metadata or {} if isinstance(reply, Msg) else {}
            status = meta.get("_status", "completed")
            if meta.get("_is_interrupted"):
                status = "interrupted"
            output = reply.to_dict() if isinstance(reply, Msg) else None
            return reply
        except BaseException as exc:
            status, error = ended_by(exc)
            raise
        finally:
            self._emit(RunEnded(status=status, error=error, output=output))
            current_run.reset(token)

    async def _call_in_reply(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        reply_id = new_id()
        token = current_reply.set(reply_id)
        self._reply_id = reply_id
        first = args[0] if args else kwargs.get("msg")
        self._emit(ReplyStarted(input=_msgs_as_dicts(first), **await self._reply_context()))
        self._interrupt_requested = False
        task: asyncio.Task[Msg | None] = asyncio.ensure_future(self.reply(*args, **kwargs))
        self._reply_task = task
        status: RunStatus = "completed"
        try:
            try:
                reply_msg = await task
            except asyncio.CancelledError:
                reply_msg = await self.handle_interrupt(*args, **kwargs)
                status = "interrupted"
                if not self._interrupt_requested:  # our caller was cancelled: propagate
                    self._emit(ReplyEnded(msg_id=reply_msg.id, status=status))
                    raise
            except BaseException:
                self._emit(ReplyEnded(status="error"))
                raise
            if (
                isinstance(reply_msg, Msg)
                and (reply_msg.metadata or {}).get("_status") == "max_iters"
            ):
                status = "max_iters"
            await self._broadcast_to_subscribers(reply_msg)
            msg_id = reply_msg.id if isinstance(reply_msg, Msg) else ""
            self._emit(ReplyEnded(msg_id=msg_id, status=status))
            return reply_msg
        finally:
            self._reply_task = None
            self._interrupt_requested = False
            current_reply.reset(token)

    async def stream(self, *args: Any, **kwargs: Any) -> AsyncIterator[Event]:
        """Run ``self(*args, **kwargs)`` as a new run and yield its events as they happen.

        Example:
            >>> async def watch(agent, msg):  # doctest: +SKIP
            ...     async for event in agent.stream(msg):
            ...         print(event.kind)
        """
        queue: asyncio.Queue[Event] = asyncio.Queue()
        ctx = RunContext(new_id())
        ctx.subscribers.append(queue.put_nowait)
        task = asyncio.ensure_future(self._call_in_new_run(ctx, *args, **kwargs))
        try:
            while True:
                event = await queue.get()
                yield event
                if isinstance(event, RunEnded) and event.run_id == ctx.run_id:
                    break
            await task
        finally:
            if not task.done():
                task.cancel()

    # ------------------------------------------------------------------ MsgHub
    async def _broadcast_to_subscribers(self, msg: Msg | list[Msg] | None) -> None:
        if msg is None:
            return
        for subscribers in list(self._subscribers.values()):
            for agent in subscribers:
                await agent._observe_with_hooks(msg)

    async def _observe_with_hooks(self, msg: Msg | list[Msg] | None) -> None:
        await self.observe(msg)  # hooks run inside (see ``_hooks.with_hooks``)

    def reset_subscribers(self, msghub_name: str, subscribers: list[AgentBase]) -> None:
        """Set the agents that observe this agent's replies inside hub ``msghub_name``."""
        self._subscribers[msghub_name] = [a for a in subscribers if a is not self]

    def remove_subscribers(self, msghub_name: str) -> None:
        self._subscribers.pop(msghub_name, None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


for _name, _kind in AgentBase._HOOKED.items():
    setattr(AgentBase, _name, with_hooks(getattr(AgentBase, _name), _kind))
