"""Image and audio blocks as HTML for saved transcripts, inlined only up to a size bound.

Images and audio made by the multimodal tools (``openai_text_to_image``,
``openai_text_to_audio``...) arrive as AgentScope blocks: base64 data or a URL. Base64
data is inlined as a data URL while it stays under ``MAX_INLINE_CHARS``; a larger file is
named with its size instead, so a saved notebook does not grow by megabytes per picture.

Example:
    >>> media_html({"type": "audio", "source": {"type": "url", "url": "https://x/a.mp3"}})
    '<audio controls preload="none" src="https://x/a.mp3"></audio>'
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from ._speech_saved import LOCAL_AUDIO

MAX_INLINE_CHARS = 1_500_000
"""Base64 characters (about 1.1 MB of file) up to which media is inlined in saved output."""

_TYPES = {"image": re.compile(r"^image/[\w.+-]+$"), "audio": re.compile(r"^audio/[\w.+-]+$")}
_B64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def _size(chars: int) -> str:
    size = chars * 3 / 4
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"


def _element(kind: str, src: str) -> str:
    if kind == "image":
        return f'<img alt="image" style="max-width:100%" src="{src}">'
    return f'<audio controls preload="none" src="{src}"></audio>'


def media_html(block: dict[str, Any], *, max_chars: int = MAX_INLINE_CHARS) -> str:
    """An ``<img>`` / ``<audio>`` for an image or audio block; a one-line note when the
    data is too large to inline or is not image/audio data ("" for other blocks)."""
    kind = block.get("type")
    if kind not in _TYPES:
        return ""
    source = block.get("source") or {}
    if source.get("type") == "url":
        url = str(source.get("url", ""))
        if url.startswith(("http://", "https://")):
            return _element(kind, escape(url))
        if kind == "audio" and LOCAL_AUDIO.match(url):  # speech saved beside the notebook
            return _element(kind, escape(url)) + f'<pre class="meta">[audio: {escape(url)}]</pre>'

        return f'<pre class="meta">[{kind}: {escape(url)}]</pre>'
    media, data = str(source.get("media_type", "")), str(source.get("data", ""))
    if source.get("type") != "base64" or not _TYPES[kind].match(media) or not _B64.match(data):
        return f'<pre class="meta">[{kind}: not shown, unsupported source]</pre>'
    if len(data) > max_chars:
        note = f"{escape(media)}, {_size(len(data))}: too large to keep in the saved notebook"
        return f'<pre class="meta">[{kind}: {note}]</pre>'
    return _element(kind, f"data:{media};base64,{data}")
