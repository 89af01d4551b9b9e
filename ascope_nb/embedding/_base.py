"""``EmbeddingModelBase`` and its response types (AgentScope 1.x signatures)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from .._ids import new_id


@dataclass
class EmbeddingUsage:
    """Tokens and seconds one embedding request used."""

    time: float = 0.0
    tokens: int = 0


@dataclass
class EmbeddingResponse:
    """The vectors of one embedding request."""

    embeddings: list[list[float]]
    id: str = field(default_factory=new_id)
    created_at: float = field(default_factory=time.time)
    type: Literal["embedding"] = "embedding"
    usage: EmbeddingUsage | None = None
    source: Literal["cache", "api"] = "api"


class EmbeddingModelBase:
    """Base class of embedding models: ``await model(texts)`` returns an ``EmbeddingResponse``.

    Example:
        >>> EmbeddingModelBase("text-embedding-3-small", 1536).model_name
        'text-embedding-3-small'
    """

    model_name: str
    dimensions: int
    supported_modalities: list[str] = ["text"]

    def __init__(self, model_name: str, dimensions: int) -> None:
        self.model_name = model_name
        self.dimensions = dimensions

    async def __call__(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        """Embed the inputs. Subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")
