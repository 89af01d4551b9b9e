"""The native DashScope and Ollama chat protocols of ``FakeOpenAIServer``.

``FakeOpenAIServer`` also answers DashScope's ``.../services/aigc/text-generation/generation``
(and ``multimodal-generation``) and Ollama's ``/api/chat`` with the same scripted
``FakeReply`` objects, so the real ``dashscope`` and ``ollama`` SDKs can be driven over
real HTTP: point ``base_http_api_url`` / ``host`` at ``server.base_url`` / ``server.root``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, Protocol

from ._replies import FakeReply, _pieces


class _Handler(Protocol):
    """The request handler of ``openai_server`` (what these answers use of it)."""

    fake: Any
    path: str
    headers: Any

    def _send_json(self, status: int, payload: dict[str, Any]) -> None: ...

    def _send_chunked(self, *args: Any, **kwargs: Any) -> None: ...

    def _die(self, *args: Any, **kwargs: Any) -> Any: ...


DASHSCOPE_PATHS = (
    "/services/aigc/text-generation/generation",
    "/services/aigc/multimodal-generation/generation",
)
OLLAMA_CHAT = "/api/chat"


def _tokens(reply: FakeReply, body: dict[str, Any]) -> tuple[int, int]:
    if reply.usage is not None:
        return reply.usage
    return max(1, len(json.dumps(body)) // 4), reply.output_tokens()


# -- DashScope ---------------------------------------------------------------------------------
def dashscope(handler: _Handler, body: dict[str, Any], reply: FakeReply) -> None:
    """Answer one DashScope generation request (SSE when the client asked for a stream)."""
    request_id = f"fake-request-{len(handler.fake.requests)}"
    if reply.status is not None:
        handler._send_json(
            reply.status,
            {
                "code": f"Fake{reply.status}",
                "message": reply.error_message,
                "request_id": request_id,
            },
        )
        return
    multimodal = "multimodal" in handler.path
    params = body.get("parameters") or {}
    streaming = handler.headers.get("X-DashScope-SSE") == "enable" or params.get("stream")
    tokens_in, tokens_out = _tokens(reply, body)
    usage = {"input_tokens": tokens_in, "output_tokens": tokens_out}
    usage["total_tokens"] = tokens_in + tokens_out
    finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")

    def payload(message: dict[str, Any], finish_reason: str) -> dict[str, Any]:
        if multimodal and isinstance(message.get("content"), str):
            message = {**message, "content": [{"text": message["content"]}]}
        choice = {"finish_reason": finish_reason, "message": {"role": "assistant", **message}}
        return {"output": {"choices": [choice]}, "usage": usage, "request_id": request_id}

    if not streaming:
        time.sleep(reply.chunk_delay)
        message: dict[str, Any] = {"content": reply.text}
        if reply.reasoning:
            message["reasoning_content"] = reply.reasoning
        if reply.tool_calls:
            message["tool_calls"] = reply.openai_tool_calls()
        handler._send_json(200, payload(message, finish))
        return
    events = [payload(m, "null") for m in _dashscope_deltas(reply)]
    events[-1]["output"]["choices"][0]["finish_reason"] = finish
    handler._send_chunked(
        "text/event-stream;charset=UTF-8",
        (
            f"id:{n}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(e)}\n\n"
            for n, e in enumerate(events, 1)
        ),
        reply,
    )


def _dashscope_deltas(reply: FakeReply) -> Iterator[dict[str, Any]]:
    for piece in _pieces(reply.reasoning, reply.chunk_chars):
        yield {"content": "", "reasoning_content": piece}
    for piece in _pieces(reply.text, reply.chunk_chars):
        yield {"content": piece}
    for i, call in enumerate(reply.calls()):
        for n, piece in enumerate(_pieces(call.arguments_text(), reply.chunk_chars) or [""]):
            function = {"arguments": piece, **({"name": call.name} if n == 0 else {})}
            delta = {"index": i, "id": call.id if n == 0 else "", "type": "function"}
            yield {"content": "", "tool_calls": [{**delta, "function": function}]}
    yield {"content": ""}


# -- Ollama --------------------------------------------------------------------------------------
def ollama(handler: _Handler, body: dict[str, Any], reply: FakeReply) -> None:
    """Answer one Ollama ``/api/chat`` request (NDJSON lines when ``stream`` is true)."""
    if reply.status is not None:
        handler._send_json(reply.status, {"error": reply.error_message})
        return
    model = body.get("model", "fake")
    tokens_in, tokens_out = _tokens(reply, body)
    done = {
        "done": True,
        "done_reason": reply.finish_reason or "stop",
        "total_duration": 1_000_000,
        "prompt_eval_count": tokens_in,
        "eval_count": tokens_out,
    }
    calls = [{"function": {"name": c.name, "arguments": c.arguments}} for c in reply.calls()]

    def line(message: dict[str, Any], last: bool) -> dict[str, Any]:
        head = {"model": model, "created_at": "2026-01-01T00:00:00Z"}
        message = {"role": "assistant", "content": "", **message}
        return {**head, "message": message, **(done if last else {"done": False})}

    if not body.get("stream", True):
        time.sleep(reply.chunk_delay)
        message: dict[str, Any] = {"content": reply.text}
        if reply.reasoning:
            message["thinking"] = reply.reasoning
        if calls:
            message["tool_calls"] = calls
        handler._send_json(200, line(message, True))
        return
    messages: list[dict[str, Any]] = [
        {"thinking": p} for p in _pieces(reply.reasoning, reply.chunk_chars)
    ]
    messages += [{"content": p} for p in _pieces(reply.text, reply.chunk_chars)]
    messages += [{"tool_calls": [call]} for call in calls]  # Ollama sends each call whole
    lines = [line(m, False) for m in messages] + [line({}, True)]
    handler._send_chunked("application/x-ndjson", (json.dumps(x) + "\n" for x in lines), reply)
