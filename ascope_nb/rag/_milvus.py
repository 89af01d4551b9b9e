"""Milvus Lite: a vector store in one local file (``pymilvus[milvus-lite]``, Linux/macOS)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from ._document import DocMetadata, Document
from ._reader import need
from ._store import VDBStoreBase, point_id


class MilvusLiteStore(VDBStoreBase):
    """Chunks in a Milvus Lite file (or a Milvus server when ``uri`` is a URL).

    Args:
        uri: A local ``.db`` file (Milvus Lite) or a server URL.
        collection_name: The collection (created on first ``add``).
        dimensions: The vector size.
        distance: ``"COSINE"``, ``"L2"`` or ``"IP"``.
        token: The server token (not needed for a file).
        client_kwargs: Passed to ``pymilvus.MilvusClient``.
        collection_kwargs: Passed to ``create_collection``.

    Example:
        >>> store = MilvusLiteStore(uri="./notes.db", collection_name="notes",
        ...                         dimensions=384)  # doctest: +SKIP
    """

    def __init__(
        self,
        uri: str,
        collection_name: str,
        dimensions: int,
        distance: Literal["COSINE", "L2", "IP"] = "COSINE",
        token: str = "",
        client_kwargs: dict[str, Any] | None = None,
        collection_kwargs: dict[str, Any] | None = None,
    ) -> None:
        pymilvus = need("pymilvus", "pymilvus[milvus-lite]")
        self._client = pymilvus.MilvusClient(uri=uri, token=token, **(client_kwargs or {}))
        self.collection_name = collection_name
        self.dimensions = dimensions
        self.distance = distance
        self.collection_kwargs = dict(collection_kwargs or {})

    def _ensure_collection(self) -> None:
        if self._client.has_collection(self.collection_name):
            return
        self._client.create_collection(
            collection_name=self.collection_name,
            dimension=self.dimensions,
            metric_type=self.distance,
            id_type="string",
            max_length=64,
            **self.collection_kwargs,
        )

    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        rows = []
        for doc in documents:
            if doc.embedding is None:
                raise ValueError(f"document {doc.id!r} has no embedding: embed it before adding")
            meta = doc.metadata
            rows.append(
                {
                    "id": point_id(doc),
                    "vector": list(doc.embedding),
                    "doc_id": meta.doc_id,
                    "chunk_id": meta.chunk_id,
                    "total_chunks": meta.total_chunks,
                    "content": json.dumps(meta.content, ensure_ascii=False),
                    "document_id": doc.id,
                    "source": meta.source,
                }
            )

        def insert() -> None:
            self._ensure_collection()
            self._client.upsert(collection_name=self.collection_name, data=rows, **kwargs)

        await asyncio.to_thread(insert)

    async def search(
        self,
        query_embedding: list[float],
        limit: int,
        score_threshold: float | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        def run() -> Any:
            if not self._client.has_collection(self.collection_name):
                return [[]]
            return self._client.search(
                collection_name=self.collection_name,
                data=[list(query_embedding)],
                limit=limit,
                output_fields=[
                    "doc_id",
                    "chunk_id",
                    "total_chunks",
                    "content",
                    "document_id",
                    "source",
                ],
                search_params={"metric_type": self.distance},
                **kwargs,
            )

        hits = (await asyncio.to_thread(run))[0]
        out = []
        for hit in hits:
            score = float(hit["distance"])
            if score_threshold is not None and (
                score > score_threshold if self.distance == "L2" else score < score_threshold
            ):
                continue
            entity = hit["entity"]
            meta = DocMetadata(
                content=json.loads(entity["content"]),
                doc_id=entity["doc_id"],
                chunk_id=int(entity["chunk_id"]),
                total_chunks=int(entity["total_chunks"]),
                source=str(entity.get("source") or ""),
            )
            out.append(Document(metadata=meta, id=entity["document_id"], score=score))
        return out

    async def delete(
        self, ids: list[str] | None = None, filter: str | None = None, **kwargs: Any
    ) -> None:
        """Delete by point ids or a Milvus filter expression (``'doc_id == "x"'``)."""
        await asyncio.to_thread(
            self._client.delete,
            collection_name=self.collection_name,
            ids=ids,
            filter=filter or "",
            **kwargs,
        )

    def get_client(self) -> Any:
        return self._client
