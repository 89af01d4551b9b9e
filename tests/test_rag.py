"""ascope_nb.rag and long-term memory with the real parts: the embedded MiniLM model, Qdrant
in embedded mode (memory and folder), pypdf; events seen by a subscriber."""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.embedding import LocalTextEmbedding
from ascope_nb.events import KnowledgeRetrieved, subscribe
from ascope_nb.exceptions import ConfigError
from ascope_nb.memory import LocalLongTermMemory
from ascope_nb.message import Msg
from ascope_nb.rag import Document, PDFReader, QdrantStore, SimpleKnowledge, TextReader
from ascope_nb.testing import ScriptedModel, tool_call

# 20 facts with a question each; the answer chunk must be among the top 3 of 200 documents
FACTS = [
    (
        "The Zarnak lighthouse was painted bright green in 1921 by the harbour guild.",
        "What colour was the Zarnak lighthouse painted?",
    ),
    (
        "Professor Imelda Quist discovered a blue fungus that glows in caves near Lake Orro.",
        "Who discovered the glowing fungus near Lake Orro?",
    ),
    (
        "The Velmor railway tunnel is 14 kilometres long and took nine years to dig.",
        "How long is the Velmor railway tunnel?",
    ),
    (
        "Baker Tomas Reyk sells a rye bread flavoured with caraway and honey every Sunday.",
        "What does Tomas Reyk bake on Sundays?",
    ),
    (
        "The city of Dunmere banned cars from its old town in 2009 to reduce air pollution.",
        "When did Dunmere ban cars from the old town?",
    ),
    (
        "The chess club of Halvik meets on Tuesday evenings in the public library basement.",
        "Where does the Halvik chess club meet?",
    ),
    (
        "Our server backups run every night at 2 a.m. and are kept for thirty days.",
        "How long are the server backups kept?",
    ),
    (
        "The Kessel river floods each spring when the snow on Mount Arden melts.",
        "Why does the Kessel river flood?",
    ),
    (
        "Violinist Sora Emberly plays a 1740 instrument made in Cremona.",
        "How old is Sora Emberly's violin?",
    ),
    (
        "The Pellham bridge is closed to trucks heavier than twelve tonnes.",
        "Which vehicles may not cross the Pellham bridge?",
    ),
    (
        "A tarsier can rotate its head almost 180 degrees to look behind itself.",
        "How far can a tarsier turn its head?",
    ),
    (
        "The annual kite festival in Brisa attracts forty thousand visitors every August.",
        "How many people visit the Brisa kite festival?",
    ),
    (
        "To reset the router, hold the small button on its back for ten seconds.",
        "How do I reset the router?",
    ),
    (
        "The Ostrava observatory telescope has a mirror two metres wide.",
        "How big is the mirror of the Ostrava telescope?",
    ),
    ("Ferns reproduce with spores instead of seeds.", "How do ferns reproduce?"),
    (
        "The museum's Egyptian wing reopened after renovation with a new mummy exhibit.",
        "What is new in the museum's Egyptian wing?",
    ),
    (
        "Espresso is brewed by forcing hot water through finely ground coffee under pressure.",
        "How is espresso made?",
    ),
    (
        "The marathon route passes the cathedral at kilometre 21.",
        "Where does the marathon pass the cathedral?",
    ),
    (
        "Invoices must be approved by the finance manager before payment.",
        "Who approves invoices before they are paid?",
    ),
    (
        "Penguins in Antarctica huddle together to survive winter storms.",
        "How do penguins survive Antarctic winter storms?",
    ),
]

SUBJECTS = [
    "The town council",
    "A local farmer",
    "The university",
    "An old sailor",
    "The zoo",
    "A software team",
    "The orchestra",
    "A football club",
    "The hospital",
    "A painter",
]
ACTIONS = [
    "announced a plan",
    "wrote a report",
    "organised a meeting",
    "bought new equipment",
    "opened a workshop",
    "published a study",
    "hired two people",
    "moved offices",
    "planted trees",
    "changed its schedule",
]
TOPICS = [
    "about recycling",
    "on the weather",
    "for the school",
    "near the market",
    "about taxes",
    "for the summer",
    "on Friday",
    "about the budget",
    "near the station",
]


