"""Cut text into sentences to synthesize one at a time (and long ones into pieces).

Example:
    >>> split_sentences("Hi there. How are you?  Fine!")
    ['Hi there.', 'How are you?', 'Fine!']
    >>> complete_sentences("One. Two, th")
    (['One.'], 'Two, th')
"""

from __future__ import annotations

import re

_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*\n|\n(?=\s*[-*•\d])")
_SOFT = re.compile(r"(?<=[,;:])\s+")
MAX_CHARS = 300
MAX_WORDS = 40


def _cut_long(sentence: str) -> list[str]:
    if len(sentence) <= MAX_CHARS:
        return [sentence]
    pieces: list[str] = []
    for clause in _SOFT.split(sentence):
        words = clause.split()
        for start in range(0, len(words), MAX_WORDS):
            pieces.append(" ".join(words[start : start + MAX_WORDS]))
    return [p for p in pieces if p]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (pieces of at most ~300 characters), blanks dropped."""
    out: list[str] = []
    for part in _END.split(text):
        part = " ".join(part.split())
        if part:
            out.extend(_cut_long(part))
    return out


def complete_sentences(text: str) -> tuple[list[str], str]:
    """The sentences already finished in streamed ``text``, and the unfinished rest."""
    ends = list(_END.finditer(text))
    if not ends:
        if len(text) > MAX_CHARS * 2:  # no end in sight: speak what is there
            cut = text.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > 0 else MAX_CHARS
            return split_sentences(text[:cut]), text[cut:].lstrip()
        return [], text
    cut = ends[-1].end()
    return split_sentences(text[:cut]), text[cut:]
