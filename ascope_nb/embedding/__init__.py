"""Embedding models (AgentScope 1.x names): the base class that user models subclass.

Example:
    >>> class Fixed(EmbeddingModelBase):
    ...     async def __call__(self, text):
    ...         return EmbeddingResponse(embeddings=[[0.0, 1.0]])
    >>> Fixed("fixed", 2).dimensions
    2
"""

from ._base import EmbeddingModelBase, EmbeddingResponse, EmbeddingUsage

__all__ = ["EmbeddingModelBase", "EmbeddingResponse", "EmbeddingUsage"]
