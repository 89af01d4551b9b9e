"""``A2AChatFormatter``: AgentScope ``Msg`` lists to one A2A message, and A2A messages and tasks
back to ``Msg`` (AgentScope 1.x API), on a2a-sdk 1.x (A2A 1.0, protobuf types).

Parsing also accepts the pydantic types of a2a-sdk 0.3 (``part.root``), as found in
``a2a.compat.v0_3.types``; building follows the installed SDK (0.3 types when it is 0.3).

Example:
    >>> import asyncio
    >>> from ascope_nb.message import Msg
    >>> message = asyncio.run(A2AChatFormatter().format([Msg("user", "hi", "user")]))
    >>> [part.text for part in message.parts]  # doctest: +SKIP
    ['hi']
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import uuid
from typing import Any, Literal, cast

from ..message import ContentBlock, Msg
from ._base import FormatterBase

_log = logging.getLogger("ascope_nb.formatter")

MediaKind = Literal["image", "video", "audio", "unknown"]


def sdk_is_v03(types: Any = None) -> bool:
    """True when ``types`` (default: the installed ``a2a.types``) is a2a-sdk 0.3's pydantic set."""
    if types is None:
        import a2a.types as types
    return hasattr(types, "TextPart")


def struct_to_python(value: Any) -> Any:
    """A protobuf ``Struct``/``Value`` (or plain data) as JSON-like Python; integral floats
    become ints again (protobuf keeps every number as a double)."""
    if hasattr(value, "DESCRIPTOR"):
        from google.protobuf import json_format

        value = json_format.MessageToDict(value)
    return _ints_back(value)


