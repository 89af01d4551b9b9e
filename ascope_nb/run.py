"""``Run``: an agent (or a hub conversation) running as a background task, steerable.

In a notebook the cell that starts a run returns at once with a ``Run`` handle; buttons and
code steer it through the same methods; ``await run`` waits for the reply.

Example:
    >>> async def demo(agent, msg):  # doctest: +SKIP
    ...     run = start(agent, msg)
    ...     run.steer("Be brief.")
    ...     reply = await run
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from . import hooks
from ._ids import new_id
from .events import (
    Event,
    FeedbackGiven,
    ReplyEnded,
    ReplyStarted,
    RunContext,
    RunEnded,
    RunStarted,
    RunStatus,
    StatusChanged,
    Subscriber,
    Subscription,
    ToolCall,
    current_run,
    ended_by,
)
from .exceptions import ConfigError
from .message import Msg

if TYPE_CHECKING:
    from .agent import AgentBase

_RUNS: list[Run] = []  # the runs of this process, oldest first


class Run:
    """Handle of one background run: its events, status, result and steering controls.

    Control methods (``stop``, ``steer``, ``approve``, ``deny``, ``pause``, ``step``,
    ``resume``, ``feedback``, ``submit_input``) are thread-safe: called from another
    thread (a kernel subshell) they are handed to the run's event loop.
    """

    def __init__(
        self, *, agents: Sequence[AgentBase], title: str, kind: Literal["agent", "hub"] = "agent"
    ) -> None:
        self.run_id = new_id()
        self.agents = list(agents)
        self.title = title
        self.kind = kind
        self.status: RunStatus = "running"
        self.agent_status = "running"
        self.result: Msg | list[Msg] | None = None
        self.error: BaseException | None = None
        self.events: list[Event] = []
        self._context = RunContext(self.run_id)
        self._context.subscribers.append(self._on_event)
        self._context.steerable = True
        self._subscribers: list[Subscriber] = []
        self._active: list[AgentBase] = []
        self._call_owner: dict[str, AgentBase] = {}
        self._input_waiters: dict[str, asyncio.Future[str]] = {}
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._view: Any = None
        self._shown_in_cell: int | None = None  # execution count of the cell showing the view
        self.divergence: Any = None  # a replay's first difference from its recording
        _RUNS.append(self)

    # ---------------------------------------------------------------- lifecycle
    def _launch(self, body: Callable[[], Awaitable[Any]], *, store: bool = True) -> Run:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigError(
                "ascope_nb.start() needs a running event loop (a Jupyter kernel, or inside "
                "`async def`); in a plain script use `await agent(msg)` within asyncio.run()"
            ) from None
        self._loop_thread = threading.get_ident()
        if store:
            from .store import default_store

            default_store()  # every run started through ascope_nb is kept (ASCOPE_STORE)

        async def guarded() -> Any:
            token = current_run.set(self._context)
            try:
                self.result = await body()
                return self.result
            except BaseException as exc:
                self.error = exc
                if self.status == "running":
                    self.status = (
                        "interrupted" if isinstance(exc, asyncio.CancelledError) else "error"
                    )
                raise
            finally:
                current_run.reset(token)

        self._task = self._loop.create_task(guarded())
        self._task.add_done_callback(_consume_exception)
        return self

    def _on_event(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, ReplyStarted):
            agent = self._agent_named(event.agent)
            if agent is not None:
                self._active.append(agent)
        elif isinstance(event, ReplyEnded):
            agent = self._agent_named(event.agent)
            if agent is not None and agent in self._active:
                self._active.remove(agent)
        elif isinstance(event, ToolCall):
            owner = self._agent_named(event.agent)
            if owner is not None:
                self._call_owner[event.tool_call_id] = owner
        elif isinstance(event, StatusChanged):
            self.agent_status = event.status
        elif isinstance(event, RunEnded):
            self.status = event.status
        for callback in tuple(self._subscribers):
            callback(event)

    def _agent_named(self, name: str) -> AgentBase | None:
        for agent in self.agents:
            if agent.name == name:
                return agent
        return None

    def subscribe(self, callback: Subscriber, *, replay: bool = True) -> Subscription:
        """Receive this run's events (first the ones already emitted, if ``replay``)."""
        if replay:
            for event in list(self.events):
                callback(event)
        self._subscribers.append(callback)
        return Subscription(self._subscribers, callback)

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def wait(
        self, timeout: float | None = None, *, durable: bool = True
    ) -> Msg | list[Msg] | None:
        """Wait for the run to end and return its reply (``await run`` does the same).

        A stopped run returns its "interrupted" reply; a failed run raises its error.
        ``durable=False`` returns without waiting for the attached stores to commit the
        run's last events (they still do, a moment later): for a caller that hands the reply
        on at once, such as an A2A server answering over the network.
        """
        if self._task is None:
            raise ConfigError("this run was never started")
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        finally:
            if self._task.done() and durable:
                await self._durable()
            if self._view is not None and self._task.done():
                self._view.flush()  # the output shows (and a saved notebook keeps) the end
        return self.result

    async def _durable(self) -> None:
        """Wait until the ended run's last event is committed by every attached store: a run
        that ``await run`` says has ended is on disk (another process sees its answer)."""
        if not hooks.wait_durable.is_set or not self.events:  # no store attached
            return
        try:
            await hooks.wait_durable(self.run_id, self.events[-1].seq, timeout=10.0)
        except Exception:  # a failing store reports itself; the run's result still returns
            pass

    def __await__(self) -> Any:
        return self.wait().__await__()

    # ---------------------------------------------------------------- controls
    def _on_loop(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._loop is None:
            raise ConfigError("this run was never started")
        if threading.get_ident() == self._loop_thread:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    def _controls(self) -> list[Any]:
        targets = self._active or self.agents
        return [a.control for a in targets if hasattr(a, "control")]

    def stop(self) -> None:
        """Stop now: the active agent's pending tool calls get "interrupted" results."""
        self._on_loop(self._stop)

    def _stop(self) -> None:
        if self.done:
            return
        replying = [a for a in self._active if getattr(a, "_reply_task", None) is not None]
        for agent in replying:
            self._loop.create_task(agent.interrupt())  # type: ignore[union-attr]
        if self.kind == "hub" or not replying:
            # a hub must not go on to the next speaker; an agent not yet replying is cancelled
            if self._task is not None:
                self._loop.call_soon(self._task.cancel)  # type: ignore[union-attr]

    def steer(self, text: str) -> None:
        """Inject guidance before the next reasoning step of the active agent.

        Raises:
            ConfigError: the text is empty, or the active agent cannot take guidance (a
                remote A2A agent on a plain A2A server: the line names it).
        """
        if not isinstance(text, str) or not text.strip():
            raise ConfigError("steering text must be a non-empty string")
        _takers(self._controls()[-1:])
        self._on_loop(self._steer, text)

    def _steer(self, text: str) -> None:
        controls = self._controls()
        if controls:
            controls[-1].steer(text)

    def approve(self, tool_call_id: str, input: dict[str, Any] | None = None) -> None:
        """Approve a tool call waiting for a decision (``input``: edited arguments)."""
        self._on_loop(self._decide, tool_call_id, "approve", input, "")

    def deny(self, tool_call_id: str, reason: str = "") -> None:
        """Deny a tool call waiting for a decision; the model is told why."""
        self._on_loop(self._decide, tool_call_id, "deny", None, reason)

    def _decide(
        self, tool_call_id: str, action: str, input: dict[str, Any] | None, reason: str
    ) -> None:
        owner = self._call_owner.get(tool_call_id)
        control = getattr(owner, "control", None) if owner is not None else None
        if control is None:
            candidates = [c for c in self._controls() if tool_call_id in c.pending_approvals]
            control = candidates[0] if candidates else None
        if control is None:
            raise ConfigError(
                f"no tool call {tool_call_id!r} is waiting for approval in run {self.run_id!r}"
            )
        if action == "approve":
            control.approve(tool_call_id, input)
        else:
            control.deny(tool_call_id, reason)

    def pause(self) -> None:
        """Hold the agents before their next step (``ConfigError`` if none can be held: a
        remote A2A agent on a plain A2A server)."""
        takers = _takers(self._all_controls())
        self._on_loop(lambda: [c.pause() for c in takers])

    def step(self) -> None:
        """While paused, run one more step."""
        takers = _takers(self._controls())
        self._on_loop(lambda: [c.step() for c in takers])

    def resume(self) -> None:
        """Run freely again."""
        takers = _takers(self._all_controls())
        self._on_loop(lambda: [c.resume() for c in takers])

    def _all_controls(self) -> list[Any]:
        return [a.control for a in self.agents if hasattr(a, "control")]

    def feedback(
        self,
        *,
        score: float | None = None,
        label: Literal["up", "down"] | None = None,
        comment: str = "",
        step: int | None = None,
    ) -> None:
        """Record a judgement of this run (stored with it, exported as labels and rewards)."""
        if label not in (None, "up", "down"):
            raise ConfigError(f"feedback label must be 'up' or 'down', got {label!r}")
        event = FeedbackGiven(
            agent=self.title, score=score, label=label, comment=comment, step=step
        )
        self._on_loop(self._context.emit, event)

    def submit_input(self, request_id: str, text: str) -> None:
        """Answer a UserAgent waiting for input in this run."""
        self._on_loop(self._submit_input, request_id, text)

    def _submit_input(self, request_id: str, text: str) -> None:
        waiter = self._input_waiters.get(request_id)
        if waiter is None or waiter.done():
            raise ConfigError(f"no input request {request_id!r} is waiting in run {self.run_id!r}")
        waiter.set_result(text)

    async def wait_for_input(self, request_id: str) -> str:
        """Used by the notebook input method: wait for ``submit_input(request_id, ...)``."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._input_waiters[request_id] = future
        try:
            return await future
        finally:
            self._input_waiters.pop(request_id, None)

    @property
    def plan(self) -> Any:
        """The plan of this run's agent, editable by a person (``run.plan.add(...)``,
        ``mark``, ``move``, ``rename``, ``remove``, ``approve``; see ``ascope_nb.plan``)."""
        from .plan._handle import RunPlan

        return RunPlan(self)

    # ---------------------------------------------------------------- what-if
    def fork(
        self,
        step: int,
        *,
        edit: str | dict[str, Any] | None = None,
        guidance: str | None = None,
        model: Any = None,
        tools: Any = None,
    ) -> Run:
        """A new run from the state just before ``step`` of this one, optionally with the
        model's output there replaced (``edit``: a text or new tool arguments), guidance
        injected, or another model (see ``ascope_nb.whatif.fork``).

        Example:
            >>> fork = run.fork(1, edit={"city": "Oslo"})  # doctest: +SKIP
        """
        return hooks.fork_run(self, step, edit=edit, guidance=guidance, model=model, tools=tools)

    # ---------------------------------------------------------------- display
    @property
    def view(self) -> Any:
        """The live widget of this run (made on first use)."""
        if self._view is None:
            self._view = hooks.live_view(self, kind=self.kind, title=self.title)
            self.subscribe(self._view.push)
        return self._view

    def display(self) -> Run:
        """Show the live view with a display id (updated with the transcript when the run
        ends); the ``Run`` returned by the same cell then shows as one line, not a second view.
        """
        self.view.display()
        self._shown_in_cell = _execution_count()
        return self

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self._shown_in_cell is not None and self._shown_in_cell == _execution_count():
            return {"text/plain": repr(self)}
        return self.view._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        steps = sum(1 for e in self.events if e.kind == "step_started")
        diverged = f", divergence={self.divergence}" if self.divergence is not None else ""
        return f"Run(title={self.title!r}, status={self.status!r}, steps={steps}{diverged})"


def _takers(controls: list[Any]) -> list[Any]:
    """The controls that take guidance / pause / step; ``ConfigError`` with the reason when
    there were some and none does (a remote agent on a plain A2A server)."""
    takers = [c for c in controls if not getattr(c, "refusal", "")]
    if controls and not takers:
        raise ConfigError(controls[0].refusal)
    return takers


def _execution_count() -> int | None:

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "execution_count", None)


def _consume_exception(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # the error is kept on the Run; avoid "never retrieved" noise


def start(
    agent: AgentBase,
    msg: Msg | str | list[Msg] | None = None,
    *,
    title: str | None = None,
    store: bool = True,
    metadata: dict[str, Any] | None = None,
    **reply_kwargs: Any,
) -> Run:
    """Start ``agent`` replying to ``msg`` in the background; returns its ``Run`` at once.

    A string ``msg`` becomes a user message. Needs a running event loop (a notebook cell).
    ``metadata`` is merged into the run's ``RunStarted`` metadata (tags such as an
    experiment's name and sample id), so it is stored with the run (with ``title``).
    """
    from .agent import AgentBase

    if not isinstance(agent, AgentBase):
        raise ConfigError(f"start() needs an agent, got {type(agent).__name__}")
    if isinstance(msg, str):
        msg = Msg("user", msg, "user")
    run = Run(agents=[agent], title=title or agent.name)
    if metadata:
        run._context.subscribers.insert(0, tag_run_started(metadata, title=title))
    return run._launch(
        lambda: agent._call_in_new_run(run._context, msg, **reply_kwargs), store=store
    )


def start_hub(
    agents: Sequence[AgentBase],
    topic: Msg | str | None = None,
    *,
    announcement: Msg | str | None = None,
    rounds: int = 1,
    title: str | None = None,
    store: bool = True,
    play: Callable[[], Awaitable[Any]] | None = None,
) -> Run:
    """Start a MsgHub conversation in the background: ``rounds`` of every agent in turn.

    The announcement (and the topic, if given) is broadcast to all participants first.
    ``play``, an ``async def`` taking no arguments, replaces the rounds with your own
    orchestration (its own hubs, pipelines and votes: a game); its return value is the
    run's result, and everything the agents say and observe shows in the hub view.

    Example:
        >>> async def game():  # doctest: +SKIP
        ...     async with MsgHub(players, announcement=Msg("Moderator", "Night falls", "assistant")):
        ...         await fanout_pipeline(wolves, vote_msg, structured_model=Vote)
        >>> run = ascope_nb.start_hub(players, play=game, title="Werewolf")  # doctest: +SKIP
    """
    from .pipeline import MsgHub

    if not agents:
        raise ConfigError("a hub needs at least one agent")
    if not isinstance(rounds, int) or rounds < 1:
        raise ConfigError(f"rounds must be a positive integer, got {rounds!r}")
    if isinstance(announcement, str):
        announcement = Msg("Host", announcement, "assistant")
    if isinstance(topic, str):
        topic = Msg("user", topic, "user")
    opening = [m for m in (announcement, topic) if m is not None]
    run = Run(agents=agents, title=title or " · ".join(a.name for a in agents), kind="hub")

    async def conversation() -> list[Msg]:
        run._context.emit(
            RunStarted(
                agent="MsgHub",
                title=run.title,
                input=[m.to_dict() for m in opening],
                metadata={"participants": [a.name for a in agents], "rounds": rounds},
            )
        )
        status: RunStatus = "completed"
        error = None
        replies: list[Msg] = []
        try:
            if play is not None:
                return await play()  # type: ignore[no-any-return]
            async with MsgHub(list(agents), announcement=opening or None):
                for _ in range(rounds):
                    for agent in agents:
                        replies.append(await agent(None))
                        if replies[-1].metadata.get("_is_interrupted"):
                            status = "interrupted"
                            return replies
            return replies
        except BaseException as exc:
            status, error = ended_by(exc)
            raise
        finally:
            run._context.emit(RunEnded(agent="MsgHub", status=status, error=error))

    return run._launch(conversation, store=store)


def tag_run_started(metadata: dict[str, Any], *, title: str | None = None) -> Subscriber:
    """A run-level subscriber merging ``metadata`` (and ``title``) into the run's
    ``RunStarted`` event (run-level subscribers see an event before the store and the
    other global subscribers)."""

    def tag(event: Event) -> None:
        if isinstance(event, RunStarted):
            event.metadata = {**event.metadata, **metadata}
            if title:
                event.title = title

    return tag


def runs() -> list[Run]:
    """The runs started in this process, oldest first."""
    return list(_RUNS)


def forget_run(run: Run) -> None:
    """Drop a finished run from this process's list (``runs()``, ``get_run``); its events
    stay in the run store (``open_run``), and later events of its context (an experiment's
    scores) go only there. An experiment forgets each sample's run once it ends, so memory
    stays flat however many samples it runs, without garbage-collector work: the handle
    stops following its context, which frees it by reference counting."""
    try:
        _RUNS.remove(run)
    except ValueError:  # already forgotten
        pass
    if run._on_event in run._context.subscribers:
        run._context.subscribers.remove(run._on_event)


def get_run(run_id: str) -> Run | None:
    """The run of this process with ``run_id``, or None."""
    for run in reversed(_RUNS):
        if run.run_id == run_id:
            return run
    return None


hooks.find_run.set(get_run)  # tracing names a run's model provider through it
