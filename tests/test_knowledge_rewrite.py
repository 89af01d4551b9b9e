"""``ReActAgent(knowledge=..., enable_rewrite_query=True)``: the model rewrites the user's
query (a structured output) before retrieval, with the embedded MiniLM model and Qdrant;
the rewrite is on the ``KnowledgeRetrieved`` event and in the run view."""

from __future__ import annotations

import logging

import pytest

from ascope_nb import start
from ascope_nb.agent import ReActAgent
from ascope_nb.embedding import LocalTextEmbedding
from ascope_nb.events import KnowledgeRetrieved
from ascope_nb.message import Msg
from ascope_nb.rag import QdrantStore, SimpleKnowledge, TextReader
from ascope_nb.testing import Reply, ScriptedModel
from ascope_nb.views._fold import RunFold
from ascope_nb.views._html import run_html

NOTES = [
    "The Zarnak lighthouse was painted bright green in 1921 by the harbour guild.",
    "Baker Tomas Reyk sells a rye bread flavoured with caraway and honey every Sunday.",
    "The chess club of Halvik meets on Tuesday evenings in the public library basement.",
    "Our server backups run every night at 2 a.m. and are kept for thirty days.",
    "The Kessel river floods each spring when the snow on Mount Arden melts.",
]


@pytest.fixture(scope="module")
def embedder() -> LocalTextEmbedding:
    return LocalTextEmbedding()


async def notes(embedder: LocalTextEmbedding) -> SimpleKnowledge:
    kb = SimpleKnowledge(
        embedding_store=QdrantStore(location=":memory:", collection_name="n", dimensions=384),
        embedding_model=embedder,
    )
    await kb.add_documents(await TextReader(chunk_size=300, split_by="paragraph")("\n".join(NOTES)))
    return kb


def agent(model: ScriptedModel, kb: SimpleKnowledge, **options: bool) -> ReActAgent:
    a = ReActAgent(
        name="Ref", sys_prompt="Answer from the notes.", model=model, knowledge=kb, **options
    )
    a.set_console_output_enabled(False)
    return a


@pytest.mark.parametrize("stream", [False, True])
async def test_the_model_rewrites_the_query_before_retrieval(
    embedder: LocalTextEmbedding, stream: bool
) -> None:
    kb = await notes(embedder)
    model = ScriptedModel(
        [
            Reply(metadata={"rewritten_query": "What colour is the Zarnak lighthouse painted?"}),
            "Bright green.",
        ],
        stream=stream,
    )
    ref = agent(model, kb)
    await ref.memory.add(Msg("user", "Tell me about the Zarnak lighthouse.", "user"))
    await ref.memory.add(Msg("Ref", "It stands at the harbour.", "assistant"))
    run = start(ref, Msg("user", "And what colour is it?", "user"))
    reply = await run
    assert reply.get_text_content() == "Bright green."

    # the first call asked for the structured rewrite, with the conversation and a hint
    rewrite = model.calls[0]
    schema = rewrite.kwargs["structured_model"].model_json_schema()
    assert list(schema["properties"]) == ["rewritten_query"]
    assert rewrite.tools is None
    sent = str(rewrite.messages)
    assert "Tell me about the Zarnak lighthouse." in sent and "And what colour is it?" in sent
    assert "rewrite the user's last query" in str(rewrite.messages[-1])
    # the retrieval used the rewrite: the lighthouse note came first and reached the model
    found = [e for e in run.events if isinstance(e, KnowledgeRetrieved)]
    assert len(found) == 1
    assert found[0].query == "What colour is the Zarnak lighthouse painted?"
    assert found[0].original_query == "And what colour is it?"
    assert found[0].chunks[0]["text"] == NOTES[0]
    assert NOTES[0] in str(model.calls[1].messages)
    assert "structured_model" not in model.calls[1].kwargs
    # the rewriting call is not kept in the agent's memory
    texts = [m.get_text_content() or "" for m in await ref.memory.get_memory()]
    assert len(texts) == 5 and texts[3].startswith("<retrieved_knowledge>")
    assert not any("rewrite" in t for t in texts)

    # the run view shows both queries
    wire = [e.to_dict() for e in run.events]
    item = next(i for i in RunFold().extend(wire).items if i["type"] == "knowledge")
    assert item["query"] == found[0].query and item["original_query"] == "And what colour is it?"
    html = run_html(wire)
    assert (
        '<b>Retrieved</b> for "What colour is the Zarnak lighthouse painted?" '
        '<span class="meta">(rewritten from "And what colour is it?")</span>'
    ) in html


async def test_without_rewriting_the_users_text_is_the_query(embedder: LocalTextEmbedding) -> None:
    kb = await notes(embedder)
    model = ScriptedModel(["Thirty days."], stream=False)
    run = start(
        agent(model, kb, enable_rewrite_query=False),
        Msg("user", "How long are backups kept?", "user"),
    )
    await run
    assert len(model.calls) == 1 and "structured_model" not in model.calls[0].kwargs
    found = [e for e in run.events if isinstance(e, KnowledgeRetrieved)]
    assert found[0].query == "How long are backups kept?" and found[0].original_query == ""
    assert found[0].chunks[0]["text"] == NOTES[3]
    item = next(
        i
        for i in RunFold().extend([e.to_dict() for e in run.events]).items
        if i["type"] == "knowledge"
    )
    assert "original_query" not in item


async def test_a_failed_or_empty_rewrite_keeps_the_users_text(
    embedder: LocalTextEmbedding, caplog: pytest.LogCaptureFixture
) -> None:
    kb = await notes(embedder)
    model = ScriptedModel(
        [
            RuntimeError("structured output not supported"),
            "Tuesday evenings.",
            Reply(text="no structured answer"),
            "Sundays.",
        ],
        stream=False,
    )
    ref = agent(model, kb)
    with caplog.at_level(logging.WARNING, logger="ascope_nb.agent._knowledge"):
        run = start(ref, Msg("user", "When does the Halvik chess club meet?", "user"))
        assert (await run).get_text_content() == "Tuesday evenings."
    warnings = [r.getMessage() for r in caplog.records if "not rewritten" in r.getMessage()]
    assert warnings == ["Ref: query not rewritten (RuntimeError: structured output not supported)"]
    found = [e for e in run.events if isinstance(e, KnowledgeRetrieved)]
    assert found[0].query == "When does the Halvik chess club meet?"
    assert found[0].original_query == "" and found[0].chunks[0]["text"] == NOTES[2]

    run = start(ref, Msg("user", "What does Tomas Reyk bake?", "user"))  # no metadata
    assert (await run).get_text_content() == "Sundays."
    found = [e for e in run.events if isinstance(e, KnowledgeRetrieved)]
    assert found[0].query == "What does Tomas Reyk bake?" and found[0].original_query == ""