def _ints_back(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints_back(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints_back(v) for v in value]
    return value


def guess_media_kind(uri: str | None = None, mime_type: str | None = None) -> MediaKind:
    """ "image", "video", "audio" or "unknown" from a MIME type (else the URI's extension)."""
    if mime_type is None and uri is None:
        raise ValueError("Either uri or mime_type must be provided to guess the content type.")
    if not mime_type:
        mime_type, _ = mimetypes.guess_type(uri or "")
    for kind in ("image", "video", "audio"):
        if isinstance(mime_type, str) and mime_type.startswith(f"{kind}/"):
            return kind  # type: ignore[return-value]
    return "unknown"


def _tool_block(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    if data.get("type") == "tool_use" and {"type", "name", "input", "id"} <= data.keys():
        return data
    if data.get("type") == "tool_result" and {"type", "name", "output", "id"} <= data.keys():
        return data
    return None


def _data_block(data: Any) -> dict[str, Any]:
    return _tool_block(data) or {"type": "text", "text": str(data)}


class A2AChatFormatter(FormatterBase):
    """Converts between AgentScope messages and A2A messages/tasks.

    A2A takes one message per request, so ``format`` merges the messages' blocks into one
    user message: text and thinking become text parts, media with a URL or base64 source
    file parts, tool calls and results data parts; other blocks are logged and dropped.
    """

    async def format(self, msgs: list[Msg], **kwargs: Any) -> Any:  # type: ignore[override]
        """The A2A ``Message`` (role user) holding all blocks of ``msgs``."""
        import a2a.types as types

        self.assert_list_of_msgs(msgs)
        blocks = [block for msg in msgs for block in msg.get_content_blocks()]
        if sdk_is_v03(types):
            return build_message_v03(types, blocks)
        parts = [p for p in (_part_v10(types, b) for b in blocks) if p is not None]
        return types.Message(message_id=str(uuid.uuid4()), role=types.Role.ROLE_USER, parts=parts)

    async def format_a2a_message(self, name: str, message: Any) -> Msg:
        """The ``Msg`` from ``name`` for an A2A message (user role stays user, agent is
        assistant)."""
        content = [await self._format_a2a_part(part) for part in message.parts]
        return Msg(name=name, role=role_of(message), content=cast("list[ContentBlock]", content))

    @staticmethod
    def _guess_type(uri: str | None = None, mime_type: str | None = None) -> MediaKind:
        return guess_media_kind(uri, mime_type)

    async def format_a2a_task(self, name: str, task: Any) -> list[Msg]:
        """The status message (if any) and the artifacts of ``task`` as messages; artifacts
        join the status message when it is the agent's."""
        merged: list[Msg] = []
        status = getattr(task, "status", None)
        if status is not None and _has(status, "message"):
            merged.append(await self.format_a2a_message(name, status.message))
        for artifact in getattr(task, "artifacts", None) or []:
            content = cast(
                "list[ContentBlock]", [await self._format_a2a_part(p) for p in artifact.parts]
            )
            metadata = _metadata_of(artifact)
            last = merged[-1] if merged else None
            if last is not None and last.role == "assistant" and isinstance(last.content, list):
                last.content.extend(content)
                last.metadata = metadata or {}
            else:
                merged.append(Msg(name=name, role="assistant", content=content, metadata=metadata))
        return merged

    async def _format_a2a_part(self, part: Any) -> dict[str, Any]:
        """One A2A part as a content block (data parts holding tool blocks stay tool blocks)."""
        if hasattr(part, "root"):  # a2a-sdk 0.3 pydantic part
            return _block_from_v03(part.root)
        return _block_from_v10(part)


def _has(obj: Any, field: str) -> bool:
    if hasattr(obj, "HasField"):
        return bool(obj.HasField(field))
    return getattr(obj, field, None) is not None


def _metadata_of(obj: Any) -> dict[str, Any] | None:
    if hasattr(obj, "HasField"):
        return struct_to_python(obj.metadata) if obj.HasField("metadata") else None
    meta = getattr(obj, "metadata", None)
    return dict(meta) if meta else None


def role_of(message: Any) -> Literal["user", "assistant"]:
    """ "user" or "assistant" for an A2A message of either SDK generation."""
    role = message.role
    value = getattr(role, "value", role)
    if value in ("user", 1):
        return "user"
    if value in ("agent", 2):
        return "assistant"
    raise ValueError(f"Unsupported role: {role} in A2A message.")


# ------------------------------------------------------------------ a2a-sdk 1.x (protobuf)
def _part_v10(types: Any, block: dict[str, Any]) -> Any:
    kind = block.get("type")
    if kind == "text" and block.get("text"):
        return types.Part(text=block["text"])
    if kind == "thinking" and block.get("thinking"):
        return types.Part(text=block["thinking"])
    if kind in ("image", "video", "audio") and block.get("source"):
        source = block["source"]
        if source.get("type") == "url":
            return types.Part(url=source.get("url"))
        if source.get("type") == "base64":
            raw = base64.b64decode(source.get("data") or "")
            return types.Part(raw=raw, media_type=source.get("media_type") or "")
        raise ValueError(f"Unsupported source type: {source.get('type')}")
    if kind in ("tool_use", "tool_result"):
        from google.protobuf import json_format, struct_pb2

        return types.Part(data=json_format.ParseDict(dict(block), struct_pb2.Value()))
    if kind not in ("text", "thinking"):
        _log.error("Unsupported block type %s in A2AFormatter.", kind)
    return None


def _block_from_v10(part: Any) -> dict[str, Any]:
    which = part.WhichOneof("content")
    media = part.media_type or None
    if which == "text":
        return {"type": "text", "text": part.text}
    if which == "url":
        return {
            "type": guess_media_kind(part.url, media),
            "source": {"type": "url", "url": part.url},
        }
    if which == "raw":
        return {
            "type": guess_media_kind(mime_type=media or "application/octet-stream"),
            "source": {
                "type": "base64",
                "media_type": media or "application/octet-stream",
                "data": base64.b64encode(part.raw).decode("ascii"),
            },
        }
    if which == "data":
        return _data_block(struct_to_python(part.data))
    raise ValueError(f"Unsupported Part type: {which} in A2A message: {part}")


# ------------------------------------------------------------------ a2a-sdk 0.3 (pydantic)
def build_message_v03(types: Any, blocks: list[dict[str, Any]]) -> Any:
    """An a2a-sdk 0.3 ``Message`` from content blocks (``types``: 0.3's ``a2a.types`` or
    ``a2a.compat.v0_3.types``)."""
    parts = [p for p in (_part_v03(types, b) for b in blocks) if p is not None]
    return types.Message(message_id=str(uuid.uuid4()), role=types.Role.user, parts=parts)


def _part_v03(types: Any, block: dict[str, Any]) -> Any:
    kind = block.get("type")
    if kind == "text" and block.get("text"):
        return types.Part(root=types.TextPart(text=block["text"]))
    if kind == "thinking" and block.get("thinking"):
        return types.Part(root=types.TextPart(text=block["thinking"]))
    if kind in ("image", "video", "audio") and block.get("source"):
        source = block["source"]
        if source.get("type") == "url":
            file: Any = types.FileWithUri(uri=source.get("url"))
        elif source.get("type") == "base64":
            file = types.FileWithBytes(bytes=source.get("data"), mime_type=source.get("media_type"))
        else:
            raise ValueError(f"Unsupported source type: {source.get('type')}")
        return types.Part(root=types.FilePart(file=file))
    if kind in ("tool_use", "tool_result"):
        return types.Part(root=types.DataPart(data=block))
    if kind not in ("text", "thinking"):
        _log.error("Unsupported block type %s in A2AFormatter.", kind)
    return None


def _block_from_v03(root: Any) -> dict[str, Any]:
    kind = getattr(root, "kind", None)
    if kind == "text":
        return {"type": "text", "text": root.text}
    if kind == "file":
        file = root.file
        if getattr(file, "uri", None) is not None:
            return {
                "type": guess_media_kind(file.uri, file.mime_type),
                "source": {"type": "url", "url": file.uri},
            }
        if getattr(file, "bytes", None) is not None:
            return {
                "type": guess_media_kind(mime_type=file.mime_type),
                "source": {
                    "type": "base64",
                    "media_type": file.mime_type or "application/octet-stream",
                    "data": file.bytes,
                },
            }
        raise ValueError(f"Unsupported File type: {type(file)} in A2A message.")
    if kind == "data":
        return _data_block(root.data)
    raise ValueError(f"Unsupported Part type: {type(root)} in A2A message: {root}")


__all__ = ["A2AChatFormatter"]
