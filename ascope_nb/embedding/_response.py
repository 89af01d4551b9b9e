"""What an embedding model returns: vectors, usage, and whether they came from a cache."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

import shortuuid

Embedding = list[float]
"""One embedding vector."""


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@dataclass
class EmbeddingUsage:
    """The cost of one embedding call.

    Example:
        >>> EmbeddingUsage(time=0.5, tokens=12).tokens
        12
    """

    time: float
    tokens: int | None = None
    type: Literal["embedding"] = "embedding"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EmbeddingResponse:
    """Vectors for the inputs, in order (AgentScope 1.x ``EmbeddingResponse``).

    Example:
        >>> EmbeddingResponse(embeddings=[[1.0, 0.0]]).source
        'api'
    """

    embeddings: list[Embedding]
    id: str = field(default_factory=shortuuid.uuid)
    created_at: str = field(default_factory=_now)
    type: Literal["embedding"] = "embedding"
    usage: EmbeddingUsage | None = None
    source: Literal["cache", "api"] = "api"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
