"""A chunk of a document: its content block, ids, and (once embedded or found) vector and score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shortuuid


@dataclass
class DocMetadata:
    """What a chunk is: its content block, the document id, and its place in the document.

    Example:
        >>> meta = DocMetadata(content={"type": "text", "text": "hi"}, doc_id="d", chunk_id=0,
        ...                    total_chunks=1)
        >>> meta.content["text"], meta.to_dict()["doc_id"]
        ('hi', 'd')
    """

    content: Any  # a text, image or video block (dict)
    doc_id: str
    chunk_id: int
    total_chunks: int
    source: str = ""
    """Where the chunk came from (a file path), shown with retrievals; an ascope_nb addition."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": dict(self.content),
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "total_chunks": self.total_chunks,
            "source": self.source,
        }

    def __getitem__(self, key: str) -> Any:  # AgentScope's DocMetadata is also a dict
        return getattr(self, key)


@dataclass
class Document:
    """One chunk, as stored in and returned by a vector store (AgentScope 1.x ``Document``).

    Example:
        >>> doc = Document(metadata=DocMetadata({"type": "text", "text": "hi"}, "d", 0, 1))
        >>> doc.score is None and doc.embedding is None
        True
    """

    metadata: DocMetadata
    id: str = field(default_factory=shortuuid.uuid)
    embedding: list[float] | None = None
    score: float | None = None

    @property
    def text(self) -> str:
        """The chunk's text ("" for an image or video chunk)."""
        return str(self.metadata.content.get("text") or "")
