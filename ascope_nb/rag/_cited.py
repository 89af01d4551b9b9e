"""``CitedSearch``: a knowledge-base search tool whose chunks carry citation labels.

A research agent searches a local corpus with ``search_corpus``; every chunk it is shown gets
a label (``[S1]``, ``[S2]``, ... in order of first retrieval, the same label when the chunk
comes back), so its report can cite ``[S2]`` and the report cell can resolve each citation to
the chunk: source file, chunk number, text. Citations of labels the agent was never shown are
reported, not silently kept.

Example:
    >>> import asyncio
    >>> from ascope_nb.rag import Document, DocMetadata
    >>> class Fixed:
    ...     async def retrieve(self, query, limit=4, score_threshold=None):
    ...         meta = DocMetadata({"type": "text", "text": "Cold froze the cells."}, "d1", 0, 1,
    ...                            source="notes/battery.md")
    ...         return [Document(metadata=meta, score=0.8)]
    >>> search = CitedSearch(Fixed())
    >>> print(asyncio.run(search.search_corpus("why did it fail")).content[0]["text"])
    [S1] notes/battery.md, chunk 1/1 (score 0.80): Cold froze the cells.
    >>> search.report("It froze [S1]; see also [S9].").unknown
    ['S9']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

from ._knowledge import emit_retrieval

_CITE = re.compile(r"\[(S\d+)\]")


@dataclass(frozen=True)
class Source:
    """One cited chunk: its label, where it comes from, and its text."""

    label: str
    source: str
    doc_id: str
    chunk_id: int
    total_chunks: int
    text: str

    @property
    def where(self) -> str:
        """``file, chunk i/n`` (1-based)."""
        return f"{self.source or self.doc_id[:12]}, chunk {self.chunk_id + 1}/{self.total_chunks}"


@dataclass
class Report:
    """A report's text with its citations resolved (``sources`` cited, ``unknown`` labels the
    agent was never shown); displays as HTML with numbered sources, and as plain text."""

    text: str
    sources: list[Source]
    unknown: list[str]

    def markdown(self) -> str:
        lines = [self.text, "", "Sources:"]
        lines += [f"[{s.label}] {s.where}: {s.text}" for s in self.sources]
        if self.unknown:
            lines.append(f"Not found in the searches: {', '.join(self.unknown)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = _CITE.sub(
            lambda m: f'<sup><a href="#cite-{m.group(1)}">[{m.group(1)}]</a></sup>',
            escape(self.text),
        )
        items = "".join(
            f'<li id="cite-{s.label}"><b>[{s.label}]</b> <i>{escape(s.where)}</i>: '
            f"{escape(s.text)}</li>"
            for s in self.sources
        )
        bad = (
            f'<p style="color:#c62828">Cited but never retrieved: {escape(", ".join(self.unknown))}</p>'
            if self.unknown
            else ""
        )
        return f'<div class="ascope-report"><p style="white-space:pre-wrap">{body}</p><ol style="list-style:none;padding-left:0">{items}</ol>{bad}</div>'

    def __repr__(self) -> str:
        return self.markdown()


class CitedSearch:
    """Wraps a ``KnowledgeBase`` (anything with ``async retrieve(query, limit, ...)``); register
    ``search_corpus`` as the agent's tool, then turn its answer into a ``Report``.

    Each retrieval is also a ``knowledge_retrieved`` event, so the run view shows it.
    """

    def __init__(self, knowledge: Any, *, limit: int = 4) -> None:
        self.knowledge = knowledge
        self.limit = limit
        self.sources: dict[str, Source] = {}
        self._by_chunk: dict[tuple[str, int], str] = {}

    async def search_corpus(self, query: str, limit: int = 4) -> Any:
        """Search the local corpus. Each result starts with a label such as [S3]: cite the
        labels of the results your report relies on.

        Args:
            query (str): A specific search query (names and terms, not pronouns).
            limit (int): How many chunks to return (at most 10).
        """
        from ..tool import ToolResponse

        docs = await self.knowledge.retrieve(query=query, limit=max(1, min(int(limit), 10)))
        emit_retrieval(query, docs, via="tool")
        if not docs:
            return ToolResponse(content=[{"type": "text", "text": f"No results for {query!r}."}])
        lines = []
        for doc in docs:
            src = self._label(doc)
            score = "" if doc.score is None else f" (score {doc.score:.2f})"
            lines.append(f"[{src.label}] {src.where}{score}: {src.text}")
        return ToolResponse(content=[{"type": "text", "text": "\n".join(lines)}])

    def _label(self, doc: Any) -> Source:
        meta = doc.metadata
        key = (str(meta.doc_id), int(meta.chunk_id))
        label = self._by_chunk.get(key)
        if label is None:
            label = f"S{len(self.sources) + 1}"
            self._by_chunk[key] = label
            self.sources[label] = Source(
                label=label,
                source=str(getattr(meta, "source", "") or ""),
                doc_id=key[0],
                chunk_id=key[1],
                total_chunks=int(getattr(meta, "total_chunks", 1) or 1),
                text=str(meta.content.get("text", "")),
            )
        return self.sources[label]

    def report(self, text: str) -> Report:
        """``text`` (the agent's answer) with its ``[S#]`` citations resolved, in order of
        first citation."""
        cited = list(dict.fromkeys(_CITE.findall(text)))
        known = [self.sources[c] for c in cited if c in self.sources]
        return Report(text=text, sources=known, unknown=[c for c in cited if c not in self.sources])


__all__ = ["CitedSearch", "Report", "Source"]
