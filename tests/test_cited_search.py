"""``CitedSearch``: labelled chunks from a real knowledge base (embedded model, in-memory
Qdrant), stable labels, citations resolved back to chunks, unknown citations flagged, the
retrievals as run events, and a research agent whose report cites what it searched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ascope_nb.rag import CitedSearch, QdrantStore, SimpleKnowledge, TextReader

CORPUS = Path(__file__).resolve().parents[1] / "notebooks" / "corpus" / "heron"


@pytest.fixture(scope="module")
def kb() -> SimpleKnowledge:
    import asyncio

    from ascope_nb.embedding import LocalTextEmbedding

    base = SimpleKnowledge(
        embedding_store=QdrantStore(location=":memory:", collection_name="t", dimensions=384),
        embedding_model=LocalTextEmbedding(),
    )

    async def index() -> None:
        for path in sorted(CORPUS.glob("*.md")):
            await base.add_documents(await TextReader(chunk_size=300)(str(path)))

    asyncio.run(index())
    return base


async def test_labels_are_stable_and_resolve_to_chunks(kb: SimpleKnowledge) -> None:
    search = CitedSearch(kb)
    first = (await search.search_corpus("why did the battery fail in the cold", limit=2)).content
    again = (await search.search_corpus("why did the battery fail in the cold", limit=2)).content
    assert first == again  # the same chunks keep their labels
    labels = re.findall(r"^\[(S\d+)\]", first[0]["text"], re.M)
    assert labels == ["S1", "S2"] and list(search.sources) == ["S1", "S2"]
    cold = next(s for s in search.sources.values() if "cannot be charged" in s.text)
    assert cold.source.endswith("test_log.md") and cold.total_chunks > 1
    report = search.report(f"It was the cold [{cold.label}]; and magic [S7] [{cold.label}].")
    assert [s.label for s in report.sources] == [cold.label] and report.unknown == ["S7"]
    assert f'id="cite-{cold.label}"' in report._repr_html_()
    assert "Cited but never retrieved: S7" in report._repr_html_()
    assert "test_log.md, chunk" in repr(report)


async def test_limit_is_clamped_and_nothing_found_is_said(kb: SimpleKnowledge) -> None:
    search = CitedSearch(kb)
    text = (await search.search_corpus("heron", limit=99)).content[0]["text"]
    assert len(text.splitlines()) >= 10 and len(search.sources) == 10

    class Empty:
        async def retrieve(self, query: str, limit: int = 4, **kwargs: object) -> list:
            return []

    empty = CitedSearch(Empty())
    assert (await empty.search_corpus("x")).content[0]["text"] == "No results for 'x'."
    assert empty.report("no citations").sources == []


async def test_a_research_agent_cites_what_it_searched(kb: SimpleKnowledge) -> None:
    import ascope_nb
    from ascope_nb.agent import ReActAgent
    from ascope_nb.message import Msg
    from ascope_nb.testing import FunctionModel, tool_call
    from ascope_nb.tool import Toolkit

    search = CitedSearch(kb)

    def model(messages: list[dict], tools: object) -> object:
        results = [m for m in messages if m.get("role") == "tool"]
        if not results:
            return ["1. Find the fix.", tool_call("search_corpus", query="battery heating pad fix")]
        text = str(results[-1]["content"])
        label = re.search(r"\[(S\d+)\][^\n]*heating pad", text)
        assert label is not None
        return f"A heating pad fixed it [{label.group(1)}]."

    toolkit = Toolkit()
    toolkit.register_tool_function(search.search_corpus)
    agent = ReActAgent("Researcher", "Plan, search, cite.", FunctionModel(model), toolkit=toolkit)
    run = ascope_nb.start(agent, Msg("user", "What fixed the battery?", "user"), store=False)
    reply = await run
    report = search.report(reply.get_text_content())
    assert report.unknown == [] and "heating pad" in report.sources[0].text
    retrieved = [e for e in run.events if e.kind == "knowledge_retrieved"]
    assert len(retrieved) == 1 and retrieved[0].via == "tool"
    assert retrieved[0].query == "battery heating pad fix"
