"""The Anthropic Messages API of ``FakeOpenAIServer``: ``POST /v1/messages`` (JSON or SSE
events) and ``/v1/messages/count_tokens``, answered with the scripted ``FakeReply``.

Point ``AnthropicChatModel(..., client_kwargs={"base_url": server.root})`` at it.
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

MESSAGES = "/v1/messages"
COUNT_TOKENS = "/v1/messages/count_tokens"


def _tokens(reply: FakeReply, body: dict[str, Any]) -> tuple[int, int]:
    if reply.usage is not None:
        return reply.usage
    return max(1, len(json.dumps(body)) // 4), reply.output_tokens()


def count_tokens(handler: _Handler, body: dict[str, Any]) -> None:
    """``{"input_tokens": n}``: about one token per four characters of the request."""
    with handler.fake._lock:
        handler.fake.requests.append(body)
    handler._send_json(200, {"input_tokens": max(1, len(json.dumps(body)) // 4)})


def messages(handler: _Handler, body: dict[str, Any], reply: FakeReply) -> None:
    """Answer one Messages API request (SSE events when ``stream`` is true)."""
    if reply.status is not None:
        kind = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error"}
        error = {"type": kind.get(reply.status, "api_error"), "message": reply.error_message}
        handler._send_json(reply.status, {"type": "error", "error": error})
        return
    tokens_in, tokens_out = _tokens(reply, body)
    message_id = f"msg_fake_{len(handler.fake.requests)}"
    stop = reply.finish_reason or ("tool_use" if reply.tool_calls else "end_turn")
    head = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": body.get("model", handler.fake.model),
        "stop_sequence": None,
    }
    if not body.get("stream"):
        time.sleep(reply.chunk_delay)
        content: list[dict[str, Any]] = []
        if reply.reasoning:
            content.append({"type": "thinking", "thinking": reply.reasoning, "signature": "sig"})
        if reply.text:
            content.append({"type": "text", "text": reply.text})
        for call in reply.calls():
            arguments = call.arguments if isinstance(call.arguments, dict) else {}
            content.append(
                {"type": "tool_use", "id": call.id, "name": call.name, "input": arguments}
            )
        usage = {"input_tokens": tokens_in, "output_tokens": tokens_out}
        handler._send_json(200, {**head, "content": content, "stop_reason": stop, "usage": usage})
        return
    events = _events(head, reply, tokens_in, tokens_out, stop)
    handler._send_chunked(
        "text/event-stream",
        (f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events),
        reply,
    )


def _events(
    head: dict[str, Any], reply: FakeReply, tokens_in: int, tokens_out: int, stop: str
) -> Iterator[dict[str, Any]]:
    start = {**head, "content": [], "stop_reason": None}
    start["usage"] = {"input_tokens": tokens_in, "output_tokens": 1}
    yield {"type": "message_start", "message": start}
    index = 0
    block: dict[str, Any]
    delta: dict[str, Any]
    if reply.reasoning:
        block = {"type": "thinking", "thinking": "", "signature": ""}
        yield {"type": "content_block_start", "index": index, "content_block": block}
        for piece in _pieces(reply.reasoning, reply.chunk_chars):
            delta = {"type": "thinking_delta", "thinking": piece}
            yield {"type": "content_block_delta", "index": index, "delta": delta}
        delta = {"type": "signature_delta", "signature": "sig"}
        yield {"type": "content_block_delta", "index": index, "delta": delta}
        yield {"type": "content_block_stop", "index": index}
        index += 1
    if reply.text:
        block = {"type": "text", "text": ""}
        yield {"type": "content_block_start", "index": index, "content_block": block}
        for piece in _pieces(reply.text, reply.chunk_chars):
            delta = {"type": "text_delta", "text": piece}
            yield {"type": "content_block_delta", "index": index, "delta": delta}
        yield {"type": "content_block_stop", "index": index}
        index += 1
    for call in reply.calls():
        block = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
        yield {"type": "content_block_start", "index": index, "content_block": block}
        for piece in _pieces(call.arguments_text(), reply.chunk_chars):
            delta = {"type": "input_json_delta", "partial_json": piece}
            yield {"type": "content_block_delta", "index": index, "delta": delta}
        yield {"type": "content_block_stop", "index": index}
        index += 1
    delta = {"stop_reason": stop, "stop_sequence": None}
    yield {"type": "message_delta", "delta": delta, "usage": {"output_tokens": tokens_out}}
    yield {"type": "message_stop"}
