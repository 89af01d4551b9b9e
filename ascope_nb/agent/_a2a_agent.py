"""``A2AAgent``: an agent whose replies come from a remote agent over the A2A protocol
(AgentScope 1.x API, on a2a-sdk 1.x; a2a-sdk 0.3 works too).

Example:
    >>> from a2a.types import AgentCard  # doctest: +SKIP
    >>> remote = A2AAgent(card)  # doctest: +SKIP
    >>> reply = await remote(Msg("user", "What is 6 * 7?", "user"))  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any

from ..events import (
    ApprovalRequested,
    ApprovalResolved,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    StatusChanged,
    current_run,
    event_from_dict,
)
from ..exceptions import A2AError
from ..formatter._a2a import A2AChatFormatter, sdk_is_v03
from ..formatter._a2a_spans import gate_a2a_sdk_spans
from ..message import Msg
from ..redact import redact_text
from ._a2a_control import (
    ACK_KEY,
    RemoteControl,
    control_message,
    control_metadata,
    takes_control,
)
from ._a2a_remote import decision_message, remote_base_url, remote_origin
from ._a2a_stream import TaskTracker, card_url, coerce_card, state_name
from ._base import AgentBase

DEFAULT_TIMEOUT = 600.0
_SKIPPED_REMOTE = (RunStarted, RunEnded, ReplyStarted, ReplyEnded)
# a remote approval is asked of this side's controls, which emit these events themselves
_DECIDED_HERE = (ApprovalRequested, ApprovalResolved, StatusChanged)


class A2AAgent(AgentBase):
    """A remote A2A agent used like a local one (``await agent(msg)``, MsgHub, pipelines).

    Observed messages are kept and sent, merged with the input, on the next ``reply``
    (A2A takes one message per request); they are cleared once the remote answered.
    Structured output is refused (A2A has none). Steps of a remote ``ascope_nb`` agent
    replay here as events, so the live view shows them as they stream, marked as remote
    (``ReplyStarted.remote``: the host and port, never credentials).

    A tool call the remote asks to have approved (A2A ``input-required``) is decided here
    when someone can decide: in a run started with ``ascope_nb.start`` (the view's Approve /
    Deny / Edit buttons, ``run.approve``) or by ``control.approval_handler``; the decision goes
    back to the remote task and the reply goes on. Otherwise (a plain ``await agent(msg)``,
    as in AgentScope) the reply is the remote's question, and the next ``reply`` answers it.

    Guidance, Pause, Step and Resume (the view's buttons, ``run.steer``, ``run.pause``) reach
    a remote ``ascope_nb`` server's agent as they would a local one (sent as A2A messages on
    the task's context; see ``_a2a_control``). A plain A2A server takes none of them: they
    raise ``ConfigError`` naming the remote, and the view disables those buttons for its reply.

    Args:
        agent_card: The remote agent's ``a2a.types.AgentCard``.
        client_config: ``a2a.client.ClientConfig`` (default: streaming over JSON-RPC).
        consumers: Callables ``(event, card)`` called with every event received.
        additional_transport_producers: Extra transports for ``ClientFactory.register``.
        timeout: Seconds to wait for the remote (connect and each read).
    """

    def __init__(
        self,
        agent_card: Any,
        client_config: Any = None,
        consumers: list[Any] | None = None,
        additional_transport_producers: dict[str, Any] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__()
        from a2a.client import ClientConfig, ClientFactory

        card = coerce_card(agent_card)
        self.name = card.name
        self.agent_card = card
        self.url = card_url(card)
        self.remote = remote_origin(self.url)  # shown in views: host and port only
        self._base_url = ("", "")  # (url, its scheme://host:port), see _run_metadata
        # decides the remote's tool calls here, sends guidance and pause/step there
        self.control = RemoteControl(
            where=f"{self.name!r} at {self.remote}",
            takes_control=takes_control(card) and not sdk_is_v03(),
            why="this client runs on a2a-sdk 0.3"
            if sdk_is_v03()
            else ("its server is not an ascope_nb server"),
        )
        self.timeout = timeout
        self._consumers = list(consumers or [])
        if sdk_is_v03():
            import httpx

            config = client_config or ClientConfig(
                httpx_client=httpx.AsyncClient(timeout=httpx.Timeout(timeout=timeout))
            )
            # a2a-sdk 0.3's signature
            self._a2a_client_factory: Any = ClientFactory(config=config, consumers=consumers)  # type: ignore[call-arg]
            self._consumers = []  # the 0.3 client calls them itself
        else:
            gate_a2a_sdk_spans()  # the SDK's client spans only while tracing is on
            self._a2a_client_factory = ClientFactory(config=client_config or ClientConfig())
        self._producers = dict(additional_transport_producers or {})
        for label, producer in self._producers.items():
            self._a2a_client_factory.register(label, producer)
        # ours to replace with one keeping an HTTP client open per event loop (see _factory)
        self._owned_factory: Any = None if client_config else self._a2a_client_factory
        self._factory_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._kept_client: tuple[Any, Any] | None = None  # (card, client) of the factory above
        self._observed_msgs: list[Msg] = []
        self.formatter = A2AChatFormatter()
        self._context_id = ""  # the A2A context of this conversation (set by the remote)
        self._open_task_id = ""  # a task waiting for our input (input-required)

    def _run_metadata(self) -> dict[str, Any]:
        if self._base_url[0] != self.url:  # parsed once per URL
            self._base_url = (self.url, remote_base_url(self.url))
        return {**super()._run_metadata(), "remote": self._base_url[1]}

    async def _reply_context(self) -> dict[str, Any]:
        return {"remote": self.remote, "unsteerable": self.control.refusal}

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """The observed messages not yet sent."""
        return {"_observed_msgs": [msg.to_dict() for msg in self._observed_msgs]}

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> None:
        """Restore the observed messages; ``strict`` refuses other keys."""
        if "_observed_msgs" not in state_dict:
            raise KeyError("_observed_msgs key not found in state_dict")
        if strict:
            for key in state_dict:
                if key != "_observed_msgs":
                    raise KeyError(f"Unexpected key {key} in state_dict")
        self._observed_msgs = [Msg.from_dict(d) for d in state_dict["_observed_msgs"]]

    async def observe(self, msg: Msg | list[Msg] | None) -> None:
        """Keep ``msg`` for the next ``reply`` (None: nothing)."""
        if msg is None:
            return
        if isinstance(msg, Msg):
            self._observed_msgs.append(msg)
        elif isinstance(msg, list) and all(isinstance(m, Msg) for m in msg):
            self._observed_msgs.extend(msg)
        else:
            raise TypeError(f"msg must be a Msg or a list of Msg, got {type(msg)}")

    # ------------------------------------------------------------------ the reply
    async def reply(self, msg: Msg | list[Msg] | None = None, **kwargs: Any) -> Msg:
        """Send the observed messages and ``msg`` as one A2A message; return the answer.

        Raises:
            ValueError: ``structured_model`` was given (A2A has no structured output).
            A2AError: the remote is unreachable, times out, fails, or ends without an answer.
        """
        if "structured_model" in kwargs:
            raise ValueError(
                "structured_model is not supported in A2AAgent.reply() due to the lack of "
                "structured output support in A2A protocol."
            )
        msgs_list = self._observed_msgs
        if msg is not None:
            if isinstance(msg, Msg):
                msgs_list.append(msg)
            else:
                msgs_list.extend(msg)
        client, close_after = self._client()
        tracker = TaskTracker()
        pending = self.control.take_pending()  # guidance given while no remote task ran
        try:
            message = await self.formatter.format([m for m in msgs_list if m])
            if pending and not sdk_is_v03():
                message.metadata.update(control_metadata(pending))
            response = await self._exchange(client, message, tracker)
        except asyncio.CancelledError:
            await self._cancel_remote(client, tracker.task_id)
            raise
        except (A2AError, ValueError, TypeError):
            raise
        except Exception as exc:
            raise A2AError(self._failure(exc)) from exc
        finally:
            if pending and not tracker.task_id:  # never reached the remote: kept
                self.control.requeue(pending)
            self.control.detach()
            close = getattr(client, "close", None)
            if close_after and close is not None:
                await asyncio.shield(close())
        self._observed_msgs.clear()
        return response

    def _factory(self) -> Any:
        """The client factory; ours keeps one HTTP client (its connections) per event loop,
        so a call does not pay for a new client and connection."""
        factory = self._a2a_client_factory
        if factory is not self._owned_factory or sdk_is_v03():
            return factory  # the caller's configuration, or a factory set from outside
        loop = asyncio.get_running_loop()
        if self._factory_loop is None or self._factory_loop() is not loop:
            import httpx
            from a2a.client import ClientConfig, ClientFactory

            http = httpx.AsyncClient(timeout=httpx.Timeout(timeout=self.timeout))
            factory = ClientFactory(config=ClientConfig(httpx_client=http))
            for label, producer in self._producers.items():
                factory.register(label, producer)
            self._a2a_client_factory = self._owned_factory = factory
            self._factory_loop = weakref.ref(loop)
            self._kept_client = None
        return factory

    def _client(self) -> tuple[Any, bool]:
        """A client for one request, and whether to close it after. Ours is kept with its
        factory (one per event loop: making one per call costs its interface matching);
        a client from the caller's configuration is made per call and closed."""
        factory = self._factory()
        if factory is not self._owned_factory or sdk_is_v03():
            return factory.create(card=self.agent_card), True
        kept = self._kept_client
        if kept is None or kept[0] is not self.agent_card:
            kept = self._kept_client = (self.agent_card, factory.create(card=self.agent_card))
        return kept[1], False

    async def _exchange(self, client: Any, message: Any, tracker: TaskTracker) -> Msg:
        """Send ``message``; while the remote waits for a decision we can give, give it and
        go on; then the answer."""
        if not sdk_is_v03():
            if self._context_id:
                message.context_id = self._context_id
            if self._open_task_id:
                message.task_id = self._open_task_id
        replayed = False
        while True:
            asked: list[dict[str, Any]] = []
            response, shown = await self._stream(client, message, tracker, asked)
            replayed |= shown
            if response is not None and tracker.state == "":
                return response
            if tracker.state == "input_required" and asked and self._decides_here():
                decision = await self.control.request_approval(asked[-1], self._emit)
                await self.control.flush()  # guidance given meanwhile arrives first
                message = decision_message(
                    decision, task_id=tracker.task_id, context_id=tracker.context_id
                )
                continue
            return await self._finish(tracker, replayed)

    def _decides_here(self) -> bool:
        """Whether a remote approval request can be answered on this side (see the class)."""
        ctx = current_run.get()
        return self.control.approval_handler is not None or bool(ctx and ctx.steerable)

    async def _stream(
        self, client: Any, message: Any, tracker: TaskTracker, asked: list[dict[str, Any]]
    ) -> tuple[Msg | None, bool]:
        """One request's stream: steps replayed, the remote's approval requests in ``asked``;
        returns a direct message answer (if any) and whether steps were replayed."""
        if sdk_is_v03():
            stream = client.send_message(message)
        else:
            from a2a.client import ClientCallContext
            from a2a.types import SendMessageRequest

            stream = client.send_message(
                SendMessageRequest(message=message),
                context=ClientCallContext(timeout=self.timeout),
            )
        response: Msg | None = None
        replayed = False
        async for item in stream:
            for consumer in self._consumers:
                await consumer(item, self.agent_card)
            if isinstance(item, tuple):  # a2a-sdk 0.3: (task, update)
                task, _ = item
                if task is not None:
                    for part_msg in await self.formatter.format_a2a_task(self.name, task):
                        await self.print(part_msg)
                        response = part_msg
                continue
            payload = item.WhichOneof("payload") if hasattr(item, "WhichOneof") else "message"
            if payload == "message":
                message_in = item.message if hasattr(item, "WhichOneof") else item
                response = await self.formatter.format_a2a_message(self.name, message_in)
                await self.print(response)
                continue
            step = tracker.apply(item)
            if tracker.task_id and not sdk_is_v03():
                self.control.attach(tracker.task_id, tracker.context_id, self._send_control)
            if step is not None:
                replayed |= await self._show_step(step, asked)
        return response, replayed

    async def _show_step(self, step: Any, asked: list[dict[str, Any]]) -> bool:
        """Show one remote working step: replay its ascope events, else print its message.
        The remote's approval requests go to ``asked`` (this side asks its own controls)."""
        events = _ascope_events(step)
        if events:
            for data in events:
                event = event_from_dict(data)
                if isinstance(event, ApprovalRequested):
                    asked.append(
                        {"id": event.tool_call_id, "name": event.name, "input": event.input}
                    )
                if isinstance(event, StatusChanged) and self.control.shows_status(event.status):
                    pass  # the remote holds (Pause / Step) or runs on: shown here
                elif isinstance(event, (*_SKIPPED_REMOTE, *_DECIDED_HERE)):
                    continue
                event.run_id, event.reply_id, event.seq, event.agent = "", "", -1, self.name
                self._emit(event)
            return True
        if step.status.HasField("message") and state_name(step.status.state) == "working":
            await self.print(
                await self.formatter.format_a2a_message(self.name, step.status.message)
            )
        return False

    async def _send_control(
        self, actions: list[dict[str, Any]], task_id: str, context_id: str
    ) -> bool:
        """Send guidance / pause / step to the remote task; False when it no longer runs
        there (the requests then go with the next request)."""
        from a2a.client import ClientCallContext
        from a2a.types import SendMessageRequest

        client, close_after = self._client()
        message = control_message(actions, task_id=task_id, context_id=context_id)
        ack = ""
        try:
            stream = client.send_message(
                SendMessageRequest(message=message),
                context=ClientCallContext(timeout=self.timeout),
            )
            async for item in stream:
                if hasattr(item, "WhichOneof") and item.WhichOneof("payload") == "message":
                    field = item.message.metadata.fields.get(ACK_KEY)
                    ack = field.string_value if field is not None else ""
        finally:
            close = getattr(client, "close", None)
            if close_after and close is not None:
                await asyncio.shield(close())
        return ack == "ok"

    async def _finish(self, tracker: TaskTracker, replayed: bool) -> Msg:
        state = tracker.state
        self._context_id = tracker.context_id or self._context_id
        self._open_task_id = ""
        if state in ("failed", "rejected"):
            why = tracker.status_text() or "no reason given"
            raise A2AError(
                redact_text(f"A2A agent {self.name!r} at {self.url}: task {state}: {why}")
            )
        if state in ("", "submitted", "working"):
            raise A2AError(
                f"A2A agent {self.name!r} at {self.url}: the stream ended before an answer "
                f"(task state {state or 'unknown'})"
            )
        msgs = await self.formatter.format_a2a_task(self.name, tracker.final_task())
        if not msgs:
            raise A2AError(f"A2A agent {self.name!r} at {self.url}: No response received")
        response = msgs[-1]
        for earlier in msgs[:-1]:
            response.content = [*earlier.get_content_blocks(), *response.get_content_blocks()]
        response.metadata = {**(response.metadata or {}), "_a2a_state": state}
        if state in ("input_required", "auth_required"):
            self._open_task_id = tracker.task_id
            response.metadata["_a2a_task_id"] = tracker.task_id
        if state == "canceled":
            response.metadata["_is_interrupted"] = True
        if not (replayed and state == "completed"):  # else its steps showed the reply
            await self.print(response)
        return response

    async def _cancel_remote(self, client: Any, task_id: str) -> None:
        if not task_id or sdk_is_v03():
            return
        from a2a.types import CancelTaskRequest

        try:
            await asyncio.shield(
                asyncio.wait_for(client.cancel_task(CancelTaskRequest(id=task_id)), 5)
            )
        except Exception:  # the remote may be gone; our side is interrupted either way
            pass

    def _failure(self, exc: Exception) -> str:
        return redact_text(self._why(exc))  # an URL or an error text may carry credentials

    def _why(self, exc: Exception) -> str:
        where = f"A2A agent {self.name!r} at {self.url}"
        text = f"{type(exc).__name__}: {exc}".strip()
        lowered = text.lower()
        if "timeout" in lowered or "timed out" in lowered:
            return f"{where}: no answer within {self.timeout:g}s"
        if "connect" in lowered:
            return f"{where}: cannot connect ({text})"
        return f"{where}: {text.splitlines()[0] if text else type(exc).__name__}"

    async def handle_interrupt(self, *args: Any, **kwargs: Any) -> Msg:
        """The interrupted reply; kept as observed context for the next ``reply``."""
        response_msg = Msg(
            self.name,
            "I noticed that you have interrupted me. What can I do for you?",
            "assistant",
            metadata={"_is_interrupted": True},
        )
        await self.print(response_msg, True)
        self._observed_msgs.append(response_msg)
        return response_msg


def _ascope_events(step: Any) -> list[dict[str, Any]]:
    """The events a remote ascope_nb agent attached to a step update (else none)."""
    if not step.HasField("metadata"):
        return []
    field = step.metadata.fields.get("ascope_events_json")
    if field is None or not field.string_value:
        return []
    try:
        events = json.loads(field.string_value)
    except ValueError:
        return []
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


__all__ = ["A2AAgent"]
