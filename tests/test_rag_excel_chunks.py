"""A multi-chunk Excel workbook, from the user's side: every chunk is its own Document (own
id, one doc id, numbered chunks) and a store keeps every one of them (Qdrant and Milvus Lite),
with the embedded MiniLM model."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascope_nb.embedding import LocalTextEmbedding
from ascope_nb.rag import ExcelReader, MilvusLiteStore, QdrantStore, SimpleKnowledge

FRUIT = ["apples", "pears", "plums", "cherries", "quinces", "apricots", "figs", "medlars"]
TOOLS = ["hammers", "chisels", "saws", "planes", "drills", "clamps", "files", "rasps"]


def workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    fruit = book.active
    fruit.title = "Orchard"
    fruit.append(["item", "crates", "picked by"])
    for i, name in enumerate(FRUIT * 3):
        fruit.append([f"{name} lot {i}", 10 + i, f"picker {i % 5}"])
    tools = book.create_sheet("Workshop")
    tools.append(["tool", "count", "shelf"])
    for i, name in enumerate(TOOLS * 3):
        tools.append([f"{name} box {i}", 3 + i, f"shelf {i % 4}"])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def embedder() -> LocalTextEmbedding:
    return LocalTextEmbedding()


@pytest.mark.parametrize("separate_sheet", [False, True])
async def test_every_chunk_of_a_workbook_is_a_document_of_its_own(
    tmp_path: Path, embedder: LocalTextEmbedding, separate_sheet: bool
) -> None:
    path = str(workbook(tmp_path / "inventory.xlsx"))
    docs = await ExcelReader(chunk_size=200, split_by="char", separate_sheet=separate_sheet)(path)
    assert len(docs) >= 8  # two sheets of 24 rows in chunks of at most 200 characters
    assert len({d.id for d in docs}) == len(docs)
    assert {d.metadata.doc_id for d in docs} == {ExcelReader().get_doc_id(path)}
    assert {d.metadata.source for d in docs} == {path}
    assert all(len(d.text) <= 200 for d in docs)
    text = "".join(d.text for d in docs)
    assert "medlars lot 23" in text and "rasps box 23" in text
    if separate_sheet:  # chunk ids restart with each sheet, as in AgentScope
        firsts = [d for d in docs if d.metadata.chunk_id == 0]
        assert [d.text.split("\n")[0] for d in firsts] == ["Sheet: Orchard", "Sheet: Workshop"]
    else:
        assert [d.metadata.chunk_id for d in docs] == list(range(len(docs)))
        assert {d.metadata.total_chunks for d in docs} == {len(docs)}

    stores = [
        QdrantStore(location=":memory:", collection_name="inv", dimensions=384),
        MilvusLiteStore(uri=str(tmp_path / "inv.db"), collection_name="inv", dimensions=384),
    ]
    for store in stores:
        kb = SimpleKnowledge(embedding_store=store, embedding_model=embedder)
        await kb.add_documents(docs)
        assert await store.count() == len(docs)
        await kb.add_documents(docs)  # the same file indexed twice is stored once
        assert await store.count() == len(docs)
        found = await kb.retrieve("how many boxes of chisels are there?", limit=len(docs))
        assert sorted(d.id for d in found) == sorted(d.id for d in docs)
        assert "chisels" in found[0].text
        await store.close()
