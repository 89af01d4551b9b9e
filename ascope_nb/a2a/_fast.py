"""The short path of a served agent: a new task streamed over JSON-RPC.

The request an A2A caller sends most (``SendStreamingMessage``, A2A 1.x, a new task: no task
id, no push configuration, no steering control) is run here: the executor's events are
saved to the task store through a2a-sdk's own ``TaskManager`` (so ``GetTask``, ``ListTasks``
and a later message on the task see them as before) and written to the response as the
SDK's SSE frames, each as soon as it is made (frames made in the same loop turn leave in
one write). It skips what a round trip paid in the SDK's request handler for nothing here:
event queues made for threads, a consumer task, a subscriber queue and an SSE library with
its own task group, about half the server's time per request. A ``CancelTask`` for a task
or ``SubscribeToTask`` for a task of the short path is answered by it too (through the
SDK's handler, ``handler_class``: cancel maps to Stop, as before). Everything else, a
message on an existing task (approval answers, control requests) included, goes to the
SDK's handler unchanged, and so is every request while a2a-sdk's spans are recorded (a
tracer provider is set: the trace shows the SDK's handler as before).

Example:
    >>> fast = FastPath(executor=executor, handler=handler, sdk_rpc=endpoint)  # doctest: +SKIP
    >>> Route("/", fast.rpc, methods=["POST"])  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from ..agent._a2a_control import control_of
from ..formatter._a2a_spans import a2a_sdk_spans_on
from ..redact import redact_text

_log = logging.getLogger("ascope_nb.a2a")

SSE_HEADERS = {
    "cache-control": "no-store",
    "connection": "keep-alive",
    "x-accel-buffering": "no",
}


def _version_1(value: str | None) -> bool:
    """Whether an ``A2A-Version`` header asks for protocol 1.x (none means 0.3)."""
    if not value:
        return False
    return value.strip().split(".", 1)[0] == "1"


class _Frames:
    """The event queue the executor writes to on the short path: each event saved (the SDK's
    ``TaskManager``), then turned into the SDK's SSE frame for the response."""

    def __init__(self, request_id: str | int, manager: Any, config: Any) -> None:
        self._request_id = request_id
        self.manager = manager
        self._config = config  # the request's configuration (history_length)
        self.out: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.closed = False
        self.subscribers: list[asyncio.Queue[Any]] = []  # SubscribeToTask callers

    async def enqueue_event(self, event: Any) -> None:
        from a2a.types import Task, TaskArtifactUpdateEvent, TaskStatusUpdateEvent
        from a2a.utils.task import apply_history_length

        if isinstance(event, Task | TaskStatusUpdateEvent | TaskArtifactUpdateEvent):
            saved = await self.manager.save_task_event(event)
            if isinstance(event, Task) and saved is not None:
                event = apply_history_length(saved, self._config)
        if not self.closed:
            self.out.put_nowait(_frame(self._request_id, event))
            for subscriber in self.subscribers:
                subscriber.put_nowait(event)

    def error(self, message: str) -> None:
        """A JSON-RPC error as the stream's last frame (as the SDK ends a failed stream)."""
        if self.closed:
            return
        body = {"jsonrpc": "2.0", "id": self._request_id}
        body["error"] = {"code": -32603, "message": message}  # type: ignore[assignment]
        self.out.put_nowait(b"event: error\r\ndata: " + _dumps(body) + b"\r\n\r\n")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.out.put_nowait(None)
            for subscriber in self.subscribers:
                subscriber.put_nowait(None)

    def is_closed(self) -> bool:
        return self.closed


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _frame(request_id: str | int, event: Any) -> bytes:
    """The SDK's SSE frame for ``event`` (a JSON-RPC response holding a ``StreamResponse``)."""
    from a2a.utils import proto_utils
    from google.protobuf.json_format import MessageToDict

    result = MessageToDict(proto_utils.to_stream_response(event))
    return b"data: " + _dumps({"jsonrpc": "2.0", "id": request_id, "result": result}) + b"\r\n\r\n"


