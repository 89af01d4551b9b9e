"""The embedded offline embedding model: all-MiniLM-L6-v2 on CPU, no server, no torch."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from ._base import EmbeddingModelBase, embed_cached, gather_texts
from ._cache import EmbeddingCacheBase
from ._response import Embedding, EmbeddingResponse

_ENCODER: Any = None
_ENCODER_LOCK = threading.Lock()


def _encoder() -> Any:
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            from ._minilm import MiniLMEncoder

            _ENCODER = MiniLMEncoder()
        return _ENCODER


class LocalTextEmbedding(EmbeddingModelBase):
    """all-MiniLM-L6-v2 (384 dimensions) run in numpy; the default embedding model.

    The weights load once per process (sha256-checked) on the first call. Needs the
    ``knowledge`` extra and the weights package (``ConfigError`` says what to install).

    Args:
        embedding_cache: Optional cache of earlier requests.
        batch_size: Texts per forward pass.

    Example:
        >>> model = LocalTextEmbedding()
        >>> model.dimensions
        384
        >>> import asyncio
        >>> res = asyncio.run(model(["a cat sat on the mat"]))  # doctest: +SKIP
        >>> len(res.embeddings[0])  # doctest: +SKIP
        384
    """

    supported_modalities = ["text"]

    def __init__(
        self, *, embedding_cache: EmbeddingCacheBase | None = None, batch_size: int = 32
    ) -> None:
        super().__init__("all-MiniLM-L6-v2", 384)
        self.embedding_cache = embedding_cache
        self.batch_size = batch_size

    async def __call__(self, text: Sequence[Any], **kwargs: Any) -> EmbeddingResponse:
        texts = gather_texts(text)
        key = {"model": self.model_name, "input": texts}

        async def compute() -> tuple[list[Embedding], int | None]:
            matrix = await asyncio.to_thread(self._encode, texts)
            return matrix.tolist(), None

        return await embed_cached(self.embedding_cache, key, compute)

    def _encode(self, texts: list[str]) -> Any:
        return _encoder().encode(texts, batch_size=self.batch_size)

    def encode(self, texts: list[str]) -> Any:
        """Synchronous: a ``(len(texts), 384)`` numpy array of unit vectors."""
        return self._encode(list(texts))
