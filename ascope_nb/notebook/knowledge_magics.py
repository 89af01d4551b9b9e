"""The ``%knowledge`` line magic: index files, search them, and look at the long-term memory.

::

    %knowledge add docs/ notes.pdf report.docx sheet.xlsx deck.pptx [--name notes]
    %knowledge search how do I export runs? [--name notes] [--limit 5]
    %knowledge memory [QUERY] [--limit 20] [--agent NAME]
    %knowledge list

A knowledge base lives in ``.ascope/knowledge/NAME`` next to the run store (embedded Qdrant,
the offline MiniLM model), so a new kernel finds it again; pass it to an agent with
``ReActAgent(..., knowledge=notebook_knowledge("notes"))``. Mistakes are one line.
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..exceptions import AscopeError, ConfigError
from ._result_table import ResultTable

_USAGE = (
    "%knowledge add PATH... [--name N] [--chunk-size N] [--split-by sentence|paragraph|char] | "
    "%knowledge search QUERY [--name N] [--limit N] | "
    "%knowledge memory [QUERY] [--limit N] [--agent NAME] | "
    "%knowledge list"
)
TEXT_SUFFIXES = {".txt", ".md", ".rst", ".markdown", ".py", ".csv", ".json", ".yaml", ".yml"}
SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx", ".xlsx", ".pptx"}
_BASES: dict[str, Any] = {}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"%knowledge: {message} (usage: {_USAGE})")


def knowledge_dir() -> Path:
    """``$ASCOPE_KNOWLEDGE``, else ``knowledge/`` next to the run store (``.ascope/knowledge``)."""
    from ..memory._long_term import ascope_dir

    env = os.environ.get("ASCOPE_KNOWLEDGE")
    return Path(env).expanduser() if env else ascope_dir() / "knowledge"


def notebook_knowledge(name: str = "notes") -> Any:
    """The notebook's knowledge base ``name`` (created empty on first use, kept on disk).

    Example:
        >>> kb = notebook_knowledge("notes")  # doctest: +SKIP
        >>> agent = ReActAgent(name="A", sys_prompt="...", model=m, knowledge=kb)  # doctest: +SKIP
    """
    if not name.isidentifier():
        raise ConfigError(f"%knowledge: the name must be an identifier, got {name!r}")
    if name not in _BASES:
        from ..embedding import LocalTextEmbedding
        from ..rag import QdrantStore, SimpleKnowledge

        folder = knowledge_dir() / name
        folder.parent.mkdir(parents=True, exist_ok=True)
        store = QdrantStore(location=str(folder), collection_name=name, dimensions=384)
        _BASES[name] = SimpleKnowledge(embedding_store=store, embedding_model=LocalTextEmbedding())
    return _BASES[name]


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            out.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ConfigError(
                    f"%knowledge add: {raw!r} is not a supported file ({', '.join(sorted(SUFFIXES))})"
                )
            out.append(path)
        else:
            raise ConfigError(f"%knowledge add: no such file or folder {raw!r}")
    return out


@dataclass
class AddReport:
    """What ``add_paths`` did: files indexed, chunks added, and each file that failed."""

    files: int = 0
    chunks: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)


async def add_paths(
    paths: list[str],
    *,
    name: str = "notes",
    chunk_size: int = 512,
    split_by: str = "sentence",
    progress: Callable[[str], None] | None = None,
    progress_every: float = 5.0,
) -> AddReport:
    """Index the files (folders: every supported file in them). A file that cannot be read
    is reported (``AddReport.failed``) and the others are indexed; ``progress`` gets a line
    every ``progress_every`` seconds while the work goes on."""
    from ..rag import ExcelReader, PDFReader, PowerPointReader, ReaderError, TextReader, WordReader

    files = _files(paths)
    kb = notebook_knowledge(name)
    readers = {
        ".pdf": PDFReader(chunk_size, split_by),  # type: ignore[arg-type]
        ".docx": WordReader(chunk_size, split_by, include_image=False),  # type: ignore[arg-type]
        ".xlsx": ExcelReader(chunk_size, split_by),  # type: ignore[arg-type]
        ".pptx": PowerPointReader(chunk_size, split_by, include_image=False),  # type: ignore[arg-type]
    }
    text_reader = TextReader(chunk_size, split_by)  # type: ignore[arg-type]
    report = AddReport()
    last = time.monotonic()
    for number, path in enumerate(files, 1):
        reader = readers.get(path.suffix.lower(), text_reader)
        try:
            docs = await reader(str(path))
        except ReaderError as exc:
            report.failed.append((str(path), str(exc)))
            continue
        for doc in docs:
            doc.metadata.source = os.path.relpath(path)
        if docs:
            await kb.add_documents(docs)
        report.files += 1
        report.chunks += len(docs)
        if progress is not None and time.monotonic() - last >= progress_every:
            last = time.monotonic()
            progress(f"knowledge {name!r}: {number}/{len(files)} file(s), {report.chunks} chunk(s)")
    return report


async def search_table(query: str, *, name: str = "notes", limit: int = 5) -> ResultTable:
    """The best chunks for ``query`` as a table: rank, score, source, text."""
    docs = await notebook_knowledge(name).retrieve(query, limit=limit)
    rows = [
        [i + 1, f"{d.score:.3f}", d.metadata.source or d.metadata.doc_id[:12], d.text]
        for i, d in enumerate(docs)
    ]
    return ResultTable(f"knowledge {name!r}: {query}", ["rank", "score", "source", "text"], rows)


async def memory_table(query: str = "", *, limit: int = 20) -> ResultTable:
    """The long-term memory (``.ascope/memory``): all entries, or the best matches of ``query``."""
    from ..memory import LocalLongTermMemory

    ltm = LocalLongTermMemory()
    try:
        if query:
            hits = await ltm.search(query, limit=limit)
            rows = [[f"{h['score']:.3f}", h.get("agent", ""), h["text"]] for h in hits]
            return ResultTable(f"long-term memory: {query}", ["score", "agent", "text"], rows)
        entries = ltm.entries()[-limit:]
        rows = [[e.get("agent", ""), e.get("kind", ""), e["text"]] for e in entries]
        return ResultTable(
            f"long-term memory ({len(ltm.entries())} entries)", ["agent", "kind", "text"], rows
        )
    finally:
        await ltm.close()


def _run(coro: Any) -> Any:
    from ..mcp._loop import run_sync

    return run_sync(coro)


@magics_class
class KnowledgeMagics(Magics):
    """``%knowledge``: add files to a knowledge base, search it, show the long-term memory."""

    @line_magic
    def knowledge(self, line: str) -> Any:
        """%knowledge add PATH... | search QUERY | memory [QUERY] | list"""
        try:
            return self._dispatch(line)
        except AscopeError as exc:
            raise UsageError(str(exc)) from None

    def _dispatch(self, line: str) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise ConfigError(f"%knowledge: cannot parse the line ({exc})") from None
        if not words:
            raise ConfigError(f"usage: {_USAGE}")
        action, rest = words[0], words[1:]
        parser = _Parser(prog=f"%knowledge {action}", add_help=False, allow_abbrev=False)
        parser.add_argument("words", nargs="*")
        parser.add_argument("--name", default="notes")
        parser.add_argument("--limit", type=int, default=5 if action == "search" else 20)
        parser.add_argument("--agent", default="")
        parser.add_argument("--chunk-size", type=int, default=512)
        parser.add_argument(
            "--split-by", choices=["sentence", "paragraph", "char"], default="sentence"
        )
        opts = parser.parse_args(rest)
        if action == "add":
            if not opts.words:
                raise ConfigError("%knowledge add: give at least one file or folder")
            report = _run(
                add_paths(
                    opts.words,
                    name=opts.name,
                    chunk_size=opts.chunk_size,
                    split_by=opts.split_by,
                    progress=lambda line: print(line, flush=True),
                )
            )
            total = _run(notebook_knowledge(opts.name).embedding_store.count())
            for _path, reason in report.failed:
                print(f"skipped: {reason}")
            skipped = f", {len(report.failed)} file(s) skipped" if report.failed else ""
            print(
                f"knowledge {opts.name!r}: added {report.chunks} chunk(s) from {report.files} "
                f"file(s){skipped} ({total} in all)"
            )
            return None
        if action == "search":
            if not opts.words:
                raise ConfigError("%knowledge search: give a query")
            return _run(search_table(" ".join(opts.words), name=opts.name, limit=opts.limit))
        if action == "memory" and opts.agent:
            from ._long_term_table import long_term_memory_of, long_term_table

            namespace = self.shell.user_ns if self.shell is not None else {}
            memory = long_term_memory_of(namespace, opts.agent)
            query = " ".join(opts.words)
            return _run(long_term_table(memory, query, owner=opts.agent, limit=opts.limit))
        if action == "memory":
            return _run(memory_table(" ".join(opts.words), limit=opts.limit))
        if action == "list":
            folder = knowledge_dir()
            names = (
                sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
            )
            counts = [_run(notebook_knowledge(n).embedding_store.count()) for n in names]
            rows = [[n, c] for n, c in zip(names, counts, strict=True)]
            return ResultTable(f"knowledge bases in {folder}", ["name", "chunks"], rows)
        raise ConfigError(f"%knowledge: unknown action {action!r} (usage: {_USAGE})")


def register_knowledge_magics(ipython: Any) -> None:
    """Register ``%knowledge`` (called by ``load_ipython_extension``)."""
    ipython.register_magics(KnowledgeMagics)
