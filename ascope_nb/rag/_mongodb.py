"""``MongoDBStore``: chunks in a MongoDB collection searched with Atlas Vector Search
(``$vectorSearch``), through pymongo's ``AsyncMongoClient`` (AgentScope 1.0.21's API).

Each chunk is ``{"_id", "vector", "payload": {doc_id, chunk_id, total_chunks, content}}``; the
collection and its ``vectorSearch`` index are created on first use; searches wait (up to
``index_timeout`` seconds) until the index is queryable.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from ._document import DocMetadata, Document
from ._oceanbase import content_block
from ._store import VDBStoreBase, point_id

INSTALL_HINT = "MongoDBStore needs pymongo>=4.9: pip install 'ascope-nb[mongodb]'"


class MongoDBStore(VDBStoreBase):
    """A vector store in MongoDB Atlas (or a local Atlas deployment).

    Example:
        >>> store = MongoDBStore("mongodb+srv://cluster.example.net/", "kb", "chunks",
        ...                      384)  # doctest: +SKIP
    """

    index_timeout: float = 30.0

    def __init__(
        self,
        host: str,
        db_name: str,
        collection_name: str,
        dimensions: int,
        index_name: str = "vector_index",
        distance: Literal["cosine", "euclidean", "dotProduct"] = "cosine",
        filter_fields: list[str] | None = None,
        client_kwargs: dict[str, Any] | None = None,
        db_kwargs: dict[str, Any] | None = None,
        collection_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if distance not in ("cosine", "euclidean", "dotProduct"):
            raise ValueError(f"MongoDBStore: unknown distance {distance!r}")
        try:
            import pymongo
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        self.db_name = db_name
        self.collection_name = collection_name
        self.dimensions = dimensions
        self.index_name = index_name
        self.distance = distance
        self.filter_fields = list(filter_fields or [])
        self.db_kwargs = db_kwargs or {}
        self.collection_kwargs = collection_kwargs or {}
        self._client = pymongo.AsyncMongoClient(host, **(client_kwargs or {}))
        self._collection: Any = None

    def get_client(self) -> Any:
        """The ``pymongo.AsyncMongoClient``."""
        return self._client

    async def _ensure_collection(self) -> Any:
        if self._collection is not None:
            return self._collection
        from pymongo.operations import SearchIndexModel

        db = self._client.get_database(self.db_name, **self.db_kwargs)
        if self.collection_name in await db.list_collection_names():
            collection = db.get_collection(self.collection_name, **self.collection_kwargs)
        else:
            collection = await db.create_collection(self.collection_name)
        fields: list[dict[str, Any]] = [
            {
                "type": "vector",
                "path": "vector",
                "similarity": self.distance,
                "numDimensions": self.dimensions,
            }
        ]
        fields += [{"type": "filter", "path": path} for path in self.filter_fields]
        model = SearchIndexModel(
            definition={"fields": fields}, name=self.index_name, type="vectorSearch"
        )
        await collection.create_search_index(model=model)
        self._collection = collection
        return collection

    async def _wait_until_queryable(self, collection: Any) -> None:
        deadline = time.monotonic() + self.index_timeout
        while True:
            try:
                indexes = [i async for i in await collection.list_search_indexes(self.index_name)]
                if indexes and indexes[0].get("queryable") is True:
                    return
            except Exception:  # the index may not be listed yet
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"MongoDBStore {self.db_name}.{self.collection_name}: search index "
                    f"{self.index_name!r} not queryable after {self.index_timeout:.0f} s"
                )
            await asyncio.sleep(0.2)

    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        """Store (or replace) ``documents`` in one ``bulk_write``."""
        from pymongo import ReplaceOne

        ops = []
        for doc in documents:
            if doc.embedding is None or len(doc.embedding) != self.dimensions:
                raise ValueError(
                    f"MongoDBStore {self.collection_name!r}: document {doc.metadata.doc_id!r} "
                    f"chunk {doc.metadata.chunk_id} needs an embedding of {self.dimensions} floats"
                )
            key = point_id(doc)
            body = {
                "_id": key,
                "vector": list(doc.embedding),
                "payload": {
                    "doc_id": doc.metadata.doc_id,
                    "chunk_id": doc.metadata.chunk_id,
                    "total_chunks": doc.metadata.total_chunks,
                    "content": dict(doc.metadata.content),
                },
            }
            ops.append(ReplaceOne({"_id": key}, body, upsert=True))
        if not ops:
            return
        collection = await self._ensure_collection()
        await collection.bulk_write(ops)

    async def search(
        self,
        query_embedding: list[float],
        limit: int,
        score_threshold: float | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """The ``limit`` nearest chunks (Atlas ``vectorSearchScore``) scoring at least
        ``score_threshold``; ``filter=`` (a MongoDB filter on ``filter_fields``) narrows them."""
        collection = await self._ensure_collection()
        await self._wait_until_queryable(collection)
        stage: dict[str, Any] = {
            "index": self.index_name,
            "path": "vector",
            "queryVector": list(query_embedding),
            "numCandidates": int(kwargs.get("num_candidates", max(limit * 10, 100))),
            "limit": int(limit),
        }
        if kwargs.get("filter"):
            stage["filter"] = kwargs["filter"]
        pipeline = [
            {"$vectorSearch": stage},
            {"$project": {"_id": 0, "payload": 1, "score": {"$meta": "vectorSearchScore"}}},
        ]
        found = []
        async for row in await collection.aggregate(pipeline):
            score = float(row.get("score", 0.0))
            if score_threshold is not None and score < score_threshold:
                continue
            payload = row.get("payload", {})
            meta = DocMetadata(
                content=content_block(payload.get("content")),
                doc_id=str(payload.get("doc_id", "")),
                chunk_id=int(payload.get("chunk_id") or 0),
                total_chunks=int(payload.get("total_chunks") or 0),
            )
            found.append(Document(metadata=meta, score=score))
        return found

    async def delete(self, ids: str | list[str] | None = None, **kwargs: Any) -> None:
        """Remove every chunk of the documents with these ``doc_id``s."""
        if not ids:
            return
        wanted = [ids] if isinstance(ids, str) else list(ids)
        collection = await self._ensure_collection()
        await collection.delete_many({"payload.doc_id": {"$in": wanted}})

    async def delete_collection(self) -> None:
        """Drop the collection (and its index)."""
        collection = await self._ensure_collection()
        await collection.drop()
        self._collection = None

    async def delete_database(self) -> None:
        """Drop the whole database."""
        await self._client.drop_database(self.db_name)
        self._collection = None

    async def close(self) -> None:
        """Close the client."""
        await self._client.close()
