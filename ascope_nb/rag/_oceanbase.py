"""``OceanBaseStore``: chunks in an OceanBase vector collection through ``pyobvector``'s
Milvus-like client (AgentScope 1.0.21's API).

Fields: ``id`` (primary key), ``embedding``, ``doc_id``, ``chunk_id``, ``total_chunks``,
``content`` (the block, JSON). Scores: COSINE -> ``1 - distance``; L2 and IP -> the value the
server returns (as AgentScope does).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from ._document import DocMetadata, Document
from ._store import VDBStoreBase, point_id

INSTALL_HINT = "OceanBaseStore needs pyobvector: pip install 'ascope-nb[oceanbase]'"
METRICS = {"COSINE": "cosine", "L2": "l2", "IP": "inner_product"}
SEARCH_METRICS = {"IP": "ip"}
FIELDS = ["doc_id", "chunk_id", "total_chunks", "content"]


def import_pyobvector() -> Any:
    try:
        import pyobvector
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return pyobvector


def content_block(value: Any) -> dict[str, Any]:
    """A stored ``content`` value (a dict, its JSON, or plain text) as a content block."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return {"type": "text", "text": str(value)}
    if isinstance(value, dict):
        return value
    return {"type": "text", "text": "" if value is None else str(value)}


class OceanBaseStore(VDBStoreBase):
    """A vector store in OceanBase (``MilvusLikeClient`` from pyobvector).

    Example:
        >>> store = OceanBaseStore("chunks", 384, uri="127.0.0.1:2881")  # doctest: +SKIP
        >>> await store.add(documents)  # doctest: +SKIP
    """

    def __init__(
        self,
        collection_name: str,
        dimensions: int,
        uri: str = "127.0.0.1:2881",
        user: str = "root@test",
        password: str = "",
        db_name: str = "test",
        distance: Literal["COSINE", "L2", "IP"] = "COSINE",
        client_kwargs: dict[str, Any] | None = None,
        collection_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if distance not in METRICS:
            raise ValueError(f"OceanBaseStore: distance must be one of {list(METRICS)}")
        self._pyobvector = import_pyobvector()
        self.collection_name = collection_name
        self.dimensions = dimensions
        self.distance = distance
        self.collection_kwargs = collection_kwargs or {}
        self._client = self._pyobvector.MilvusLikeClient(
            uri=uri, user=user, password=password, db_name=db_name, **(client_kwargs or {})
        )
        self._ready = False

    def get_client(self) -> Any:
        """The ``pyobvector.MilvusLikeClient``."""
        return self._client

    def _ensure_collection(self) -> None:
        if self._ready:
            return
        if not self._client.has_collection(self.collection_name):
            types = self._pyobvector.DataType
            schema = self._client.create_schema()
            schema.add_field(
                field_name="id", datatype=types.VARCHAR, is_primary=True, max_length=64
            )
            schema.add_field(
                field_name="embedding", datatype=types.FLOAT_VECTOR, dim=self.dimensions
            )
            schema.add_field(field_name="doc_id", datatype=types.VARCHAR, max_length=256)
            schema.add_field(field_name="chunk_id", datatype=types.INT64)
            schema.add_field(field_name="total_chunks", datatype=types.INT64)
            schema.add_field(field_name="content", datatype=types.JSON)
            index = self._client.prepare_index_params()
            index.add_index(
                field_name="embedding",
                index_type="HNSW",
                index_name="embedding_idx",
                metric_type=METRICS[self.distance],
            )
            self._client.create_collection(
                collection_name=self.collection_name,
                schema=schema,
                index_params=index,
                **self.collection_kwargs,
            )
        self._ready = True

    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        """Store ``documents`` (each with its embedding of ``dimensions`` floats)."""
        rows = []
        for doc in documents:
            if doc.embedding is None or len(doc.embedding) != self.dimensions:
                raise ValueError(
                    f"OceanBaseStore {self.collection_name!r}: document {doc.metadata.doc_id!r} "
                    f"chunk {doc.metadata.chunk_id} needs an embedding of {self.dimensions} floats"
                )
            rows.append(
                {
                    "id": point_id(doc),
                    "embedding": list(doc.embedding),
                    "doc_id": doc.metadata.doc_id,
                    "chunk_id": doc.metadata.chunk_id,
                    "total_chunks": doc.metadata.total_chunks,
                    "content": dict(doc.metadata.content),
                }
            )
        if not rows:
            return

        def write() -> None:
            self._ensure_collection()
            self._client.insert(collection_name=self.collection_name, data=rows)

        await asyncio.to_thread(write)

    def _score(self, row: dict[str, Any], fields: list[str]) -> float | None:
        if "distance" in row and "distance" not in fields:
            distance = row["distance"]
        else:
            extra = [k for k in row if k not in fields]
            distance = row[extra[-1]] if extra else None
        if distance is None:
            return None
        return 1.0 - float(distance) if self.distance == "COSINE" else float(distance)

    async def search(
        self,
        query_embedding: list[float],
        limit: int,
        score_threshold: float | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """The ``limit`` nearest chunks scoring at least ``score_threshold``."""
        fields = list(dict.fromkeys([*(kwargs.pop("output_fields", None) or []), *FIELDS]))
        params = dict(kwargs.pop("search_params", None) or {})
        params.setdefault("metric_type", SEARCH_METRICS.get(self.distance, METRICS[self.distance]))

        def query() -> list[dict[str, Any]]:
            self._ensure_collection()
            return list(
                self._client.search(
                    collection_name=self.collection_name,
                    data=list(query_embedding),
                    anns_field="embedding",
                    limit=limit,
                    with_dist=True,
                    output_fields=fields,
                    search_params=params,
                    **kwargs,
                )
            )

        found = []
        for row in await asyncio.to_thread(query):
            score = self._score(row, fields)
            if score_threshold is not None and (score is None or score < score_threshold):
                continue
            meta = DocMetadata(
                content=content_block(row.get("content")),
                doc_id=str(row.get("doc_id", "")),
                chunk_id=int(row.get("chunk_id") or 0),
                total_chunks=int(row.get("total_chunks") or 0),
            )
            found.append(Document(metadata=meta, score=score))
        return found

    async def delete(
        self,
        ids: list[str] | None = None,
        where: Any | None = None,
        where_document: Any | None = None,
        **kwargs: Any,
    ) -> None:
        """Remove the chunks with these ids, or those matching ``where`` (a pyobvector
        filter expression, its ``flter``)."""
        if ids is None and where is None and where_document is None:
            raise ValueError("OceanBaseStore.delete needs ids, where or where_document")
        condition = where if where is not None else where_document

        def remove() -> None:
            self._client.delete(
                collection_name=self.collection_name, ids=ids, flter=condition, **kwargs
            )

        await asyncio.to_thread(remove)
