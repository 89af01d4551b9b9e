"""Readers: turn a text, a file or a PDF into chunked ``Document`` objects.

A file that cannot be read raises ``ReaderError``, one line naming the file. Readers never
treat document content as a path: only a ``TextReader`` called directly by the user reads
the file its argument names (AgentScope's "text or path"); the Office readers chunk their
paragraphs with ``TextReader.chunk_text``, which never looks at the file system.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from ..exceptions import AscopeError, ConfigError
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


class ReaderError(AscopeError, ValueError):
    """A file could not be read into documents; the message names the file."""


@contextlib.contextmanager
def reading(path: str, what: str) -> Iterator[None]:
    """Turn any failure while reading ``path`` into one ``ReaderError`` line naming it."""
    try:
        yield
    except (ReaderError, ConfigError):
        raise
    except UnicodeDecodeError as exc:
        raise ReaderError(
            f"{what}: {path!r} is not UTF-8 text (byte {exc.object[exc.start : exc.start + 1]!r} "
            f"at offset {exc.start}); save it as UTF-8"
        ) from None
    except FileNotFoundError:
        raise ReaderError(f"{what}: no such file {path!r}") from None
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ReaderError(f"{what}: cannot read {path!r}: {type(exc).__name__}: {first}") from None


# a short one-line text ending in a file suffix ("notes/todo.txt", "~/a.md"): a path, not text
_PATH_LIKE = re.compile(r"[^\s]{0,1000}\.(txt|md|markdown|rst|csv|json|jsonl|ya?ml|py|log|html?)")


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

    Called directly, a string naming an existing file reads that file (AgentScope's "text or
    path"); a one-line string that looks like a file path (``notes/todo.txt``) but names no
    file raises ``ReaderError`` instead of being indexed as text. ``chunk_text`` chunks a
    string as text, always (what other readers and code handling untrusted text use).

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
        if len(text) < 4096 and "\n" not in text and os.path.isfile(text):
            with reading(text, "TextReader"), open(text, encoding="utf-8") as fh:
                content = fh.read()
            return self._documents(content, source=text)
        if _PATH_LIKE.fullmatch(text.strip()):
            raise ReaderError(
                f"TextReader: no such file {text.strip()!r} (to index this string as text, "
                "use TextReader.chunk_text)"
            )
        return self._documents(text)

    async def chunk_text(self, text: str) -> list[Document]:
        """The chunks of ``text`` itself (never read as a file path).

        Example:
            >>> import asyncio, os
            >>> docs = asyncio.run(TextReader().chunk_text(os.devnull))
            >>> docs[0].metadata.content["text"] == os.devnull
            True
        """
        return self._documents(text)

    def _documents(self, text: str, source: str = "") -> list[Document]:
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
        with reading(pdf_path, "PDFReader"):
            reader = pypdf.PdfReader(pdf_path)
            text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        return text_documents(
            split_text(text, self.chunk_size, self.split_by), self.get_doc_id(pdf_path), pdf_path
        )

    def get_doc_id(self, pdf_path: str) -> str:
        return sha256_text(pdf_path)
