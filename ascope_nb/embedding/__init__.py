"""Embedding models (AgentScope 1.x ``agentscope.embedding`` API) and the offline default.

Example:
    >>> from ascope_nb.embedding import LocalTextEmbedding, FileEmbeddingCache
    >>> LocalTextEmbedding().model_name
    'all-MiniLM-L6-v2'
"""

from ._base import EmbeddingModelBase
from ._cache import EmbeddingCacheBase, FileEmbeddingCache
from ._local import LocalTextEmbedding
from ._remote import DashScopeTextEmbedding, OllamaTextEmbedding, OpenAITextEmbedding
from ._response import Embedding, EmbeddingResponse, EmbeddingUsage

__all__ = [
    "DashScopeTextEmbedding",
    "Embedding",
    "EmbeddingCacheBase",
    "EmbeddingModelBase",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "FileEmbeddingCache",
    "LocalTextEmbedding",
    "OllamaTextEmbedding",
    "OpenAITextEmbedding",
]
