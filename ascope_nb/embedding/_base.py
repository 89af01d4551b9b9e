"""The embedding model base class (AgentScope 1.x ``EmbeddingModelBase``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._response import Embedding, EmbeddingResponse, EmbeddingUsage

if TYPE_CHECKING:
    from ._cache import EmbeddingCacheBase


class EmbeddingModelBase:
    """A model that maps inputs to vectors of ``dimensions`` floats.

    Subclasses implement ``async __call__(text: list[str | TextBlock]) -> EmbeddingResponse``.

    Example:
        >>> class Ones(EmbeddingModelBase):
        ...     supported_modalities = ["text"]
        ...     async def __call__(self, text, **kwargs):
        ...         return EmbeddingResponse(embeddings=[[1.0] * self.dimensions for _ in text])
        >>> Ones("ones", 3).dimensions
        3
    """

    model_name: str
    supported_modalities: list[str] = ["text"]
    dimensions: int

    def __init__(self, model_name: str, dimensions: int) -> None:
        self.model_name = model_name
        self.dimensions = dimensions

    async def __call__(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model_name={self.model_name!r}, dimensions={self.dimensions})"
        )


def gather_texts(text: Sequence[Any]) -> list[str]:
    """The strings of ``text`` (strings or text blocks); ``ValueError`` for anything else."""
    if isinstance(text, str):
        return [text]
    out: list[str] = []
    for item in text:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            out.append(item["text"])
        else:
            raise ValueError(
                f"embedding input must be strings or text blocks, got {type(item).__name__}"
            )
    return out


async def embed_cached(
    cache: EmbeddingCacheBase | None,
    key: Any,
    compute: Callable[[], Awaitable[tuple[list[Embedding], int | None]]],
) -> EmbeddingResponse:
    """The cached vectors for ``key``, else ``compute()``'s (stored under ``key``), timed."""
    if cache is not None:
        cached = await cache.retrieve(identifier=key)
        if cached:
            return EmbeddingResponse(
                embeddings=cached, usage=EmbeddingUsage(time=0, tokens=0), source="cache"
            )
    started = time.perf_counter()
    vectors, tokens = await compute()
    usage = EmbeddingUsage(time=time.perf_counter() - started, tokens=tokens)
    if cache is not None:
        await cache.store(identifier=key, embeddings=vectors)
    return EmbeddingResponse(embeddings=vectors, usage=usage)
