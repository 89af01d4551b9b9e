"""``OpenAITokenCounter``: tiktoken counts of OpenAI chat messages, images and tools
(OpenAI's published accounting, as AgentScope 1.x does it)."""

from __future__ import annotations

import base64
import io
import json
import math
import urllib.request
from typing import Any

from ._char import TokenCounterBase

_PER_MESSAGE = 3
_PER_NAME = 1
_REPLY_PRIMER = 3


def _scaled(width: int, height: int) -> tuple[int, int]:
    """The size OpenAI tiles a high-detail image at: within 2048x2048, shortest side 768."""
    if width > 2048 or height > 2048:
        ratio = min(2048 / width, 2048 / height)
        width, height = int(width * ratio), int(height * ratio)
    shortest = min(width, height)
    if shortest != 768:
        ratio = 768 / shortest
        width, height = int(width * ratio), int(height * ratio)
    return width, height


def high_detail_tokens(base: int, per_tile: int, width: int, height: int) -> int:
    """Tokens of a high-detail image: ``base`` plus ``per_tile`` for each 512px tile.

    Example:
        >>> high_detail_tokens(85, 170, 1024, 1024)
        765
    """
    width, height = _scaled(width, height)
    tiles = ((width + 511) // 512) * ((height + 511) // 512)
    return tiles * per_tile + base


def image_size(url: str) -> tuple[int, int]:
    """Width and height of an image given as a data URL or a web URL."""
    if url.startswith("data:image/"):
        raw = base64.b64decode(url.split("base64,", 1)[1])
    else:
        last: Exception | None = None
        for _ in range(3):
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                    raw = response.read()
                break
            except OSError as exc:
                last = exc
        else:
            raise RuntimeError(f"cannot fetch image {url!r} to count its tokens: {last}")
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as image:
        return image.size  # type: ignore[no-any-return]


def _tile_costs(model: str) -> tuple[int, int]:
    if model.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5")):
        return 85, 170
    if model.startswith(("o1", "o3")):
        return 75, 150
    if model.startswith("4o-mini"):
        return 2833, 5667
    raise ValueError(f"OpenAITokenCounter cannot count image tokens for model {model!r}")


def _image_tokens(model: str, part: dict[str, Any]) -> int:
    width, height = image_size(part["image_url"]["url"])
    patch_factor = {"gpt-4.1-mini": 1.62, "gpt-4.1-nano": 2.46, "o4-mini": 1.72}
    for prefix, factor in patch_factor.items():
        if model.startswith(prefix):
            patches = min(math.ceil(width / 32) * math.ceil(height / 32), 1536)
            return math.ceil(patches * factor)
    if not model.startswith(("gpt-4o", "gpt-4.1", "o")):
        return 0
    base, per_tile = _tile_costs(model)
    detail = part["image_url"].get("detail", "high")
    if detail == "low":
        return base
    if detail in ("auto", "high"):
        return high_detail_tokens(base, per_tile, width, height)
    raise ValueError(f"image detail {detail!r} is not one of 'low', 'auto', 'high'")


def _content_tokens(model: str, content: list[Any], encoding: Any) -> int:
    total = 0
    for part in content:
        if not isinstance(part, dict):
            raise TypeError(f"a content part must be a dict, got {type(part).__name__}")
        kind = part.get("type")
        if kind == "text":
            total += len(encoding.encode(part["text"]))
        elif kind == "image_url":
            total += _image_tokens(model, part)
        else:
            raise ValueError(f"content part type {kind!r} is neither 'text' nor 'image_url'")
    return total


def _tools_tokens(model: str, tools: list[dict[str, Any]], encoding: Any) -> int:
    per_function = 7 if model.startswith("gpt-4o") else 10
    total = 0
    for tool in tools:
        function = tool["function"]
        total += per_function
        description = function.get("description", "").removesuffix(".")
        total += len(encoding.encode(f"{function['name']}:{description}"))
        properties = function["parameters"]["properties"]
        if properties:
            total += 3
            for name, prop in properties.items():
                total += 3
                if "enum" in prop:
                    total -= 3
                    for item in prop["enum"]:
                        total += 3 + len(encoding.encode(item))
                prop_desc = prop.get("description", "").removesuffix(".")
                total += len(encoding.encode(f"{name}:{prop.get('type', '')}:{prop_desc}"))
    return total + 12


class OpenAITokenCounter(TokenCounterBase):
    """Counts tokens of OpenAI chat messages with tiktoken (``pip install tiktoken``).

    Images count by OpenAI's tile rule (their size is read from the data URL or fetched);
    tools by OpenAI's function-definition rule.

    Example:
        >>> OpenAITokenCounter("gpt-4o").model_name
        'gpt-4o'
    """

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def _encoding(self) -> Any:
        import tiktoken

        try:
            return tiktoken.encoding_for_model(self.model_name)
        except KeyError:
            return tiktoken.get_encoding("o200k_base")

    async def count(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> int:
        encoding = self._encoding()
        total = _REPLY_PRIMER
        for message in messages:
            total += _PER_MESSAGE
            for key, value in message.items():
                if key == "content" and isinstance(value, list):
                    total += _content_tokens(self.model_name, value, encoding)
                elif isinstance(value, str):
                    total += len(encoding.encode(value))
                elif value is None:
                    continue
                elif key == "tool_calls":
                    total += len(encoding.encode(json.dumps(value, ensure_ascii=False)))
                else:
                    raise TypeError(f"cannot count a {type(value).__name__} in field {key!r}")
                if key == "name":
                    total += _PER_NAME
        if tools:
            total += _tools_tokens(self.model_name, tools, encoding)
        return total
