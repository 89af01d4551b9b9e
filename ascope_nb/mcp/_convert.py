"""MCP tool results as ascope_nb blocks and ``ToolResponse`` objects."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from ..message import AudioBlock, ImageBlock, TextBlock, VideoBlock
from ..tool._response import ToolOutputBlock, ToolResponse

if TYPE_CHECKING:
    import mcp.types


def _media(mime: str, data: str) -> ToolOutputBlock | None:
    source = {"type": "base64", "media_type": mime, "data": data}
    if mime.startswith("image/"):
        return ImageBlock(type="image", source=source)  # type: ignore[typeddict-item]
    if mime.startswith("audio/"):
        return AudioBlock(type="audio", source=source)  # type: ignore[typeddict-item]
    if mime.startswith("video/"):
        return VideoBlock(type="video", source=source)  # type: ignore[typeddict-item]
    return None


def content_to_blocks(
    content: list[Any], *, resources: list[dict[str, Any]] | None = None
) -> list[ToolOutputBlock]:
    """Map MCP content items to blocks.

    Text becomes a text block, images and audio become media blocks with a base64 source,
    an embedded text resource becomes its JSON (uri, mimeType, meta, text), an embedded blob becomes a media block for
    image/audio/video types and a one-line description otherwise (its data is appended to
    ``resources``), and a resource link becomes a line naming its URI.

    Example:
        >>> import mcp.types as t
        >>> content_to_blocks([t.TextContent(type="text", text="hi"),
        ...     t.ImageContent(type="image", data="AAAA", mimeType="image/png")])[1]["source"]
        {'type': 'base64', 'media_type': 'image/png', 'data': 'AAAA'}
    """
    import mcp.types as t

    blocks: list[ToolOutputBlock] = []
    for item in content:
        if isinstance(item, t.TextContent):
            blocks.append(TextBlock(type="text", text=item.text))
        elif isinstance(item, t.ImageContent | t.AudioContent):
            block = _media(item.mimeType, item.data)
            if block is not None:
                blocks.append(block)
        elif isinstance(item, t.EmbeddedResource):
            res = item.resource
            uri, mime = str(res.uri), res.mimeType or "application/octet-stream"
            if isinstance(res, t.TextResourceContents):  # the resource as JSON (AgentScope 1.x)
                text = json.dumps(res.model_dump(mode="json"), indent=2, ensure_ascii=False)
                blocks.append(TextBlock(type="text", text=text))
                continue
            media = _media(mime, res.blob)
            if media is not None:
                blocks.append(media)
                continue
            size = len(base64.b64decode(res.blob, validate=False))
            text = f"[embedded resource {uri} ({mime}, {size} bytes)]"
            blocks.append(TextBlock(type="text", text=text))
            if resources is not None:
                resources.append({"uri": uri, "mime_type": mime, "blob": res.blob})
        elif isinstance(item, t.ResourceLink):
            label = f"{item.name}: " if item.name else ""
            desc = f" - {item.description}" if item.description else ""
            blocks.append(TextBlock(type="text", text=f"[resource link] {label}{item.uri}{desc}"))
        else:  # a content type newer than this code: keep it readable
            blocks.append(TextBlock(type="text", text=json.dumps(item.model_dump(mode="json"))))
    return blocks


def result_to_response(result: mcp.types.CallToolResult) -> ToolResponse:
    """A ``CallToolResult`` as a ``ToolResponse``; ``isError`` gives ``success: False``.

    ``metadata`` stays None for a plain successful result (as in AgentScope 1.x); it holds
    the error and the embedded binary ``resources`` when there are any.

    Example:
        >>> import mcp.types as t
        >>> r = t.CallToolResult(content=[t.TextContent(type="text", text="bad")], isError=True)
        >>> result_to_response(r).metadata
        {'success': False, 'error': 'bad'}
    """
    resources: list[dict[str, Any]] = []
    blocks = content_to_blocks(list(result.content), resources=resources)
    structured = result.structuredContent
    if not blocks and structured is not None:
        text = json.dumps(structured, ensure_ascii=False)
        blocks.append(TextBlock(type="text", text=text))
    metadata: dict[str, Any] = {}
    if result.isError:
        metadata["success"] = False
        texts = [b["text"] for b in blocks if b["type"] == "text"]
        metadata["error"] = "\n".join(texts) or "The MCP tool reported an error."
    if resources:
        metadata["resources"] = resources
    return ToolResponse(content=blocks, metadata=metadata or None)
