"""Media helpers of the OpenAI formatters: image URLs, audio data, tool-result text."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

_IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_AUDIO_FORMATS = ("wav", "mp3")


def image_url(source: dict[str, Any]) -> str:
    """The ``image_url.url`` for an image source: a data URL, or the web URL as is.

    Local files (a path or ``file://``) are read and inlined as base64.

    Example:
        >>> image_url({"type": "base64", "media_type": "image/png", "data": "AAAA"})
        'data:image/png;base64,AAAA'
        >>> image_url({"type": "url", "url": "https://example.com/cat.png"})
        'https://example.com/cat.png'
    """
    if source["type"] == "base64":
        return f"data:{source['media_type']};base64,{source['data']}"
    if source["type"] != "url":
        raise ValueError(f"unsupported image source type {source['type']!r}")
    url = str(source["url"])
    path = url.removeprefix("file://")
    if os.path.isfile(path):
        mime = mimetypes.guess_type(path)[0]
        if mime is None or not mime.startswith("image/"):
            if not path.lower().endswith(_IMAGE_EXTS):
                raise ValueError(f"{url!r} is not an image file ({', '.join(_IMAGE_EXTS)})")
            mime = "image/" + path.rsplit(".", 1)[-1].lower().replace("jpg", "jpeg")
        data = base64.b64encode(Path(path).read_bytes()).decode()
        return f"data:{mime};base64,{data}"
    if urlparse(path).scheme not in ("", "file"):
        return url
    raise ValueError(f"invalid image URL {url!r}: neither an existing local file nor a web URL")


def image_part(block: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI ``image_url`` content part for an ``ImageBlock``."""
    return {"type": "image_url", "image_url": {"url": image_url(block["source"])}}


def audio_part(block: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI ``input_audio`` content part for an ``AudioBlock`` (wav or mp3)."""
    source = block["source"]
    if source["type"] == "base64":
        fmt = str(source["media_type"]).split("/")[-1]
        data = source["data"]
    else:
        path = str(source["url"]).removeprefix("file://")
        fmt = path.rsplit(".", 1)[-1].lower()
        if not os.path.isfile(path):
            raise ValueError(
                f"audio URL {source['url']!r} is not a local file; download it and pass "
                "the file path or base64 data"
            )
        data = base64.b64encode(Path(path).read_bytes()).decode()
    if fmt not in _AUDIO_FORMATS:
        raise ValueError(f"unsupported audio format {fmt!r}; OpenAI accepts wav and mp3")
    return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}


def save_base64(media_type: str, data: str) -> str:
    """Write base64 media to a file in the temp dir (named by content hash); its path."""
    ext = mimetypes.guess_extension(media_type) or "." + media_type.split("/")[-1]
    raw = base64.b64decode(data)
    folder = Path(tempfile.gettempdir()) / "ascope_nb_media"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(raw).hexdigest()[:32] + ext)
    if not path.exists():
        path.write_bytes(raw)
    return str(path)


def tool_result_text(
    output: str | Sequence[dict[str, Any]] | None,
) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """A tool output as text, plus its media as ``(url_or_path, block)`` pairs.

    Text blocks are kept; each image/audio/video becomes "The returned image can be
    found at: URL" (base64 data is saved to a temp file first). Several parts are
    listed as ``- `` lines, as AgentScope 1.x does.

    Example:
        >>> tool_result_text([{"type": "text", "text": "3"}])
        ('3', [])
    """
    if output is None:
        return "", []
    if isinstance(output, str):
        return output, []
    texts: list[str] = []
    media: list[tuple[str, dict[str, Any]]] = []
    for block in output:
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block["text"]))
        elif kind in ("image", "audio", "video"):
            source = block["source"]
            if source["type"] == "url":
                where = str(source["url"])
            elif source["type"] == "base64":
                where = save_base64(source["media_type"], source["data"])
            else:
                raise ValueError(f"unsupported {kind} source type {source['type']!r}")
            texts.append(f"The returned {kind} can be found at: {where}")
            media.append((where, block))
        else:
            raise ValueError(f"unsupported block type {kind!r} in a tool result")
    if len(texts) == 1:
        return texts[0], media
    return "\n".join("- " + t for t in texts), media
