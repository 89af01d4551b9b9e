"""Message layouts of the native SDKs, so any formatter's output works with any model.

``DashScopeChatFormatter`` writes DashScope's native parts and ``OpenAIChatFormatter`` the
OpenAI ones; ``DashScopeChatModel`` and ``OllamaChatModel`` turn what they get into what
their API takes. Messages already in the right layout pass unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..exceptions import ConfigError

logger = logging.getLogger(__name__)


def _audio_url(audio: dict[str, Any]) -> str:
    data = str(audio.get("data", ""))
    if data.startswith(("data:", "http://", "https://", "file://")):
        return data
    return f"data:audio/{audio.get('format', 'wav')};base64,{data}"


def _dashscope_part(part: Any) -> Any:
    if not isinstance(part, dict) or "type" not in part:
        return part
    kind = part["type"]
    if kind == "text":
        return {"text": part.get("text", "")}
    if kind == "image_url":
        return {"image": (part.get("image_url") or {}).get("url", "")}
    if kind == "video_url":
        return {"video": (part.get("video_url") or {}).get("url", "")}
    if kind == "input_audio":
        return {"audio": _audio_url(part.get("input_audio") or {})}
    return part


def to_dashscope(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-layout messages in DashScope's native layout (``{"text": ...}``,
    ``{"image": url}``, ...; all-text content as one string; ``name`` only on tool results).

    Example:
        >>> to_dashscope([{"role": "user", "name": "u", "content": [{"type": "text", "text": "hi"}]}])
        [{'role': 'user', 'content': 'hi'}]
    """
    out = []
    for message in messages:
        content = message.get("content")
        openai_like = (isinstance(content, list) and any("type" in p for p in content)) or (
            content is None or ("name" in message and message.get("role") != "tool")
        )
        if not openai_like:
            out.append(message)
            continue
        message = dict(message)
        if message.get("role") != "tool":
            message.pop("name", None)
        if content is None:
            message["content"] = []
        elif isinstance(content, list):
            parts = [_dashscope_part(p) for p in content]
            texts = [p.get("text") for p in parts if isinstance(p, dict) and set(p) == {"text"}]
            if parts and len(texts) == len(parts) and any(texts):
                message["content"] = "\n".join(t for t in texts if t)
            else:
                message["content"] = parts
        out.append(message)
    return out


def _openai_part(part: Any) -> Any:
    if not isinstance(part, dict) or "type" in part:
        return part
    if "text" in part:
        return {"type": "text", "text": part["text"]}
    if "image" in part:
        return {"type": "image_url", "image_url": {"url": part["image"]}}
    if "video" in part:
        return {"type": "video_url", "video_url": {"url": part["video"]}}
    if "audio" in part:
        url = str(part["audio"])
        fmt = (
            url.split(";")[0].split("/")[-1] if url.startswith("data:") else url.rsplit(".", 1)[-1]
        )
        return {"type": "input_audio", "input_audio": {"data": url, "format": fmt}}
    return part


def dashscope_to_openai(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DashScope's native content parts as OpenAI parts (for its compatible-mode endpoint).

    Example:
        >>> dashscope_to_openai([{"role": "user", "content": [{"image": "https://x/a.png"}]}])
        [{'role': 'user', 'content': [{'type': 'image_url', 'image_url': {'url': 'https://x/a.png'}}]}]
    """
    out = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            message = {**message, "content": [_openai_part(p) for p in content]}
        out.append(message)
    return out


def _base64_of(url: str) -> str:
    if url.startswith("data:") and "," in url:
        return url.split(",", 1)[1]
    raise ConfigError(
        f"Ollama takes images as base64 data, not the URL {url[:80]!r}: pass a local file "
        "or base64 image block"
    )


def to_ollama(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages in Ollama's ``/api/chat`` layout: ``content`` a string, images as base64 in
    ``images``, tool-call arguments as objects, tool results with ``tool_name``.

    Example:
        >>> to_ollama([{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
        [{'role': 'user', 'content': 'hi'}]
    """
    out = []
    for message in messages:
        content = message.get("content")
        simple = isinstance(content, str) and set(message) <= {"role", "content", "images"}
        if simple:
            out.append(message)
            continue
        native: dict[str, Any] = {"role": message["role"]}
        texts: list[str] = []
        images: list[str] = list(message.get("images") or [])
        for part in content if isinstance(content, list) else [content]:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and "text" in part:
                texts.append(str(part["text"]))
            elif isinstance(part, dict) and part.get("type") == "image_url":
                images.append(_base64_of(str((part.get("image_url") or {}).get("url", ""))))
            elif isinstance(part, dict) and "image" in part:
                images.append(_base64_of(str(part["image"])))
            elif part is not None:
                logger.warning("OllamaChatModel: Ollama takes text and images; a part is dropped")
        native["content"] = "\n".join(texts)
        if images:
            native["images"] = images
        if message.get("tool_calls"):
            native["tool_calls"] = [_ollama_call(c) for c in message["tool_calls"]]
        if message["role"] == "tool" and message.get("name"):
            native["tool_name"] = message["name"]
        out.append(native)
    return out


def _ollama_call(call: dict[str, Any]) -> dict[str, Any]:
    function = dict(call.get("function") or {})
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            arguments = {}
    return {"function": {"name": function.get("name", ""), "arguments": arguments or {}}}
