"""Plain a2a-sdk servers (no ascope_nb on the server side) and broken HTTP servers for the
A2A client tests, each on a free 127.0.0.1 port in its own thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from a2a.helpers import new_task, new_text_message
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    Part,
    Role,
    TaskState,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


def card_for(url: str, name: str = "Echo") -> AgentCard:
    return AgentCard(
        name=name,
        description="echoes",
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=url, protocol_binding="JSONRPC")],
        capabilities=AgentCapabilities(streaming=True),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id="echo", name="echo", description="echo", tags=["echo"])],
    )


class EchoExecutor(AgentExecutor):  # type: ignore[misc]
    """Answers with a task: one working update, then an artifact "echo: <all text parts>".
    ``mode="message"`` answers with a plain message; ``"hang"`` never answers."""

    def __init__(self, mode: str = "task") -> None:
        self.mode = mode
        self.received: list[Any] = []

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        self.received.append(context.message)
        text = " | ".join(p.text for p in context.message.parts if p.text)
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "message":
            await event_queue.enqueue_event(
                new_text_message(
                    f"echo: {text}", context_id=context.context_id, role=Role.ROLE_AGENT
                )
            )
            return
        task_id, context_id = context.task_id or "", context.context_id or ""
        await event_queue.enqueue_event(
            new_task(task_id, context_id, TaskState.TASK_STATE_SUBMITTED)
        )
        updater = TaskUpdater(event_queue, task_id, context_id)
        await updater.start_work(updater.new_agent_message([Part(text="thinking")]))
        await updater.add_artifact([Part(text=f"echo: {text}")], name="answer")
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        await TaskUpdater(event_queue, context.task_id or "", context.context_id or "").cancel()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(app_for: Callable[[str], Any]) -> Iterator[str]:
    """Serve ``app_for(url)`` with uvicorn on a free port; yields the URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(app_for(url), host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)


def echo_app(executor: EchoExecutor) -> Callable[[str], Any]:
    def build(url: str) -> Any:
        card = card_for(url)
        handler = DefaultRequestHandler(
            agent_executor=executor, task_store=InMemoryTaskStore(), agent_card=card
        )
        routes = [*create_agent_card_routes(card), *create_jsonrpc_routes(handler, rpc_url="/")]
        return Starlette(routes=routes)

    return build


def broken_app(kind: str) -> Callable[[str], Any]:
    """A server whose card is fine but whose A2A endpoint is broken: ``"500"`` answers
    500, ``"drop"`` sends one streamed event then closes the stream; ``"badcard"`` serves a
    card that does not parse."""

    def build(url: str) -> Any:
        from google.protobuf import json_format

        card = json_format.MessageToDict(card_for(url, name="Broken"))

        async def well_known(request: Request) -> Response:
            if kind == "badcard":
                return JSONResponse({"name": 42, "skills": "nope", "capabilities": []})
            return JSONResponse(card)

        async def rpc(request: Request) -> Response:
            body = await request.json()
            if kind == "500":
                return Response("boom", status_code=500)

            async def one_event() -> Any:
                event = {
                    "jsonrpc": "2.0",
                    "id": body.get("id"),
                    "result": {
                        "statusUpdate": {
                            "taskId": "t1",
                            "contextId": "c1",
                            "status": {"state": "TASK_STATE_WORKING"},
                        }
                    },
                }
                yield f"data: {json.dumps(event)}\n\n".encode()

            return StreamingResponse(one_event(), media_type="text/event-stream")

        return Starlette(
            routes=[
                Route("/.well-known/agent-card.json", well_known),
                Route("/", rpc, methods=["POST"]),
            ]
        )

    return build
