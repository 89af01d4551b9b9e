"""Readers, ``%knowledge add`` and the long-term memory tools under bad input (issue 27:
items 2, 8 and 13), with the real parts: python-docx files, the embedded MiniLM model and
an on-disk Qdrant folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascope_nb.embedding import LocalTextEmbedding
from ascope_nb.memory import LocalLongTermMemory
from ascope_nb.rag import (
    ExcelReader,
    PDFReader,
    PowerPointReader,
    ReaderError,
    TextReader,
    WordReader,
)

SECRET = "OPENAI_API_KEY=sk-do-not-index-me-0123456789"


def _texts(docs) -> list[str]:
    return [d.metadata.content.get("text", "") for d in docs]


async def test_a_docx_paragraph_naming_a_local_file_is_indexed_as_text(tmp_path: Path) -> None:
    import docx

    secret = tmp_path / "secrets.txt"
    secret.write_text(SECRET, encoding="utf-8")
    word = docx.Document()
    word.add_paragraph("Quarterly report.")
    word.add_paragraph(str(secret))  # a shared document naming a file on the reader's disk
    word.save(str(tmp_path / "shared.docx"))
    docs = await WordReader(chunk_size=200, include_image=False)(str(tmp_path / "shared.docx"))
    text = " ".join(_texts(docs))
    assert SECRET not in text  # the file was read and indexed before
    assert str(secret) in text


async def test_text_reader_reads_a_named_file_and_refuses_a_missing_one(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Tea at five. Coffee at nine.", encoding="utf-8")
    docs = await TextReader(chunk_size=100)(str(notes))  # AgentScope's "text or path"
    assert _texts(docs) == ["Tea at five.", "Coffee at nine."]
    assert docs[0].metadata.source == str(notes)
    missing = str(tmp_path / "notse.txt")
    with pytest.raises(ReaderError, match="no such file") as info:
        await TextReader()(missing)  # was indexed as the text "…/notse.txt" before
    assert missing in str(info.value) and "\n" not in str(info.value)
    assert _texts(await TextReader().chunk_text(str(notes))) == [str(notes)]
    assert _texts(await TextReader()("Plain words, no file.")) == ["Plain words, no file."]


@pytest.mark.parametrize(
    ("reader", "suffix"),
    [
        (TextReader(), ".txt"),
        (PDFReader(), ".pdf"),
        (WordReader(), ".docx"),
        (ExcelReader(), ".xlsx"),
        (PowerPointReader(), ".pptx"),
    ],
)
async def test_reader_errors_name_the_file(tmp_path: Path, reader, suffix: str) -> None:
    bad = tmp_path / f"broken{suffix}"
    bad.write_bytes(b"caf\xe9 \xff\xfe not a real file")
    with pytest.raises(ReaderError) as info:
        await reader(str(bad))
    message = str(info.value)
    assert str(bad) in message and "\n" not in message
    assert type(reader).__name__ in message


@pytest.fixture
def knowledge_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASCOPE_KNOWLEDGE", str(tmp_path / "kb"))
    return tmp_path


def _folder(root: Path) -> Path:
    folder = root / "docs"
    folder.mkdir()
    (folder / "a_first.md").write_text("Tea is brewed at five o'clock.", encoding="utf-8")
    (folder / "b_latin1.txt").write_bytes(
        "Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e.".encode("latin-1")
    )
    (folder / "c_third.txt").write_text("The ferry leaves at nine.", encoding="utf-8")
    (folder / "d_broken.docx").write_bytes(b"not a zip file")
    (folder / "e_last.md").write_text("Backups run nightly.", encoding="utf-8")
    return folder


def test_knowledge_add_folder_goes_on_past_unreadable_files(
    knowledge_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ascope_nb.notebook.knowledge_magics import KnowledgeMagics, _run, search_table

    folder = _folder(knowledge_home)
    KnowledgeMagics(shell=None)._dispatch(f"add {folder} --name faults")
    out = capsys.readouterr().out.strip().splitlines()
    skipped = [line for line in out if line.startswith("skipped:")]
    assert len(skipped) == 2
    assert "b_latin1.txt" in skipped[0] and "not UTF-8" in skipped[0]
    assert "d_broken.docx" in skipped[1] and "WordReader" in skipped[1]
    assert out[-1] == (
        "knowledge 'faults': added 3 chunk(s) from 3 file(s), 2 file(s) skipped (3 in all)"
    )
    table = _run(search_table("When do backups run?", name="faults", limit=1))
    assert "Backups run nightly." in repr(table)  # the file after the failures was indexed


async def test_add_paths_reports_progress_on_long_work(knowledge_home: Path) -> None:
    from ascope_nb.notebook.knowledge_magics import add_paths

    folder = _folder(knowledge_home)
    lines: list[str] = []
    report = await add_paths(
        [str(folder)], name="progress", progress=lines.append, progress_every=0.0
    )
    assert (report.files, report.chunks, len(report.failed)) == (3, 3, 2)
    assert lines[-1] == "knowledge 'progress': 5/5 file(s), 3 chunk(s)"


async def test_record_to_memory_keeps_a_string_as_one_memory(tmp_path: Path) -> None:
    ltm = LocalLongTermMemory(path=tmp_path / "mem", embedding_model=LocalTextEmbedding())
    try:
        await ltm.record_to_memory("t", "Alice likes tea")  # one memory per letter before
        assert [e["text"] for e in ltm.entries()] == ["Alice likes tea"]
        found = await ltm.retrieve_from_memory("Alice")
        assert "Alice likes tea" in found.content[0]["text"]
    finally:
        await ltm.close()
