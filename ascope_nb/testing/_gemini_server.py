"""Gemini's ``generateContent`` and ``streamGenerateContent`` (``?alt=sse``) of
``FakeOpenAIServer``, answered with the scripted ``FakeReply``.

Point ``GeminiChatModel(..., client_kwargs={"http_options": {"base_url": server.root}})`` at it.
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

GENERATE = ":generateContent"
STREAM = ":streamGenerateContent"
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
}


def generate(handler: _Handler, body: dict[str, Any], reply: FakeReply, path: str) -> None:
    """Answer one ``models/NAME:generateContent`` or ``:streamGenerateContent`` request."""
    if reply.status is not None:
        error = {
            "code": reply.status,
            "message": reply.error_message,
            "status": _STATUS.get(reply.status, "INTERNAL"),
        }
        handler._send_json(reply.status, {"error": error})
        return
    tokens_in = reply.usage[0] if reply.usage else max(1, len(json.dumps(body)) // 4)
    tokens_out = reply.usage[1] if reply.usage else reply.output_tokens()
    usage = {
        "promptTokenCount": tokens_in,
        "candidatesTokenCount": tokens_out,
        "totalTokenCount": tokens_in + tokens_out,
    }
    response_id = f"fake-response-{len(handler.fake.requests)}"
    model = path.rsplit("/", 1)[-1].split(":", 1)[0]

    def chunk(parts: list[dict[str, Any]], finish: str | None) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        return {
            "candidates": [candidate],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": response_id,
        }

    finish = reply.finish_reason or "STOP"
    if not path.endswith(STREAM):
        time.sleep(reply.chunk_delay)
        parts = [p for piece in _parts(reply, whole=True) for p in piece]
        handler._send_json(200, chunk(parts, finish))
        return
    # the content chunks, then one that carries only the finish reason (a cut stream lacks it)
    events = [chunk(p, None) for p in _parts(reply, whole=False)]
    events.append(chunk([{"text": ""}], finish))
    handler._send_chunked(
        "text/event-stream", (f"data: {json.dumps(e)}\r\n\r\n" for e in events), reply
    )


def _parts(reply: FakeReply, *, whole: bool) -> Iterator[list[dict[str, Any]]]:
    """The reply's parts: thought text, text, then function calls (each whole, as Gemini
    sends them); one list per streamed chunk (``whole``: one list per kind)."""
    size = 10**9 if whole else reply.chunk_chars
    for piece in _pieces(reply.reasoning, size):
        yield [{"text": piece, "thought": True}]
    for piece in _pieces(reply.text, size):
        yield [{"text": piece}]
    calls = [
        {
            "functionCall": {
                "name": c.name,
                "args": c.arguments if isinstance(c.arguments, dict) else {},
            }
        }
        for c in reply.calls()
    ]
    if calls:
        yield calls
