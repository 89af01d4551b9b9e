"""Indexing into an on-disk Qdrant folder (embedded mode) against Qdrant in memory.

Only the store's cost: the documents come with their vectors (a zero-cost embedding), and
``QdrantStore.add`` takes them in batches of ``--batch`` as ``SimpleKnowledge.add_documents``
hands them over. Prints chunks/s for each location and, for the folder, that a new client
reads every chunk back (the folder is complete and durable when ``add`` returns).

Example:
    $ python benchmarks/qdrant_disk_bench.py --chunks 20000
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from ascope_nb.rag import DocMetadata, Document, QdrantStore

DIMENSIONS = 384


def documents(n: int) -> list[Document]:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, DIMENSIONS)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [
        Document(
            metadata=DocMetadata(
                content={"type": "text", "text": f"chunk {i}: agent tool memory model store"},
                doc_id=f"d{i // 10}",
                chunk_id=i % 10,
                total_chunks=10,
            ),
            embedding=vectors[i].tolist(),
        )
        for i in range(n)
    ]


async def index(location: str, docs: list[Document], batch: int) -> float:
    store = QdrantStore(location=location, collection_name="bench", dimensions=DIMENSIONS)
    started = time.perf_counter()
    for i in range(0, len(docs), batch):
        await store.add(docs[i : i + batch])
    seconds = time.perf_counter() - started
    await store.close()
    return seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    docs = documents(args.chunks)
    memory_s = await index(":memory:", docs, args.batch)
    with tempfile.TemporaryDirectory() as tmp:
        folder = str(Path(tmp) / "kb")
        disk_s = await index(folder, docs, args.batch)
        reopened = QdrantStore(location=folder, collection_name="bench", dimensions=DIMENSIONS)
        stored = await reopened.count()
        await reopened.close()
    print("| location | chunks | seconds | chunks/s |")
    print("|---|---|---|---|")
    print(f"| memory | {args.chunks} | {memory_s:.2f} | {args.chunks / memory_s:,.0f} |")
    print(f"| folder | {args.chunks} | {disk_s:.2f} | {args.chunks / disk_s:,.0f} |")
    print(f"folder read back by a new client: {stored} of {args.chunks} chunks")


if __name__ == "__main__":
    asyncio.run(main())