def corpus() -> list[str]:
    rng = random.Random(7)
    filler = {
        f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(TOPICS)} (note {i})."
        for i in range(400)
    }
    docs = sorted(filler)[:180] + [fact for fact, _ in FACTS]
    rng.shuffle(docs)
    return docs


@pytest.fixture(scope="module")
def embedder() -> LocalTextEmbedding:
    return LocalTextEmbedding()


async def _knowledge(
    texts: list[str], embedder: LocalTextEmbedding, **store: str
) -> SimpleKnowledge:
    kb = SimpleKnowledge(
        embedding_store=QdrantStore(
            location=store.get("location", ":memory:"), collection_name="kb", dimensions=384
        ),
        embedding_model=embedder,
    )
    reader = TextReader(chunk_size=300, split_by="paragraph")
    docs: list[Document] = []
    for text in texts:
        docs.extend(await reader(text))
    await kb.add_documents(docs)
    return kb


async def test_right_chunk_in_top3_for_18_of_20(embedder: LocalTextEmbedding) -> None:
    texts = corpus()
    assert len(texts) == 200
    kb = await _knowledge(texts, embedder)
    hits = 0
    for fact, question in FACTS:
        found = await kb.retrieve(question, limit=3)
        assert len(found) == 3 and found[0].score is not None
        assert [d.score for d in found] == sorted((d.score or 0 for d in found), reverse=True)
        hits += any(d.metadata.content["text"] == fact for d in found)
    assert hits >= 18, f"only {hits} of 20 answers in the top 3"


async def test_score_threshold_and_persistent_folder(
    tmp_path: Path, embedder: LocalTextEmbedding
) -> None:
    kb = await _knowledge([f for f, _ in FACTS[:5]], embedder, location=str(tmp_path / "idx"))
    assert await kb.retrieve("quantum chromodynamics lattice", limit=3, score_threshold=0.6) == []
    await kb.embedding_store.close()  # type: ignore[attr-defined]
    again = SimpleKnowledge(
        embedding_store=QdrantStore(
            location=str(tmp_path / "idx"), collection_name="kb", dimensions=384
        ),
        embedding_model=embedder,
    )
    best = (await again.retrieve("Which colour is the Zarnak lighthouse?", limit=1))[0]
    assert best.metadata.content["text"] == FACTS[0][0] and best.metadata.doc_id


async def test_pdf_reader_real_file(tmp_path: Path) -> None:
    pdf = tmp_path / "notes.pdf"
    _write_pdf(pdf, ["The first page talks about owls. Owls hunt at night.", "Page two: foxes."])
    docs = await PDFReader(chunk_size=40, split_by="sentence")(str(pdf))
    texts = [d.metadata.content["text"] for d in docs]
    assert texts == ["The first page talks about owls.", "Owls hunt at night.", "Page two: foxes."]
    assert {d.metadata.total_chunks for d in docs} == {3}
    assert [d.metadata.chunk_id for d in docs] == [0, 1, 2]


