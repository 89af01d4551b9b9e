"""``AlibabaCloudMySQLStore``: chunks in an AlibabaCloud RDS MySQL table with a ``VECTOR``
column and an HNSW vector index (AgentScope 1.0.21's API; ``mysql-connector-python``).

Scores are ``1 - distance`` (``VEC_DISTANCE_COSINE`` or ``VEC_DISTANCE_EUCLIDEAN``). Every
write is committed as one transaction (rolled back on error: whole or absent).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Literal

from ._document import DocMetadata, Document
from ._oceanbase import content_block
from ._store import VDBStoreBase, point_id

INSTALL_HINT = "AlibabaCloudMySQLStore needs mysql-connector-python: pip install 'ascope-nb[mysql]'"
DISTANCE_SQL = {"COSINE": "VEC_DISTANCE_COSINE", "EUCLIDEAN": "VEC_DISTANCE_EUCLIDEAN"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def vector_text(vector: list[float]) -> str:
    """``[1.0,2.0]``: the text ``VEC_FROMTEXT`` reads."""
    return "[" + ",".join(repr(float(v)) for v in vector) + "]"


class AlibabaCloudMySQLStore(VDBStoreBase):
    """A vector store in AlibabaCloud MySQL (RDS with vector support).

    Example:
        >>> store = AlibabaCloudMySQLStore(host="rm-x.mysql.rds.aliyuncs.com", port=3306,
        ...     user="u", password="p", database="db", table_name="chunks",
        ...     dimensions=384)  # doctest: +SKIP
    """

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        database: str,
        table_name: str,
        dimensions: int,
        distance: Literal["COSINE", "EUCLIDEAN"] = "COSINE",
        hnsw_m: int = 16,
        connection_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if distance not in DISTANCE_SQL:
            raise ValueError(
                f"AlibabaCloudMySQLStore: distance must be one of {list(DISTANCE_SQL)}"
            )
        if not NAME.match(table_name):
            raise ValueError(
                f"AlibabaCloudMySQLStore: table name {table_name!r} is not an identifier"
            )
        try:
            import mysql.connector
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        self.table_name = table_name
        self.dimensions = dimensions
        self.distance = distance
        self.hnsw_m = int(hnsw_m)
        self._conn = mysql.connector.connect(
            host=host,
            port=port,
            user=user,
            password=password,
            database=database,
            **(connection_kwargs or {}),
        )
        self._cursor = self._conn.cursor(dictionary=True)
        self._ready = False

    def get_client(self) -> Any:
        """The ``mysql.connector`` connection."""
        return self._conn

    def _transaction(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        try:
            for sql, params in statements:
                self._cursor.execute(sql, params)
            self._conn.commit()
        except Exception:
            self._conn.rollback()
            raise

    def _ensure_table(self) -> None:
        if self._ready:
            return
        sql = (
            f"CREATE TABLE IF NOT EXISTS {self.table_name} ("
            "id VARCHAR(64) PRIMARY KEY, "
            f"embedding VECTOR({int(self.dimensions)}) NOT NULL, "
            "doc_id VARCHAR(255) NOT NULL, chunk_id INT NOT NULL, content TEXT NOT NULL, "
            "total_chunks INT NOT NULL, INDEX idx_doc_id (doc_id), "
            f"VECTOR INDEX (embedding) M={self.hnsw_m} DISTANCE={self.distance.lower()}"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        )
        self._transaction([(sql, ())])
        self._ready = True

    async def add(self, documents: list[Document], **kwargs: Any) -> None:
        """Store (or replace) ``documents`` in one transaction."""
        statements = []
        sql = (
            f"INSERT INTO {self.table_name} "
            "(id, embedding, doc_id, chunk_id, content, total_chunks) "
            "VALUES (%s, VEC_FROMTEXT(%s), %s, %s, %s, %s) "
            "ON DUPLICATE KEY UPDATE embedding = VALUES(embedding), "
            "content = VALUES(content), total_chunks = VALUES(total_chunks)"
        )
        for doc in documents:
            if doc.embedding is None or len(doc.embedding) != self.dimensions:
                raise ValueError(
                    f"AlibabaCloudMySQLStore {self.table_name!r}: document "
                    f"{doc.metadata.doc_id!r} chunk {doc.metadata.chunk_id} needs an embedding "
                    f"of {self.dimensions} floats"
                )
            content = json.dumps(doc.metadata.content, ensure_ascii=False)
            params = (
                point_id(doc),
                vector_text(doc.embedding),
                doc.metadata.doc_id,
                doc.metadata.chunk_id,
                content,
                doc.metadata.total_chunks,
            )
            statements.append((sql, params))
        if not statements:
            return

        def write() -> None:
            self._ensure_table()
            self._transaction(statements)

        await asyncio.to_thread(write)

    async def search(
        self,
        query_embedding: list[float],
        limit: int,
        score_threshold: float | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """The ``limit`` nearest chunks scoring (``1 - distance``) at least ``score_threshold``."""
        function = DISTANCE_SQL[self.distance]
        sql = (
            f"SELECT id, doc_id, chunk_id, content, total_chunks, "
            f"{function}(embedding, VEC_FROMTEXT(%s)) AS distance FROM {self.table_name} "
            "ORDER BY distance ASC LIMIT %s"
        )

        def query() -> list[dict[str, Any]]:
            self._ensure_table()
            self._cursor.execute(sql, (vector_text(query_embedding), int(limit)))
            return list(self._cursor.fetchall())

        found = []
        for row in await asyncio.to_thread(query):
            score = 1.0 - float(row["distance"])
            if score_threshold is not None and score < score_threshold:
                continue
            meta = DocMetadata(
                content=content_block(row["content"]),
                doc_id=str(row["doc_id"]),
                chunk_id=int(row["chunk_id"]),
                total_chunks=int(row["total_chunks"]),
            )
            found.append(Document(metadata=meta, id=str(row.get("id", "")), score=score))
        return found

    async def delete(
        self,
        ids: list[str] | None = None,
        filter: str | None = None,  # noqa: A002  (AgentScope's name)
        **kwargs: Any,
    ) -> None:
        """Remove the rows with these ids, or those matching ``filter`` (a WHERE expression
        such as ``doc_id = "d1"``; one statement, no ``;``)."""
        if not ids and not filter:
            raise ValueError("AlibabaCloudMySQLStore.delete needs ids or filter")
        if filter is not None and ";" in filter:
            raise ValueError(f"AlibabaCloudMySQLStore.delete: filter {filter!r} contains ';'")
        statements: list[tuple[str, tuple[Any, ...]]] = []
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            statements.append((f"DELETE FROM {self.table_name} WHERE id IN ({marks})", tuple(ids)))
        if filter:
            statements.append((f"DELETE FROM {self.table_name} WHERE {filter}", ()))
        await asyncio.to_thread(self._transaction, statements)

    def close(self) -> None:
        """Close the cursor and the connection."""
        try:
            self._cursor.close()
        finally:
            self._conn.close()
