"""Embedding models behind an HTTP API: OpenAI-compatible, DashScope, Ollama.

All three send batches, consult the optional cache first (keyed by the request), and
report time and tokens in ``EmbeddingUsage``.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from ..exceptions import ConfigError
from ._base import EmbeddingModelBase, embed_cached, gather_texts
from ._cache import EmbeddingCacheBase
from ._response import Embedding, EmbeddingResponse, EmbeddingUsage

DASHSCOPE_URL = "https://dashscope.aliyuncs.com/compatible-mode/v1"
Fetch = Callable[[dict[str, Any]], Awaitable[tuple[list[Embedding], int | None]]]


class _RemoteEmbedding(EmbeddingModelBase):
    batch_size: int = 512

    def __init__(
        self,
        model_name: str,
        dimensions: int,
        *,
        embedding_cache: EmbeddingCacheBase | None = None,
    ) -> None:
        super().__init__(model_name, dimensions)
        self.embedding_cache = embedding_cache

    def _request(self, texts: list[str], kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"input": texts, "model": self.model_name, "dimensions": self.dimensions, **kwargs}

    async def _fetch(self, request: dict[str, Any]) -> tuple[list[Embedding], int | None]:
        raise NotImplementedError

    async def _one(self, request: dict[str, Any]) -> EmbeddingResponse:
        return await embed_cached(self.embedding_cache, request, lambda: self._fetch(request))

    async def __call__(self, text: Sequence[Any], **kwargs: Any) -> EmbeddingResponse:
        """Embed ``text`` (strings or text blocks), one request per ``batch_size`` inputs."""
        texts = gather_texts(text)
        parts = [
            await self._one(self._request(texts[i : i + self.batch_size], kwargs))
            for i in range(0, len(texts), self.batch_size)
        ]
        if len(parts) == 1:
            return parts[0]
        tokens = sum((p.usage.tokens or 0) if p.usage else 0 for p in parts)
        took = sum(p.usage.time if p.usage else 0.0 for p in parts)
        source: Literal["cache", "api"] = (
            "api" if any(p.source == "api" for p in parts) else "cache"
        )
        return EmbeddingResponse(
            embeddings=[v for p in parts for v in p.embeddings],
            usage=EmbeddingUsage(time=took, tokens=tokens),
            source=source,
        )


class OpenAITextEmbedding(_RemoteEmbedding):
    """Any OpenAI-compatible ``/embeddings`` endpoint (OpenAI, vLLM, llama.cpp, DashScope...).

    Args:
        api_key: The key (``None``: ``$OPENAI_API_KEY``).
        model_name: The embedding model.
        dimensions: The vector size requested and expected.
        embedding_cache: Optional cache of earlier requests.
        **kwargs: Passed to ``openai.AsyncOpenAI`` (``base_url=...``).

    Example:
        >>> model = OpenAITextEmbedding(api_key="sk-x", model_name="text-embedding-3-small",
        ...                             dimensions=256, base_url="http://127.0.0.1:9/v1")
        >>> model.dimensions
        256
    """

    def __init__(
        self,
        api_key: str | None,
        model_name: str,
        dimensions: int = 1024,
        embedding_cache: EmbeddingCacheBase | None = None,
        **kwargs: Any,
    ) -> None:
        import openai

        super().__init__(model_name, dimensions, embedding_cache=embedding_cache)
        key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self.client = openai.AsyncOpenAI(api_key=key, **kwargs)

    def _request(self, texts: list[str], kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"encoding_format": "float", **super()._request(texts, kwargs)}

    async def _fetch(self, request: dict[str, Any]) -> tuple[list[Embedding], int | None]:
        response = await self.client.embeddings.create(**request)
        usage = getattr(response, "usage", None)
        return [list(d.embedding) for d in response.data], getattr(usage, "total_tokens", None)


class DashScopeTextEmbedding(OpenAITextEmbedding):
    """DashScope text embeddings through its OpenAI-compatible mode (batches of 10).

    Example:
        >>> DashScopeTextEmbedding(api_key="sk-x", model_name="text-embedding-v4").batch_size
        10
    """

    batch_size = 10

    def __init__(
        self,
        api_key: str | None,
        model_name: str,
        dimensions: int = 1024,
        embedding_cache: EmbeddingCacheBase | None = None,
        **kwargs: Any,
    ) -> None:
        key = api_key or os.environ.get("DASHSCOPE_API_KEY")
        kwargs.setdefault("base_url", DASHSCOPE_URL)
        super().__init__(key, model_name, dimensions, embedding_cache, **kwargs)


class OllamaTextEmbedding(_RemoteEmbedding):
    """An Ollama server's ``/api/embed`` (through httpx).

    Args:
        model_name: The Ollama model (``nomic-embed-text``...).
        dimensions: Its vector size.
        host: The server (default ``$OLLAMA_HOST`` or ``http://127.0.0.1:11434``).
        embedding_cache: Optional cache of earlier requests.

    Example:
        >>> OllamaTextEmbedding("nomic-embed-text", 768, host="http://127.0.0.1:11434").host
        'http://127.0.0.1:11434'
    """

    def __init__(
        self,
        model_name: str,
        dimensions: int,
        host: str | None = None,
        embedding_cache: EmbeddingCacheBase | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(model_name, dimensions, embedding_cache=embedding_cache)
        host = host or os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434"
        if not host.startswith(("http://", "https://")):
            host = f"http://{host}"
        self.host = host.rstrip("/")
        self.client_kwargs = kwargs

    async def _fetch(self, request: dict[str, Any]) -> tuple[list[Embedding], int | None]:
        import httpx

        async with httpx.AsyncClient(**self.client_kwargs) as client:
            response = await client.post(f"{self.host}/api/embed", json=request, timeout=120)
        if response.status_code != 200:
            raise ConfigError(
                f"Ollama embedding call to {self.host!r} failed: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
        data = response.json()
        return [list(map(float, v)) for v in data["embeddings"]], data.get("prompt_eval_count")
