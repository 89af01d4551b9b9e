"""OpenAI's Responses API of ``FakeOpenAIServer``: ``POST /v1/responses`` (JSON, or SSE
events when ``stream`` is true), answered with the scripted ``FakeReply``.

Point ``OpenAIResponseModel(..., client_kwargs={"base_url": server.base_url})`` at it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._replies import _pieces

if TYPE_CHECKING:
    from ._native_server import _Handler
    from ._replies import FakeReply

RESPONSES = "/responses"


def respond(handler: _Handler, body: dict[str, Any], reply: FakeReply) -> None:
    """Answer one Responses API request."""
    if reply.status is not None:
        error = {"message": reply.error_message, "type": "invalid_request_error", "code": None}
        handler._send_json(reply.status, {"error": error})
        return
    tokens_in = reply.usage[0] if reply.usage else max(1, len(json.dumps(body)) // 4)
    tokens_out = reply.usage[1] if reply.usage else reply.output_tokens()
    number = len(handler.fake.requests)
    base = {
        "id": f"resp_fake_{number}",
        "object": "response",
        "created_at": 1767225600,
        "model": body.get("model", handler.fake.model),
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
    }
    usage = {
        "input_tokens": tokens_in,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": tokens_out,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": tokens_in + tokens_out,
    }
    output = _output(reply, number)
    done = {**base, "status": "completed", "output": output, "usage": usage}
    if not body.get("stream"):
        time.sleep(reply.chunk_delay)
        handler._send_json(200, done)
        return
    events = _events(reply, base, output, done)
    handler._send_chunked(
        "text/event-stream",
        (
            f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n"
            for n, e in enumerate(events)
        ),
        reply,
    )


def _output(reply: FakeReply, number: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if reply.reasoning:
        summary = [{"type": "summary_text", "text": reply.reasoning}]
        items.append({"type": "reasoning", "id": f"rs_{number}", "summary": summary})
    if reply.text:
        part = {"type": "output_text", "text": reply.text, "annotations": []}
        items.append(
            {
                "type": "message",
                "id": f"msg_{number}",
                "role": "assistant",
                "status": "completed",
                "content": [part],
            }
        )
    for i, call in enumerate(reply.calls()):
        items.append(
            {
                "type": "function_call",
                "id": f"fc_{number}_{i}",
                "call_id": call.id,
                "name": call.name,
                "arguments": call.arguments_text(),
                "status": "completed",
            }
        )
    return items


def _events(
    reply: FakeReply, base: dict[str, Any], output: list[dict[str, Any]], done: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    yield {"type": "response.created", "response": {**base, "status": "in_progress", "output": []}}
    for index, item in enumerate(output):
        kind = item["type"]
        if kind == "reasoning":
            yield {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {**item, "summary": []},
            }
            for piece in _pieces(reply.reasoning, reply.chunk_chars):
                yield {
                    "type": "response.reasoning_summary_text.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "summary_index": 0,
                    "delta": piece,
                }
        elif kind == "message":
            added = {**item, "status": "in_progress", "content": []}
            yield {"type": "response.output_item.added", "output_index": index, "item": added}
            for piece in _pieces(reply.text, reply.chunk_chars):
                yield {
                    "type": "response.output_text.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "content_index": 0,
                    "delta": piece,
                    "logprobs": [],
                }
        else:
            added = {**item, "status": "in_progress", "arguments": ""}
            yield {"type": "response.output_item.added", "output_index": index, "item": added}
            for piece in _pieces(item["arguments"], reply.chunk_chars):
                yield {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "delta": piece,
                }
        yield {"type": "response.output_item.done", "output_index": index, "item": item}
    yield {"type": "response.completed", "response": done}