class _SseResponse:
    """An ASGI response writing the frames as they come; frames ready together leave in one
    write (the last ones with the end of the body). The executor goes on if the caller
    leaves (as with the SDK's handler)."""

    def __init__(self, frames: _Frames) -> None:
        self._frames = frames

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
        headers += [(k.encode(), v.encode()) for k, v in SSE_HEADERS.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        out = self._frames.out
        while True:
            chunk = await out.get()
            parts: list[bytes] = []
            while chunk is not None:
                parts.append(chunk)
                if out.empty():
                    break
                chunk = out.get_nowait()
            ended = chunk is None  # the last frames and the end of the body: one write
            body = {"type": "http.response.body", "body": b"".join(parts), "more_body": not ended}
            await send(body)
            if ended:
                return


class FastPath:
    """The JSON-RPC endpoint at ``/``: the short path when it applies, else ``sdk_rpc``."""

    def __init__(
        self, *, executor: Any, handler: Any, sdk_rpc: Callable[[Any], Awaitable[Any]]
    ) -> None:
        from a2a.server.cluster.task_store import LegacyTaskStoreAdapter
        from a2a.server.routes.common import DefaultServerCallContextBuilder

        self._executor = executor
        self._sdk_rpc = sdk_rpc
        store = getattr(handler, "_versioned_store", None)
        self._store = store if store is not None else LegacyTaskStoreAdapter(handler.task_store)
        self._contexts = DefaultServerCallContextBuilder()
        self._streams: dict[str, _Frames] = {}  # tasks started here, while their stream is open
        self._started: dict[str, Any] = {}  # task id -> call context, while the executor has it
        self._producers: set[asyncio.Task[None]] = set()

    async def rpc(self, request: Any) -> Any:
        body = await request.body()  # kept on the request: the SDK reads it again
        plan = self._plan(request, body)
        if plan is None:
            return await self._sdk_rpc(request)
        request_id, params = plan
        return self._send(request, request_id, params)

    # ------------------------------------------------------------------ which requests
    def _plan(self, request: Any, body: bytes) -> tuple[str | int, Any] | None:
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
            return None
        request_id, method, params = data.get("id"), data.get("method"), data.get("params")
        if isinstance(request_id, bool) or not isinstance(request_id, str | int):
            return None
        if not isinstance(params, dict) or params.get("tenant"):
            return None
        if method != "SendStreamingMessage" or a2a_sdk_spans_on():  # traced: all by the SDK
            return None
        if not _version_1(request.headers.get("a2a-version")):
            return None
        return self._new_task(request_id, params)

    def _new_task(self, request_id: str | int, params: dict[str, Any]) -> Any:
        from a2a.types import SendMessageRequest
        from google.protobuf.json_format import ParseDict

        send = SendMessageRequest()
        try:
            ParseDict(params, send, ignore_unknown_fields=True)
        except Exception:  # the SDK answers with its own error
            return None
        message = send.message
        if not send.HasField("message") or not message.message_id or not message.role:
            return None
        if not message.parts or message.task_id or message.reference_task_ids:
            return None
        if send.configuration.HasField("task_push_notification_config"):
            return None
        if send.configuration.return_immediately or control_of(message) is not None:
            return None
        return (request_id, send)

    def _running(self, task_id: str) -> bool:
        return task_id in self._executor._live

    # ------------------------------------------------------------------ the short path
    def _send(self, request: Any, request_id: str | int, send: Any) -> _SseResponse:
        from a2a.server.agent_execution import RequestContext
        from a2a.server.tasks import TaskManager

        call_context = self._contexts.build(request)
        call_context.state["method"] = "SendStreamingMessage"
        call_context.state["request_id"] = request_id
        task_id = str(uuid.uuid4())
        context_id = send.message.context_id or str(uuid.uuid4())
        context = RequestContext(
            call_context=call_context, request=send, task_id=task_id, context_id=context_id
        )
        manager = TaskManager(
            task_store=self._store,
            context=call_context,
            task_id=task_id,
            context_id=context_id,
            initial_message=send.message,
        )
        frames = _Frames(request_id, manager, send.configuration)
        for ended in [t for t in self._started if t not in self._streams and not self._running(t)]:
            del self._started[ended]  # answered later through the SDK (approval), now ended
        self._streams[task_id] = frames
        self._started[task_id] = call_context
        producer = asyncio.ensure_future(self._produce(context, frames, task_id))
        self._producers.add(producer)
        producer.add_done_callback(self._producers.discard)
        return _SseResponse(frames)

    async def _produce(self, context: Any, frames: _Frames, task_id: str) -> None:
        try:
            await self._executor.execute(context, frames)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            _log.warning("A2A request for task %s failed", task_id, exc_info=True)
            await self._fail(frames, context, exc)
        finally:
            frames.close()
            if self._streams.get(task_id) is frames:
                del self._streams[task_id]
            if not self._running(task_id):  # else it waits for input (approval)
                self._started.pop(task_id, None)

    async def _fail(self, frames: _Frames, context: Any, exc: Exception) -> None:
        """The task ends ``failed`` with one line (an error frame if there is no task yet)."""
        from a2a.server.tasks import TaskUpdater
        from a2a.types import Part, TaskState

        ended = {
            TaskState.TASK_STATE_COMPLETED,
            TaskState.TASK_STATE_FAILED,
            TaskState.TASK_STATE_CANCELED,
            TaskState.TASK_STATE_REJECTED,
        }
        line = redact_text(f"{self._executor.name}: {type(exc).__name__}: {exc}".splitlines()[0])
        try:
            task = await frames.manager.get_task()
            if task is None or task.status.state in ended:
                frames.error(line)
                return
            updater = TaskUpdater(frames, context.task_id, context.context_id)  # type: ignore[arg-type]
            await updater.failed(updater.new_agent_message([Part(text=line)]))
        except Exception:  # the store refused it: the caller still gets the line
            frames.error(line)

    # ------------------------------------------------------------------ for the handler
    def owns(self, task_id: str) -> bool:
        """Whether ``task_id`` was started here and is streaming here, or waits for input
        (once the SDK's handler carries an answered task on, it is the SDK's to cancel)."""
        if task_id in self._started and not self._running(task_id):
            self._started.pop(task_id, None)
        if task_id not in self._started:
            return False
        live = self._executor._live.get(task_id)
        return task_id in self._streams or bool(live is not None and live.waiting_call)

    def _manager(self, call_context: Any, task_id: str, context_id: str | None = None) -> Any:
        from a2a.server.tasks import TaskManager

        return TaskManager(
            task_store=self._store,
            context=call_context,
            task_id=task_id,
            context_id=context_id,
            initial_message=None,
        )

    async def cancel(self, task_id: str) -> Any:
        """Cancel a task started here (the executor stops its run); returns the task."""
        from a2a.server.agent_execution import RequestContext

        call_context = self._started[task_id]
        task = await self._manager(call_context, task_id).get_task()
        context_id = task.context_id if task is not None else None
        frames = self._streams.get(task_id)
        if frames is None:  # waiting for input: no stream is open, the cancel is still saved
            frames = _Frames("", self._manager(call_context, task_id, context_id), None)
            frames.closed = True  # nobody reads it
        context = RequestContext(call_context=call_context, task_id=task_id, context_id=context_id)
        await self._executor.cancel(context, frames)
        task = await self._manager(call_context, task_id).get_task()
        self._started.pop(task_id, None)
        return task

    def streaming(self, task_id: str) -> bool:
        """Whether a task started here still streams its events."""
        return task_id in self._streams

    async def subscribe(self, task_id: str) -> AsyncIterator[Any]:
        """The task as stored, then its events as they come (``SubscribeToTask``)."""
        frames = self._streams[task_id]
        call_context = self._started[task_id]
        events: asyncio.Queue[Any] = asyncio.Queue()
        frames.subscribers.append(events)
        try:
            task = await self._manager(call_context, task_id).get_task()
            if task is not None:
                yield task
            while (event := await events.get()) is not None:
                yield event
        finally:
            if events in frames.subscribers:
                frames.subscribers.remove(events)


def handler_class() -> type:
    """a2a-sdk's ``DefaultRequestHandler`` that hands cancel and subscribe requests for tasks
    of the short path (set ``.fast``) to it; every other request as the SDK does."""
    from a2a.server.request_handlers import DefaultRequestHandler

    class ServedHandler(DefaultRequestHandler):  # type: ignore[misc]
        fast: FastPath | None = None

        async def on_cancel_task(self, params: Any, context: Any) -> Any:
            if self.fast is not None and self.fast.owns(params.id):
                return await self.fast.cancel(params.id)
            return await super().on_cancel_task(params, context)

        async def on_subscribe_to_task(
            self, params: Any, context: Any
        ) -> AsyncGenerator[Any, None]:
            if self.fast is not None and self.fast.streaming(params.id):
                async for event in self.fast.subscribe(params.id):
                    yield event
                return
            async for event in super().on_subscribe_to_task(params, context):
                yield event

    return ServedHandler


__all__ = ["FastPath", "handler_class"]
