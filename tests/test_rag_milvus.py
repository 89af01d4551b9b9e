"""MilvusLiteStore on a real Milvus Lite database (the installed milvus-lite: 2.5.1 with the
``milvus`` extra, a single file; 3.x keeps a folder), reopened from a new process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.rag import DocMetadata, Document, MilvusLiteStore
from ascope_nb.rag._milvus_lite import milvus_lite_major

ROOT = Path(__file__).resolve().parents[1]


def chunk(text: str, doc_id: str, chunk_id: int, vector: list[float]) -> Document:
    meta = DocMetadata({"type": "text", "text": text}, doc_id, chunk_id, 2, source=f"{doc_id}.md")
    return Document(metadata=meta, embedding=vector)


async def test_add_search_delete_and_reopen_in_a_new_process(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    store = MilvusLiteStore(uri=str(db), collection_name="notes", dimensions=3)
    assert await store.count() == 0
    assert await store.search([0.1, 0.2, 0.3], limit=3) == []  # no collection yet
    docs = [
        chunk("Backups run nightly.", "ops", 0, [0.1, 0.2, 0.3]),
        chunk("The lighthouse is green.", "ops", 1, [0.9, 0.1, 0.4]),
        chunk("Tea is served at four.", "home", 0, [0.0, 1.0, 0.0]),
    ]
    await store.add(docs)
    await store.add(docs[:1])  # the same chunk again is stored once
    assert await store.count() == 3

    found = await store.search([0.15, 0.25, 0.35], limit=3)
    assert [d.text for d in found] == [
        "Backups run nightly.",
        "The lighthouse is green.",
        "Tea is served at four.",
    ]
    assert round(found[0].score or 0, 4) == 0.9974  # cosine
    assert [d.id for d in found] == [docs[0].id, docs[1].id, docs[2].id]
    assert found[0].metadata.source == "ops.md" and found[1].metadata.chunk_id == 1
    only = await store.search([0.15, 0.25, 0.35], limit=3, score_threshold=0.8)
    assert [d.text for d in only] == ["Backups run nightly."]

    await store.delete(filter='doc_id == "home"')
    assert await store.count() == 2
    with pytest.raises(ValueError, match="needs ids"):
        await store.delete()
    await store.close()
    # milvus-lite 2.x keeps one file (as AgentScope's test expects); 3.x a folder
    assert db.is_file() if milvus_lite_major() < 3 else db.is_dir()

    reader = textwrap.dedent(
        f"""
        import asyncio, json
        from ascope_nb.rag import MilvusLiteStore

        async def main():
            store = MilvusLiteStore(uri={str(db)!r}, collection_name="notes", dimensions=3)
            hits = await store.search([0.9, 0.1, 0.4], limit=5)
            print(json.dumps([[d.text, round(d.score, 4)] for d in hits]))
            await store.close()

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", reader],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    hits = json.loads(done.stdout.strip().splitlines()[-1])
    assert [text for text, _ in hits] == ["The lighthouse is green.", "Backups run nightly."]
    assert hits[0][1] == 1.0


async def test_two_stores_on_one_file_and_close_twice(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")
    first = MilvusLiteStore(uri=db, collection_name="a", dimensions=3)
    second = MilvusLiteStore(uri=db, collection_name="b", dimensions=3)
    await first.add([chunk("alpha", "x", 0, [1.0, 0.0, 0.0])])
    await first.close()
    await first.close()
    await second.add([chunk("beta", "y", 0, [0.0, 1.0, 0.0])])  # the server is still up
    assert [d.text for d in await second.search([0.0, 1.0, 0.0], limit=1)] == ["beta"]
    await second.close()


async def test_reads_and_extends_a_collection_written_as_agentscope_does(tmp_path: Path) -> None:
    """AgentScope's MilvusLiteStore keeps integer ids and ``content`` as a dict."""
    from pymilvus import MilvusClient

    db = str(tmp_path / "agentscope.db")
    store = MilvusLiteStore(uri=db, collection_name="kb", dimensions=3)
    client = store.get_client()
    assert isinstance(client, MilvusClient)
    client.create_collection(collection_name="kb", dimension=3, metric_type="COSINE")
    row = {"doc_id": "d1", "chunk_id": 0, "total_chunks": 1}
    content = {"type": "text", "text": "written by AgentScope"}
    client.insert(
        collection_name="kb",
        data=[{"id": 12345, "vector": [0.1, 0.2, 0.3], **row, "content": content}],
    )
    await store.add([chunk("written by ascope_nb", "d2", 0, [0.3, 0.2, 0.1])])
    found = await store.search([0.1, 0.2, 0.3], limit=2)
    assert [d.text for d in found] == ["written by AgentScope", "written by ascope_nb"]
    assert found[0].metadata.doc_id == "d1" and found[0].metadata.source == ""
    assert await store.count() == 2
    await store.close()


async def test_a_database_of_the_other_milvus_lite_or_a_missing_folder_is_one_line(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        MilvusLiteStore(uri=str(tmp_path / "nowhere" / "x.db"), collection_name="c", dimensions=3)
    other = tmp_path / "other.db"
    if milvus_lite_major() < 3:
        other.mkdir()  # how milvus-lite 3.x keeps a database
        expected = "is a milvus-lite 3.x database folder"
    else:
        other.write_bytes(b"\0" * 64)  # how milvus-lite 2.x keeps one
        expected = "is a milvus-lite 2.x database file"
    with pytest.raises(ConfigError, match=expected) as err:
        MilvusLiteStore(uri=str(other), collection_name="c", dimensions=3)
    assert "\n" not in str(err.value)
