"""Which vendor protocol a ``FakeOpenAIServer`` request path speaks, and its answer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from . import _anthropic_server as anthropic
from . import _gemini_server as gemini
from . import _responses_server as responses

if TYPE_CHECKING:
    from ._native_server import _Handler


def answer(handler: _Handler, path: str, raw: bytes) -> bool:
    """Answer ``path`` when it is an Anthropic, Gemini or Responses API path (True), else
    leave it to the OpenAI / DashScope / Ollama handling (False)."""
    if path.endswith(anthropic.COUNT_TOKENS):
        protocol = "count_tokens"
    elif path.endswith(anthropic.MESSAGES):
        protocol = "anthropic"
    elif path.endswith((gemini.GENERATE, gemini.STREAM)):
        protocol = "gemini"
    elif path.endswith(responses.RESPONSES):
        protocol = "responses"
    else:
        return False
    try:
        body = json.loads(raw or b"{}")
    except json.JSONDecodeError:
        handler._send_json(400, {"error": {"message": "body is not JSON"}})
        return True
    if protocol == "count_tokens":
        anthropic.count_tokens(handler, body)
        return True
    headers = {k.lower(): v for k, v in handler.headers.items()}
    reply = handler.fake._next(body, headers, path)
    if reply is None:
        n = len(handler.fake.requests)
        message = f"FakeOpenAIServer: no scripted reply left for request #{n}"
        handler._send_json(400, {"error": {"message": message, "code": 400}})
        return True
    if reply.die_after is not None and not _streaming(protocol, body, path):
        handler._die()
    elif protocol == "anthropic":
        anthropic.messages(handler, body, reply)
    elif protocol == "gemini":
        gemini.generate(handler, body, reply, path)
    else:
        responses.respond(handler, body, reply)
    return True


def _streaming(protocol: str, body: dict[str, object], path: str) -> bool:
    if protocol == "gemini":
        return path.endswith(gemini.STREAM)
    return bool(body.get("stream"))