def _write_pdf(path: Path, pages: list[str]) -> None:
    """A minimal valid PDF with one text line per page (no PDF writer library needed)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        page_no = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_no + 1} 0 R "
            f"/Resources << /Font << /F1 {len(pages) * 2 + 3} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(f"{page_no} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))


async def test_agent_retrieves_before_reasoning_and_emits_an_event(
    embedder: LocalTextEmbedding,
) -> None:
    kb = await _knowledge([f for f, _ in FACTS], embedder)
    model = ScriptedModel(["It was painted green."], stream=False)
    agent = ReActAgent(
        name="Ref",
        sys_prompt="Answer from the knowledge.",
        model=model,
        knowledge=kb,
        enable_rewrite_query=False,  # tests/test_knowledge_rewrite.py covers the rewrite
    )
    agent.set_console_output_enabled(False)
    seen: list[KnowledgeRetrieved] = []
    with subscribe(lambda e: seen.append(e) if isinstance(e, KnowledgeRetrieved) else None):
        from ascope_nb import start

        run = start(agent, Msg("user", "What colour was the Zarnak lighthouse painted?", "user"))
        reply = await run
    assert reply.get_text_content() == "It was painted green."
    memory = await agent.memory.get_memory()
    injected = memory[1].get_text_content() or ""
    assert injected.startswith("<retrieved_knowledge>") and FACTS[0][0] in injected
    assert len(seen) == 1 and seen[0].via == "reply" and seen[0].agent == "Ref"
    assert seen[0].run_id and seen[0].chunks[0]["text"] == FACTS[0][0]
    assert seen[0].chunks[0]["score"] > 0.5 and len(seen[0].chunks) == 5
    assert FACTS[0][0] in str(model.calls[0])  # the model saw the chunk


async def test_retrieve_knowledge_tool(embedder: LocalTextEmbedding) -> None:
    from ascope_nb import start
    from ascope_nb.tool import Toolkit

    kb = await _knowledge([f for f, _ in FACTS], embedder)
    toolkit = Toolkit()
    toolkit.register_tool_function(kb.retrieve_knowledge)
    model = ScriptedModel(
        [
            [tool_call("retrieve_knowledge", query="router reset", limit=2, score_threshold=0.3)],
            "Hold it.",
        ],
        stream=False,
    )
    agent = ReActAgent(name="T", sys_prompt="s", model=model, toolkit=toolkit)
    agent.set_console_output_enabled(False)
    seen: list[KnowledgeRetrieved] = []
    with subscribe(lambda e: seen.append(e) if isinstance(e, KnowledgeRetrieved) else None):
        await start(agent, Msg("user", "How do I reset my router?", "user"))
    result = (await agent.memory.get_memory())[2].get_content_blocks("tool_result")[0]
    assert "hold the small button" in str(result["output"])
    assert [e.via for e in seen] == ["tool"] and seen[0].query == "router reset"


def test_bad_options_are_one_line_errors() -> None:
    model = ScriptedModel(["x"])
    with pytest.raises(ConfigError, match="long_term_memory_mode"):
        ReActAgent(name="a", sys_prompt="s", model=model, long_term_memory_mode="sometimes")
    with pytest.raises(ConfigError, match="KnowledgeBase"):
        ReActAgent(name="a", sys_prompt="s", model=model, knowledge=["not a kb"])
    with pytest.raises(ValueError, match="chunk_size"):
        TextReader(chunk_size=0)


async def test_long_term_memory_agent_and_static_control(
    tmp_path: Path, embedder: LocalTextEmbedding
) -> None:
    ltm = LocalLongTermMemory(path=tmp_path / "mem", embedding_model=embedder)
    model = ScriptedModel(
        [
            [
                tool_call(
                    "record_to_memory",
                    thinking="a preference",
                    content=["Dana prefers tea over coffee"],
                )
            ],
            "Noted.",
            "You prefer tea.",
        ],
        stream=False,
    )
    agent = ReActAgent(
        name="Mem", sys_prompt="s", model=model, long_term_memory=ltm, long_term_memory_mode="both"
    )
    agent.set_console_output_enabled(False)
    assert {"record_to_memory", "retrieve_from_memory"} <= {
        s["function"]["name"] for s in agent.toolkit.get_json_schemas()
    }
    await agent(Msg("Dana", "Remember that I prefer tea over coffee.", "user"))
    texts = [e["text"] for e in ltm.entries()]
    assert "Dana prefers tea over coffee" in texts
    assert "Dana: Remember that I prefer tea over coffee." in texts  # static_control recorded
    await agent.memory.clear()
    await agent(Msg("Dana", "What do I like to drink?", "user"))
    recalled = (await agent.memory.get_memory())[1]
    assert recalled.name == "long_term_memory"
    assert "Dana prefers tea over coffee" in (recalled.get_text_content() or "")
    hits = await ltm.search("tea or coffee preference", limit=2)
    assert "Dana prefers tea over coffee" in [h["text"] for h in hits]
    assert all(h["score"] > 0.3 for h in hits)
    tool_out = await ltm.retrieve_from_memory(["tea"])
    assert "Dana prefers tea over coffee" in tool_out.content[0]["text"]
    await ltm.close()


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
async def test_memory_index_rebuilds_with_one_line(
    tmp_path: Path, embedder: LocalTextEmbedding, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    ltm = LocalLongTermMemory(path=tmp_path, embedding_model=embedder)
    await ltm.add(["The spare key is under the blue flowerpot", "Wifi password is on the fridge"])
    await ltm.close()
    index = tmp_path / "index"
    if damage == "missing":
        shutil.rmtree(index)
    else:
        for f in index.rglob("*"):
            if f.is_file():
                f.write_bytes(b"\x00garbage" * 10)
    fresh = LocalLongTermMemory(path=tmp_path, embedding_model=embedder)
    with caplog.at_level(logging.WARNING, logger="ascope_nb.memory._long_term"):
        hits = await fresh.search("where is the key hidden", limit=1)
    assert hits[0]["text"] == "The spare key is under the blue flowerpot"
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "rebuilding it from memories.jsonl (2 entries)" in lines[0]
    await fresh.close()
    if damage == "corrupt":
        assert list(tmp_path.glob("index.broken-*"))  # the damaged folder is kept aside


def test_memory_bad_record_lines_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "memories.jsonl").write_text('{"id": "a", "text": "ok"}\nnot json\n')
    ltm = LocalLongTermMemory(path=tmp_path, embedding_model=LocalTextEmbedding())
    with caplog.at_level(logging.WARNING):
        assert [e["text"] for e in ltm.entries()] == ["ok"]
    assert "line 2 is not JSON" in caplog.text
    asyncio.run(ltm.close())


def test_static_html_and_python_fold_show_retrievals() -> None:
    from ascope_nb.events import KnowledgeRetrieved, RunStarted, event_from_dict
    from ascope_nb.views._fold import RunFold
    from ascope_nb.views._html import run_html

    chunk = {
        "text": "Green <paint>",
        "score": 0.8123,
        "doc_id": "d",
        "chunk_id": 0,
        "source": "a.txt",
    }
    events = [
        RunStarted(run_id="r", agent="A", seq=0).to_dict(),
        KnowledgeRetrieved(run_id="r", agent="A", seq=1, query="colour?", chunks=[chunk]).to_dict(),
    ]
    assert event_from_dict(events[1]).chunks == [chunk]  # type: ignore[attr-defined]
    fold = RunFold().extend(events)
    assert [i["type"] for i in fold.items][-1] == "knowledge"
    html = run_html(events)
    assert '<b>Retrieved</b> for "colour?"' in html
    assert "0.812 a.txt</span> Green &lt;paint&gt;" in html


async def test_office_files_made_with_their_libraries(
    tmp_path: Path, embedder: LocalTextEmbedding
) -> None:
    import docx
    import openpyxl
    from pptx import Presentation
    from pptx.util import Inches

    from ascope_nb.rag import ExcelReader, PowerPointReader, WordReader

    word = docx.Document()
    word.add_paragraph("Quarterly report.")
    table = word.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Region", (0, 1): "Sales", (1, 0): "North", (1, 1): "42"}.items():
        table.cell(r, c).text = text
    word.add_paragraph("The north region sold the most umbrellas.")
    word.save(str(tmp_path / "report.docx"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Stock"
    for row in (["item", "count"], ["bolts", 120], ["nuts", 75]):
        sheet.append(row)
    book.save(str(tmp_path / "stock.xlsx"))
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Launch plan"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = "The rocket launches from the northern pad at dawn."
    deck.save(str(tmp_path / "plan.pptx"))

    word_docs = await WordReader(chunk_size=200, separate_table=True)(str(tmp_path / "report.docx"))
    assert [d.text for d in word_docs] == [
        "Quarterly report.",
        "| Region | Sales |\n| --- | --- |\n| North | 42 |",
        "The north region sold the most umbrellas.",
    ]
    excel_docs = await ExcelReader(include_cell_coordinates=True)(str(tmp_path / "stock.xlsx"))
    assert [d.text for d in excel_docs] == [
        "Sheet: Stock\n| [A1] bolts | [B1] 120 |\n| --- | --- |\n| [A2] nuts | [B2] 75 |"
    ]
    ppt_docs = await PowerPointReader()(str(tmp_path / "plan.pptx"))
    assert [d.text for d in ppt_docs] == [
        "<slide index=1>\nLaunch plan\nThe rocket launches from the northern pad at dawn.",
        "</slide>",  # a sentence ended before the closing tag, as in AgentScope
    ]
    assert {d.metadata.source for d in ppt_docs} == {str(tmp_path / "plan.pptx")}
    kb = SimpleKnowledge(
        embedding_store=QdrantStore(location=":memory:", collection_name="office", dimensions=384),
        embedding_model=embedder,
    )
    await kb.add_documents(word_docs + excel_docs + ppt_docs)
    best = (await kb.retrieve("when does the rocket take off?", limit=1))[0]
    assert best.metadata.source.endswith("plan.pptx")
    best = (await kb.retrieve("how many bolts are in stock?", limit=1))[0]
    assert best.metadata.source.endswith("stock.xlsx")


async def test_milvus_lite_store_file(tmp_path: Path, embedder: LocalTextEmbedding) -> None:
    from ascope_nb.rag import MilvusLiteStore

    kb = SimpleKnowledge(
        embedding_store=MilvusLiteStore(
            uri=str(tmp_path / "kb.db"), collection_name="facts", dimensions=384
        ),
        embedding_model=embedder,
    )
    docs = await TextReader(chunk_size=300, split_by="paragraph")(
        "\n".join(fact for fact, _ in FACTS[:6])
    )
    await kb.add_documents(docs)
    found = await kb.retrieve(FACTS[2][1], limit=2)
    assert found[0].text == FACTS[2][0] and found[0].score is not None
    assert found[0].score >= found[1].score  # type: ignore[operator]
    assert await kb.retrieve("zzz qqq", limit=2, score_threshold=0.99) == []


async def test_two_memories_on_one_folder_share_the_index(
    tmp_path: Path, embedder: LocalTextEmbedding
) -> None:
    first = LocalLongTermMemory(path=tmp_path, embedding_model=embedder)
    second = LocalLongTermMemory(path=tmp_path, embedding_model=embedder)
    await first.add(["The boiler is serviced every October"])
    assert (await second.search("when is the heating checked?", limit=1))[0]["text"] == (
        "The boiler is serviced every October"
    )
    await first.close()
    await second.add(["Bins go out on Thursday night"])  # still open for the second one
    await second.close()
    again = LocalLongTermMemory(path=tmp_path, embedding_model=embedder)
    assert len(again.entries()) == 2
    assert (await again.search("rubbish collection day", limit=1))[0]["text"] == (
        "Bins go out on Thursday night"
    )
    await again.close()


def test_knowledge_bench_runs_and_prints_its_row() -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "knowledge_bench.py"
    done = subprocess.run(
        [sys.executable, str(script), "--chunks", "300", "--no-minilm"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    row = [line.split() for line in done.stdout.splitlines() if line.startswith("ascope_nb")]
    assert len(row) == 1 and row[0][1] == "hash"
    assert float(row[0][2]) > 0 and float(row[0][4]) > 0  # chunks/s and query ms
