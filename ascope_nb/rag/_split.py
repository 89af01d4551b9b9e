"""Chunking text by characters, sentences or paragraphs (no download, no nltk)."""

from __future__ import annotations

import re
from typing import Literal

SplitBy = Literal["char", "sentence", "paragraph"]
# a sentence ends at . ! ? (runs of them, closing quotes/brackets) followed by whitespace
_SENTENCE_END = re.compile(r"(?:(?<=[.!?。！？])|(?<=[.!?。！？][\"'”’)\]]))\s+")


def check(chunk_size: int, split_by: str) -> None:
    """``ValueError`` for a bad chunking configuration (given at construction)."""
    if not isinstance(chunk_size, int) or chunk_size <= 0:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if split_by not in ("char", "sentence", "paragraph"):
        raise ValueError(
            f"split_by must be one of 'char', 'sentence' or 'paragraph', got {split_by!r}"
        )


def _cut(piece: str, size: int) -> list[str]:
    return [piece[i : i + size] for i in range(0, len(piece), size)]


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order (a line break alone does not end one); the spaces
    between sentences and at the end are dropped, a leading line break is kept."""
    return [s for s in _SENTENCE_END.split(text.rstrip()) if s.strip()]


def split_text(text: str, chunk_size: int, split_by: SplitBy) -> list[str]:
    """Chunks of at most ``chunk_size`` characters.

    Example:
        >>> split_text("One. Two! Three?", 10, "sentence")
        ['One.', 'Two!', 'Three?']
        >>> split_text("abcdefg", 3, "char")
        ['abc', 'def', 'g']
    """
    if split_by == "char":
        return _cut(text, chunk_size)
    units = sentences(text) if split_by == "sentence" else [p for p in text.split("\n") if p]
    return [chunk for unit in units for chunk in _cut(unit, chunk_size)]
