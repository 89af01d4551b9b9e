"""Milvus Lite: a vector store in one local file (``pip install 'ascope-nb[milvus]'``)."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any, Literal

from ..exceptions import ConfigError
from ._document import DocMetadata, Document
from ._milvus_lite import local_db_path, open_local, release_local
from ._store import VDBStoreBase, point_id

_FIELDS = ["doc_id", "chunk_id", "total_chunks", "content", "document_id", "source"]


class MilvusLiteStore(VDBStoreBase):
    """Chunks in a Milvus Lite database file (or a Milvus server when ``uri`` is a URL).

    With the ``milvus`` extra (milvus-lite 2.5.1, as AgentScope 1.x pins it) ``uri`` is one
    file, which AgentScope's ``MilvusLiteStore`` reads too. milvus-lite 3.x also works but
    keeps the database as a folder at ``uri``.

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
        >>> await store.close()  # doctest: +SKIP
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
        try:
            import pymilvus
        except ImportError:
            raise ConfigError(
                "MilvusLiteStore needs pymilvus: pip install 'ascope-nb[milvus]'"
            ) from None
        self._local = local_db_path(uri)
        if self._local is not None:
            open_local(self._local)
        try:
            self._client = pymilvus.MilvusClient(uri=uri, token=token, **(client_kwargs or {}))
        except Exception:
            if self._local is not None:
                release_local(self._local)
            raise
        self.uri = uri
        self.collection_name = collection_name
        self.dimensions = dimensions
        self.distance = distance
        self.collection_kwargs = dict(collection_kwargs or {})
        self._int_ids: bool | None = None  # primary key type of an existing collection
        self._lock = threading.Lock()
        self._closed = False

    def _open_collection(self, *, create: bool) -> bool:
        """Create (when ``create``) and load the collection; False when it does not exist.

        A collection reopened from a file is not loaded (Milvus answers "call load() before
        search"), so it is loaded here once.
        """
        if self._int_ids is not None:
            return True
        if not self._client.has_collection(self.collection_name):
            if not create:
                return False
            self._client.create_collection(
                collection_name=self.collection_name,
                dimension=self.dimensions,
                metric_type=self.distance,
                id_type="string",
                max_length=64,
                **self.collection_kwargs,
            )
        self._client.load_collection(self.collection_name)
        # a collection made by AgentScope's MilvusLiteStore has integer ids
        fields = self._client.describe_collection(self.collection_name).get("fields", [])
        primary: dict[str, Any] = next((f for f in fields if f.get("is_primary")), {})
        kind = primary.get("type")
        self._int_ids = "INT" in str(getattr(kind, "name", kind)).upper()
        return True

    def _row_id(self, doc: Document) -> str | int:
        pid = point_id(doc)
        return uuid.UUID(pid).int >> 65 if self._int_ids else pid

    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        for doc in documents:
            if doc.embedding is None:
                raise ValueError(f"document {doc.id!r} has no embedding: embed it before adding")

        def insert() -> None:
            with self._lock:
                self._open_collection(create=True)
                rows = [
                    {
                        "id": self._row_id(doc),
                        "vector": list(doc.embedding or []),
                        "doc_id": doc.metadata.doc_id,
                        "chunk_id": doc.metadata.chunk_id,
                        "total_chunks": doc.metadata.total_chunks,
                        "content": json.dumps(doc.metadata.content, ensure_ascii=False),
                        "document_id": doc.id,
                        "source": doc.metadata.source,
                    }
                    for doc in documents
                ]
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
            with self._lock:
                if not self._open_collection(create=False):
                    return [[]]
            kwargs.setdefault("output_fields", _FIELDS)
            return self._client.search(
                collection_name=self.collection_name,
                data=[list(query_embedding)],
                limit=limit,
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
            out.append(_document(hit["entity"], score))
        return out

    async def delete(
        self, ids: list[str] | None = None, filter: str | None = None, **kwargs: Any
    ) -> None:
        """Delete by point ids or a Milvus filter expression (``'doc_id == "x"'``)."""
        if ids is None and not filter:
            raise ValueError("MilvusLiteStore.delete needs ids=[...] or filter='...'")
        await asyncio.to_thread(
            self._client.delete,
            collection_name=self.collection_name,
            ids=ids,
            filter=filter or "",
            **kwargs,
        )

    async def count(self) -> int:
        """How many chunks are stored."""

        def run() -> int:
            with self._lock:
                if not self._open_collection(create=False):
                    return 0
            rows = self._client.query(
                collection_name=self.collection_name, filter="", output_fields=["count(*)"]
            )
            return int(rows[0]["count(*)"])

        return await asyncio.to_thread(run)

    async def close(self) -> None:
        """Close the client; the last store on a local file also stops its Milvus Lite
        server, so another process (a new kernel) can open the file."""
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._client.close)
        if self._local is not None:
            await asyncio.to_thread(release_local, self._local)

    def get_client(self) -> Any:
        return self._client


def _document(entity: dict[str, Any], score: float) -> Document:
    """A hit as a Document; rows written by AgentScope hold ``content`` as a dict and have no
    ``document_id`` or ``source``."""
    content = entity.get("content", "")
    if isinstance(content, str):
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        content = parsed if isinstance(parsed, dict) else {"type": "text", "text": content}
    meta = DocMetadata(
        content=content,
        doc_id=str(entity.get("doc_id", "")),
        chunk_id=int(entity.get("chunk_id", 0)),
        total_chunks=int(entity.get("total_chunks", 0)),
        source=str(entity.get("source") or ""),
    )
    doc = Document(metadata=meta, score=score)
    if entity.get("document_id"):
        doc.id = str(entity["document_id"])
    return doc
