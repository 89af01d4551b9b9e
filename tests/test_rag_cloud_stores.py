"""The cloud RAG stores (AlibabaCloud MySQL, MongoDB Atlas, OceanBase) against fakes of their
SDK clients (cloud services: faked, as AgentScope's tests do): writes are whole or absent,
bad input is one line."""

from __future__ import annotations

import sys
import types
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import pytest

from ascope_nb.rag import (
    AlibabaCloudMySQLStore,
    DocMetadata,
    Document,
    MongoDBStore,
    OceanBaseStore,
)


def doc(chunk: int, embedding: list[float] | None) -> Document:
    meta = DocMetadata({"type": "text", "text": f"chunk {chunk}"}, "d1", chunk, 3)
    return Document(metadata=meta, embedding=embedding)


class FakeCursor:
    def __init__(self, fail_on: int | None = None) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.fail_on = fail_on
        self.rows: list[dict[str, Any]] = []

    def execute(self, sql: str, params: Any = ()) -> None:
        if self.fail_on is not None and len(self.statements) == self.fail_on:
            raise RuntimeError("Lost connection to MySQL server during query")
        self.statements.append((sql, params))

    def fetchall(self) -> list[dict[str, Any]]:
        return self.rows

    def close(self) -> None:
        pass


@pytest.fixture
def mysql(monkeypatch: pytest.MonkeyPatch) -> MagicMock:
    connector = MagicMock()
    package = types.ModuleType("mysql")
    package.connector = connector  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mysql", package)
    monkeypatch.setitem(sys.modules, "mysql.connector", connector)
    return connector


async def test_mysql_batch_is_rolled_back_whole_when_a_row_fails(mysql: MagicMock) -> None:
    cursor = FakeCursor()
    mysql.connect.return_value.cursor.return_value = cursor
    store = AlibabaCloudMySQLStore("h", 3306, "u", "pw", "db", "chunks", dimensions=2)
    cursor.fail_on = 2  # CREATE TABLE, first INSERT, then the second INSERT fails
    with pytest.raises(RuntimeError, match="Lost connection"):
        await store.add([doc(0, [0.1, 0.2]), doc(1, [0.3, 0.4])])
    conn = mysql.connect.return_value
    assert conn.rollback.called and conn.commit.call_count == 1  # only the CREATE TABLE
    cursor.fail_on = None
    cursor.rows = [
        {"id": "x", "doc_id": "d1", "chunk_id": 0, "total_chunks": 3, "distance": 0.1,
         "content": '{"type": "text", "text": "chunk 0"}'},
        {"id": "y", "doc_id": "d1", "chunk_id": 1, "total_chunks": 3, "distance": 0.6,
         "content": '{"type": "text", "text": "chunk 1"}'},
    ]  # fmt: skip
    found = await store.search([0.1, 0.2], limit=5, score_threshold=0.5)
    assert [(d.text, round(d.score or 0, 2)) for d in found] == [("chunk 0", 0.9)]


async def test_mysql_refuses_bad_input_before_any_sql(mysql: MagicMock) -> None:
    cursor = FakeCursor()
    mysql.connect.return_value.cursor.return_value = cursor
    with pytest.raises(ValueError, match="table name 'a; DROP' is not an identifier"):
        AlibabaCloudMySQLStore("h", 3306, "u", "pw", "db", "a; DROP", dimensions=2)
    store = AlibabaCloudMySQLStore("h", 3306, "u", "pw", "db", "chunks", dimensions=2)
    with pytest.raises(ValueError, match=r"document 'd1' chunk 1 needs an embedding of 2 floats"):
        await store.add([doc(0, [0.1, 0.2]), doc(1, [0.1])])
    with pytest.raises(ValueError, match="contains ';'"):
        await store.delete(filter="1=1; DROP TABLE chunks")
    assert cursor.statements == []


async def test_mongodb_and_oceanbase_check_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    pymongo = MagicMock()
    monkeypatch.setitem(sys.modules, "pymongo", pymongo)
    mongo = MongoDBStore("mongodb://h", "db", "c", dimensions=3)
    with pytest.raises(ValueError, match="needs an embedding of 3 floats"):
        await mongo.add([doc(0, None)])
    collection = pymongo.AsyncMongoClient.return_value.get_database.return_value
    assert not collection.create_collection.called  # nothing was written
    pyobvector = types.SimpleNamespace(MilvusLikeClient=MagicMock())
    monkeypatch.setitem(sys.modules, "pyobvector", pyobvector)
    ocean = OceanBaseStore("c", dimensions=2)
    with pytest.raises(ValueError, match="needs an embedding of 2 floats"):
        await ocean.add([doc(0, [1.0, 2.0, 3.0])])
    assert not pyobvector.MilvusLikeClient.return_value.insert.called
    with pytest.raises(ValueError, match="needs ids, where or where_document"):
        await ocean.delete()
    mongo._client.close = AsyncMock()
    await mongo.close()
