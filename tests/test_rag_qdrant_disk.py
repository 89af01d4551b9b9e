"""Indexing into an on-disk Qdrant folder (issue 27, item 11): batches are written in one
transaction, so a folder indexes at in-memory speed (not one disk sync per chunk), and
what ``add`` returned is on disk for the next client."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ascope_nb.rag import DocMetadata, Document, QdrantStore


def _docs(n: int, *, offset: int = 0) -> list[Document]:
    rng = np.random.default_rng(offset)
    out = []
    for i in range(offset, offset + n):
        vector = rng.standard_normal(8)
        out.append(
            Document(
                metadata=DocMetadata(
                    content={"type": "text", "text": f"chunk {i}"},
                    doc_id=f"d{i}",
                    chunk_id=0,
                    total_chunks=1,
                ),
                embedding=(vector / np.linalg.norm(vector)).tolist(),
            )
        )
    return out


async def _index_seconds(location: str, docs: list[Document]) -> float:
    store = QdrantStore(location=location, collection_name="c", dimensions=8)
    await store.add(docs[:1])  # the collection exists before the clock starts
    started = time.perf_counter()
    for i in range(0, len(docs), 250):
        await store.add(docs[i : i + 250])
    seconds = time.perf_counter() - started
    await store.close()
    return seconds


async def test_a_folder_indexes_near_memory_speed_and_keeps_every_chunk(tmp_path: Path) -> None:
    docs = _docs(1500)
    memory_s = await _index_seconds(":memory:", docs)
    folder = str(tmp_path / "kb")
    disk_s = await _index_seconds(folder, docs)
    # one disk sync per chunk took 7-25 s here for 1,500 chunks (60-228 chunks/s)
    assert disk_s < 4 * memory_s + 1.5, (disk_s, memory_s)
    reopened = QdrantStore(location=folder, collection_name="c", dimensions=8)
    assert await reopened.count() == 1500
    hits = await reopened.search(docs[1234].embedding, limit=1)
    assert hits[0].metadata.content["text"] == "chunk 1234"
    await reopened.add(_docs(10, offset=1500))  # a later client adds on top
    await reopened.delete(doc_id="d3")
    await reopened.close()
    again = QdrantStore(location=folder, collection_name="c", dimensions=8)
    assert await again.count() == 1509
    await again.close()


async def test_a_failed_batch_leaves_nothing_half_written(tmp_path: Path, monkeypatch) -> None:
    from qdrant_client.local import local_collection

    folder = str(tmp_path / "kb")
    store = QdrantStore(location=folder, collection_name="c", dimensions=8)
    await store.add(_docs(5))
    real = local_collection.LocalCollection._add_point
    calls = {"n": 0}

    def failing(self, point):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, point)

    monkeypatch.setattr(local_collection.LocalCollection, "_add_point", failing)
    try:
        await store.add(_docs(5, offset=100))
    except OSError:
        pass
    monkeypatch.setattr(local_collection.LocalCollection, "_add_point", real)
    await store.close()
    again = QdrantStore(location=folder, collection_name="c", dimensions=8)
    assert await again.count() == 5  # none of the failed batch reached the folder
    await again.close()
