"""Vector stores: the base class and Qdrant in embedded mode (in memory or a folder)."""

from __future__ import annotations

import json
import logging
import uuid
from abc import ABC, abstractmethod
from typing import Any, Literal

from ._document import DocMetadata, Document
from ._qdrant_batch import local_persistence, one_transaction
from ._reader import need

logger = logging.getLogger(__name__)


class VDBStoreBase(ABC):
    """Keeps embedded documents and finds the nearest ones (AgentScope 1.x ``VDBStoreBase``)."""

    @abstractmethod
    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        """Store ``documents`` (each with its ``embedding``)."""

    @abstractmethod
    async def delete(self, *args: Any, **kwargs: Any) -> None:
        """Remove documents."""

    @abstractmethod
    async def search(
        self,
        query_embedding: list[float],
        limit: int,
        score_threshold: float | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """The ``limit`` nearest documents with a score above ``score_threshold``."""

    def get_client(self) -> Any:
        """The underlying database client."""
        raise NotImplementedError(f"get_client is not implemented for {type(self).__name__}")


def point_id(doc: Document) -> str:
    """A stable UUID for a chunk: the same chunk added twice is stored once."""
    key = {"doc_id": doc.metadata.doc_id, "chunk_id": doc.metadata.chunk_id}
    key["content"] = doc.metadata.content
    return str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(key, ensure_ascii=False, sort_keys=True)))


class QdrantStore(VDBStoreBase):
    """Qdrant without a server: ``location=":memory:"`` or a folder path (persistent); an
    ``http(s)://`` URL talks to a Qdrant server instead.

    Args:
        location: ``":memory:"``, a folder, or a server URL.
        collection_name: The collection (created on first ``add``).
        dimensions: The vector size.
        distance: ``"Cosine"``, ``"Euclid"``, ``"Dot"`` or ``"Manhattan"``.
        client_kwargs: Passed to ``qdrant_client.AsyncQdrantClient``.
        collection_kwargs: Passed to ``create_collection``.

    Example:
        >>> store = QdrantStore(location=":memory:", collection_name="notes", dimensions=3)
        >>> store.collection_name
        'notes'
    """

    def __init__(
        self,
        location: Literal[":memory:"] | str,
        collection_name: str,
        dimensions: int,
        distance: Literal["Cosine", "Euclid", "Dot", "Manhattan"] = "Cosine",
        client_kwargs: dict[str, Any] | None = None,
        collection_kwargs: dict[str, Any] | None = None,
    ) -> None:
        qdrant = need("qdrant_client", "qdrant-client")
        kwargs = dict(client_kwargs or {})
        if location == ":memory:":
            kwargs["location"] = location
        elif location.startswith(("http://", "https://")):
            kwargs["url"] = location
        else:
            kwargs["path"] = location
        self.location = location
        self._client = qdrant.AsyncQdrantClient(**kwargs)
        self.collection_name = collection_name
        self.dimensions = dimensions
        self.distance = distance
        self.collection_kwargs = dict(collection_kwargs or {})
        self._ready = False  # the collection is known to exist

    async def _ensure_collection(self) -> None:
        if self._ready or await self._client.collection_exists(self.collection_name):
            self._ready = True
            return
        from qdrant_client import models

        await self._client.create_collection(
            collection_name=self.collection_name,
            vectors_config=models.VectorParams(
                size=self.dimensions, distance=getattr(models.Distance, self.distance.upper())
            ),
            **self.collection_kwargs,
        )
        self._ready = True

    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        from qdrant_client.models import PointStruct

        await self._ensure_collection()
        points = []
        for doc in documents:
            if doc.embedding is None:
                raise ValueError(f"document {doc.id!r} has no embedding: embed it before adding")
            points.append(
                PointStruct(
                    id=point_id(doc),
                    vector=list(doc.embedding),
                    payload={**doc.metadata.to_dict(), "id": doc.id},
                )
            )
        persistence = local_persistence(self._client, self.collection_name)
        with one_transaction(persistence):  # an on-disk folder: one commit, not one per point
            await self._client.upsert(collection_name=self.collection_name, points=points, **kwargs)

    async def search(
        self,
        query_embedding: list[float],
        limit: int,
        score_threshold: float | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        if not self._ready:
            if not await self._client.collection_exists(self.collection_name):
                return []
            self._ready = True
        res = await self._client.query_points(
            collection_name=self.collection_name,
            query=list(query_embedding),
            limit=limit,
            score_threshold=score_threshold,
            **kwargs,
        )
        out = []
        for point in res.points:
            payload = dict(point.payload or {})
            doc_id = payload.pop("id", None)
            doc = Document(
                metadata=DocMetadata(**payload),
                embedding=point.vector if isinstance(point.vector, list) else None,
                score=point.score,
            )
            if doc_id:
                doc.id = doc_id
            out.append(doc)
        return out

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        """Delete points: ``delete(points_selector=...)`` as ``qdrant_client`` takes it, or
        ``delete(doc_id="...")`` for every chunk of one document."""
        from qdrant_client import models

        if "doc_id" in kwargs:
            cond = models.FieldCondition(
                key="doc_id", match=models.MatchValue(value=kwargs.pop("doc_id"))
            )
            kwargs["points_selector"] = models.FilterSelector(filter=models.Filter(must=[cond]))
        await self._client.delete(self.collection_name, *args, **kwargs)

    async def count(self) -> int:
        """How many chunks are stored."""
        if not await self._client.collection_exists(self.collection_name):
            return 0
        return int((await self._client.count(self.collection_name)).count)

    async def close(self) -> None:
        """Release the folder lock (a folder can be open in one client at a time)."""
        await self._client.close()

    def get_client(self) -> Any:
        return self._client
