"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests and offline tutorials.

It speaks ``POST /v1/chat/completions`` (streaming SSE and plain JSON), and DashScope's and
Ollama's native chat APIs (see ``_native_server``), answers with
scripted replies in order, and records every request body, so a test can drive a real
``OpenAIChatModel`` over real HTTP and assert what reached the "model".

Example:
    >>> from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply
    >>> with FakeOpenAIServer(replies=["Hello!"]) as server:
    ...     server.base_url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._replies import FakeReply, FakeToolCall, ReplySpec, _pieces, _to_reply

__all__ = ["FakeOpenAIServer", "FakeReply", "FakeToolCall", "ReplySpec", "fake_embedding"]


def _count_tokens(body: dict[str, Any]) -> int:
    return max(1, len(json.dumps(body.get("messages", []))) // 4)


class FakeOpenAIServer:
    """An OpenAI-compatible chat completions server with scripted replies.

    Args:
        replies: Replies in order; each request consumes the next one.
        model: The model name echoed in responses.

    Attributes:
        requests: Every request body received, in order (JSON dicts).
        headers: The headers of every request, in order.
        paths: The URL path of every chat request, in order.

    Example:
        >>> with FakeOpenAIServer(replies=[FakeReply(text="4")]) as server:
        ...     url = server.base_url  # "http://127.0.0.1:PORT/v1"
    """

    def __init__(self, replies: Iterable[ReplySpec] = (), *, model: str = "fake-model") -> None:
        self._replies: list[ReplySpec] = list(replies)
        self._lock = threading.Lock()
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------
    def add_reply(self, *replies: ReplySpec) -> None:
        """Append replies to the script."""
        with self._lock:
            self._replies.extend(replies)

    def _next(
        self, body: dict[str, Any], headers: dict[str, str], path: str = ""
    ) -> FakeReply | None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.paths.append(path)
            spec = self._replies.pop(0) if self._replies else None
        return None if spec is None else _to_reply(spec, body)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not started; use it as a context manager")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: pass it as ``client_kwargs={"base_url": ...}``
        (or as a ``DashScopeChatModel``'s ``base_http_api_url``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``: an ``OllamaChatModel``'s ``host``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeOpenAIServer:
        """Start serving in a daemon thread (``with`` does this for you)."""
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeOpenAIServer",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._httpd else "stopped"
        return f"FakeOpenAIServer({where}, replies_left={len(self._replies)})"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        if self.path.rstrip("/").endswith(("/embeddings", "/api/embed")):
            self._embeddings(raw)
            return
        from . import _native_server as native

        path = self.path.split("?", 1)[0].rstrip("/")
        if self._vendor(path, raw):  # Anthropic, Gemini, OpenAI Responses (issue 31)
            return
        protocol = (
            "dashscope"
            if path.endswith(native.DASHSCOPE_PATHS)
            else "ollama"
            if path.endswith(native.OLLAMA_CHAT)
            else "openai"
        )
        if protocol == "openai" and not path.endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"unknown path {self.path}"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": {"message": "body is not JSON"}})
            return
        reply = self.fake._next(body, {k.lower(): v for k, v in self.headers.items()}, path)
        if reply is None:
            n = len(self.fake.requests)
            msg = f"FakeOpenAIServer: no scripted reply left for request #{n}"
            self._send_json(400, {"error": {"message": msg, "type": "invalid_request_error"}})
            return
        if protocol == "dashscope":
            native.dashscope(self, body, reply)
            return
        if protocol == "ollama":
            native.ollama(self, body, reply)
            return
        if reply.status is not None:
            err = {"message": reply.error_message, "type": "error", "code": str(reply.status)}
            self._send_json(reply.status, {"error": err})
            return
        if body.get("stream"):
            self._stream(body, reply)
        elif reply.die_after is not None:
            self._die()  # no response at all: the client sees a dropped connection
        else:
            time.sleep(reply.chunk_delay)
            self._send_json(200, _completion(body, reply, self.fake.model))

    def _vendor(self, path: str, raw: bytes) -> bool:
        """Answer the Anthropic, Gemini and Responses API paths; False for the others."""
        from ._vendor_routes import answer

        return answer(self, path, raw)

    def _embeddings(self, raw: bytes) -> None:
        """``/v1/embeddings`` (OpenAI) and ``/api/embed`` (Ollama): a vector from each text's hash."""
        body = json.loads(raw or b"{}")
        texts = body.get("input") or []
        texts = [texts] if isinstance(texts, str) else list(texts)
        with self.fake._lock:
            self.fake.requests.append(body)
        vectors = [fake_embedding(str(t), int(body.get("dimensions") or 8)) for t in texts]
        if self.path.rstrip("/").endswith("/api/embed"):
            self._send_json(200, {"model": body.get("model"), "embeddings": vectors})
            return
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        tokens = sum(len(str(t).split()) for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        payload = {"object": "list", "model": body.get("model"), "data": data, "usage": usage}
        self._send_json(200, payload)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, body: dict[str, Any], reply: FakeReply) -> None:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = _chunks(body, reply, self.fake.model, include_usage)
        self._send_chunked(
            "text/event-stream",
            (f"data: {event}\n\n" for event in events),
            reply,
            headers={"Cache-Control": "no-cache"},
            done="data: [DONE]\n\n",
        )

    def _send_chunked(
        self,
        content_type: str,
        events: Iterable[str],
        reply: FakeReply,
        *,
        headers: dict[str, str] | None = None,
        done: str = "",
    ) -> None:
        """Send ``events`` as HTTP chunks with ``reply``'s ``chunk_delay`` and ``die_after``,
        then ``done`` (if any) and the closing chunk."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        for n, event in enumerate(events):
            if reply.die_after is not None and n >= reply.die_after:
                self._die()
                return
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            self._write_chunk(event.encode())
        if done:
            self._write_chunk(done.encode())
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _die(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def fake_embedding(text: str, dimensions: int) -> list[float]:
    """A deterministic unit vector for ``text`` (what the fake server's embeddings return)."""
    import hashlib

    digest = hashlib.sha256(text.encode()).digest()
    raw = [digest[i % len(digest)] - 127.5 for i in range(dimensions)]
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    return [x / norm for x in raw]


def _usage(body: dict[str, Any], reply: FakeReply) -> dict[str, int]:
    if reply.usage is not None:
        prompt, completion = reply.usage
    else:
        prompt, completion = _count_tokens(body), reply.output_tokens()
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _finish_reason(reply: FakeReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def _completion(body: dict[str, Any], reply: FakeReply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.reasoning:
        message["reasoning_content"] = reply.reasoning
    if reply.tool_calls:
        message["tool_calls"] = reply.openai_tool_calls()
    return {
        "id": f"chatcmpl-fake-{len(body.get('messages', []))}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", model),
        "choices": [{"index": 0, "message": message, "finish_reason": _finish_reason(reply)}],
        "usage": _usage(body, reply),
        **({"timings": reply.timings} if reply.timings else {}),
    }


def _chunks(
    body: dict[str, Any], reply: FakeReply, model: str, include_usage: bool
) -> Iterator[str]:
    """The JSON payloads of the SSE events, in order (without ``[DONE]``)."""
    base = {
        "id": "chatcmpl-fake-stream",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", model),
    }

    def event(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return json.dumps({**base, "choices": [choice]})

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(reply.reasoning, reply.chunk_chars):
        yield event({"reasoning_content": piece})
    for piece in _pieces(reply.text, reply.chunk_chars):
        yield event({"content": piece})
    calls = reply.calls()
    fragments = [_pieces(c.arguments_text(), reply.chunk_chars) for c in calls]
    heads = [
        {"index": i, "id": c.id, "type": "function", "function": {"name": c.name, "arguments": ""}}
        for i, c in enumerate(calls)
    ]

    def frag(i: int, text: str) -> str:
        return event({"tool_calls": [{"index": i, "function": {"arguments": text}}]})

    if reply.interleave_tool_calls:
        for head in heads:
            yield event({"tool_calls": [head]})
        for step in range(max((len(f) for f in fragments), default=0)):
            for i, parts in enumerate(fragments):
                if step < len(parts):
                    yield frag(i, parts[step])
    else:
        for i, head in enumerate(heads):
            yield event({"tool_calls": [head]})
            for part in fragments[i]:
                yield frag(i, part)
    yield event({}, _finish_reason(reply))
    if include_usage:
        timings = {"timings": reply.timings} if reply.timings else {}
        yield json.dumps({**base, "choices": [], "usage": _usage(body, reply), **timings})
