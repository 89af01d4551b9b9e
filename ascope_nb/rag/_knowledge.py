"""Knowledge bases: embed chunks into a vector store and retrieve them by a query.

Every retrieval inside a run is an event (``KnowledgeRetrieved``), so the live view, the
run store, exporters and tracing see what the agent was given.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Literal

from ._document import Document
from ._store import VDBStoreBase

logger = logging.getLogger(__name__)


def chunk_record(doc: Document) -> dict[str, Any]:
    """The JSON form of a retrieved chunk inside a ``KnowledgeRetrieved`` event."""
    content = doc.metadata.content
    return {
        "text": str(content.get("text") or f"[{content.get('type', 'data')}]"),
        "score": None if doc.score is None else round(float(doc.score), 6),
        "doc_id": doc.metadata.doc_id,
        "chunk_id": doc.metadata.chunk_id,
        "source": doc.metadata.source,
    }


def emit_retrieval(
    query: str,
    docs: list[Document],
    *,
    source: Literal["knowledge", "long_term_memory"] = "knowledge",
    via: Literal["reply", "tool", "user"] = "reply",
    agent: str = "",
    step: int = 0,
    original_query: str = "",
) -> None:
    """Emit a ``KnowledgeRetrieved`` event on the current run (nothing outside a run);
    ``original_query`` is the user's text when ``query`` is the model's rewrite of it."""
    from ..events import KnowledgeRetrieved, current_reply, current_run

    ctx = current_run.get()
    if ctx is None:
        return
    ctx.emit(
        KnowledgeRetrieved(
            agent=agent,
            reply_id=current_reply.get(),
            query=query,
            source=source,
            chunks=[chunk_record(d) for d in docs],
            via=via,
            step=step,
            original_query=original_query,
        )
    )


class KnowledgeBase(ABC):
    """A store plus an embedding model (AgentScope 1.x ``KnowledgeBase``).

    ``retrieve_knowledge`` is ready to register as a tool for an agent.
    """

    def __init__(self, embedding_store: VDBStoreBase, embedding_model: Any) -> None:
        self.embedding_store = embedding_store
        self.embedding_model = embedding_model

    @abstractmethod
    async def retrieve(
        self, query: str, limit: int = 5, score_threshold: float | None = None, **kwargs: Any
    ) -> list[Document]:
        """The chunks most relevant to ``query``, best first."""

    @abstractmethod
    async def add_documents(self, documents: list[Document], **kwargs: Any) -> None:
        """Embed ``documents`` and store them."""

    async def retrieve_knowledge(
        self, query: str, limit: int = 5, score_threshold: float | None = None, **kwargs: Any
    ) -> Any:
        """Retrieve relevant documents from the knowledge base. The query decides the quality:
        be specific (names, not "he" or "my"), and try other wordings if nothing fits.

        Args:
            query (str): A specific, concise query.
            limit (int): How many documents to retrieve.
            score_threshold (float): Only documents scoring above this (0 to 1) are returned;
                lower it to get more.
        """
        from ..tool import ToolResponse

        docs = await self.retrieve(
            query=query, limit=limit, score_threshold=score_threshold, **kwargs
        )
        emit_retrieval(query, docs, via="tool")
        blocks: list[Any]
        if docs:
            blocks = [
                {"type": "text", "text": f"Score: {d.score}, Content: {d.metadata.content['text']}"}
                for d in docs
            ]
        else:
            blocks = [
                {
                    "type": "text",
                    "text": "No relevant documents found. TRY to reduce the `score_threshold` "
                    "parameter to get more results.",
                }
            ]
        return ToolResponse(content=blocks)


class SimpleKnowledge(KnowledgeBase):
    """Embeds the query and searches the store (AgentScope 1.x ``SimpleKnowledge``).

    Example:
        >>> from ascope_nb.embedding import LocalTextEmbedding
        >>> from ascope_nb.rag import QdrantStore
        >>> kb = SimpleKnowledge(
        ...     embedding_store=QdrantStore(location=":memory:", collection_name="kb",
        ...                                 dimensions=384),
        ...     embedding_model=LocalTextEmbedding())
        >>> type(kb.embedding_store).__name__
        'QdrantStore'
    """

    batch_size: int = 256

    async def retrieve(
        self, query: str, limit: int = 5, score_threshold: float | None = None, **kwargs: Any
    ) -> list[Document]:
        res = await self.embedding_model([{"type": "text", "text": query}])
        return await self.embedding_store.search(
            res.embeddings[0], limit=limit, score_threshold=score_threshold, **kwargs
        )

    async def add_documents(self, documents: list[Document], **kwargs: Any) -> None:
        modalities = getattr(self.embedding_model, "supported_modalities", ["text"])
        for doc in documents:
            kind = doc.metadata.content.get("type")
            if kind not in modalities:
                raise ValueError(
                    f"the embedding model {self.embedding_model.model_name!r} does not support "
                    f"{kind!r} data"
                )
        for start in range(0, len(documents), self.batch_size):
            batch = documents[start : start + self.batch_size]
            res = await self.embedding_model([d.metadata.content for d in batch])
            for doc, vector in zip(batch, res.embeddings, strict=False):
                doc.embedding = vector
            await self.embedding_store.add(batch, **kwargs)
