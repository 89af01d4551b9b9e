"""Shared pieces of the multimodal tools: results as blocks, failures as one text block."""

from __future__ import annotations

from typing import Any

from ...redact import redact_text
from .._response import ToolResponse


def failed(prefix: str, exc: BaseException | str) -> ToolResponse:
    """One text block ``"{prefix}{reason}"`` (one line, secrets redacted).

    Example:
        >>> failed("Failed to generate image: ", ValueError("bad size")).content[0]["text"]
        'Failed to generate image: bad size'
    """
    reason = " ".join(str(exc).split())
    return ToolResponse(content=[{"type": "text", "text": redact_text(prefix + reason)}])


def text(value: str) -> ToolResponse:
    """A ``ToolResponse`` of one text block."""
    return ToolResponse(content=[{"type": "text", "text": value}])


def images(data: list[Any], response_format: str) -> ToolResponse:
    """Image blocks from an OpenAI images response's ``data`` (URLs or base64 PNG)."""
    blocks: list[Any] = []
    for item in data:
        if response_format == "url":
            blocks.append({"type": "image", "source": {"type": "url", "url": item.url}})
        else:
            source = {"type": "base64", "media_type": "image/png", "data": item.b64_json}
            blocks.append({"type": "image", "source": source})
    return ToolResponse(content=blocks)
