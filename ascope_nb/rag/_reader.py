"""Readers: turn a text, a file or a PDF into chunked ``Document`` objects."""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from typing import Any

from ..exceptions import ConfigError
from ._document import DocMetadata, Document
from ._split import SplitBy, check, split_text


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_documents(chunks: list[str], doc_id: str, source: str = "") -> list[Document]:
    """One ``Document`` per chunk, all with the document id ``doc_id``."""
    return [
        Document(
            id=doc_id,
            metadata=DocMetadata(
                content={"type": "text", "text": chunk},
                doc_id=doc_id,
                chunk_id=i,
                total_chunks=len(chunks),
                source=source,
            ),
        )
        for i, chunk in enumerate(chunks)
    ]


def need(module: str, package: str) -> Any:
    """Import ``module`` or raise ``ConfigError`` naming the package and the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{package} is needed for this reader: pip install 'ascope-nb[knowledge]'"
        ) from None


class ReaderBase(ABC):
    """Reads input into chunked documents (AgentScope 1.x ``ReaderBase``)."""

    @abstractmethod
    async def __call__(self, *args: Any, **kwargs: Any) -> list[Document]:
        """The chunks of the input."""

    @abstractmethod
    def get_doc_id(self, *args: Any, **kwargs: Any) -> str:
        """A stable id for the input (to check whether it is already indexed)."""


class TextReader(ReaderBase):
    """Chunks a string, or the UTF-8 file it names, by characters, sentences or paragraphs.

    Args:
        chunk_size: The most characters in one chunk.
        split_by: ``"char"``, ``"sentence"`` (ends at . ! ? followed by a space) or
            ``"paragraph"`` (each non-empty line); units longer than ``chunk_size`` are cut.

    Example:
        >>> import asyncio
        >>> docs = asyncio.run(TextReader(chunk_size=10, split_by="char")("abcdefghijkl"))
        >>> [d.metadata.content["text"] for d in docs]
        ['abcdefghij', 'kl']
    """

    def __init__(self, chunk_size: int = 512, split_by: SplitBy = "sentence") -> None:
        check(chunk_size, split_by)
        self.chunk_size = chunk_size
        self.split_by: SplitBy = split_by

    async def __call__(self, text: str) -> list[Document]:
        source = ""
        if len(text) < 4096 and os.path.isfile(text):
            source = text
            with open(text, encoding="utf-8") as fh:
                text = fh.read()
        chunks = split_text(text, self.chunk_size, self.split_by)
        return text_documents(chunks, sha256_text(text), source)

    def get_doc_id(self, text: str) -> str:
        return sha256_text(text)


class PDFReader(ReaderBase):
    """Chunks the text of a PDF (pages joined by a blank line) with ``pypdf``.

    Example:
        >>> PDFReader(chunk_size=200).chunk_size
        200
    """

    def __init__(self, chunk_size: int = 512, split_by: SplitBy = "sentence") -> None:
        check(chunk_size, split_by)
        self.chunk_size = chunk_size
        self.split_by: SplitBy = split_by

    async def __call__(self, pdf_path: str) -> list[Document]:
        pypdf = need("pypdf", "pypdf")
        reader = pypdf.PdfReader(pdf_path)
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        return text_documents(
            split_text(text, self.chunk_size, self.split_by), self.get_doc_id(pdf_path), pdf_path
        )

    def get_doc_id(self, pdf_path: str) -> str:
        return sha256_text(pdf_path)
