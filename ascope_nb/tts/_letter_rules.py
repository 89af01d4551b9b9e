"""A last-resort reading of an English word the lexicon lacks (names, new words).

Greedy longest-match letter rules in misaki's phoneme letters, the stress on the first
vowel. Rough, but it says ``Jupyter`` as a word rather than spelling it out.

Example:
    >>> guess_misaki("Jupyter")
    'ʤˈupɪtəɹ'
"""

from __future__ import annotations

_RULES: dict[str, str] = {
    "tion": "ʃən", "sion": "ʒən", "ture": "ʧəɹ", "igh": "I", "ough": "O", "eigh": "A",
    "tch": "ʧ", "sch": "sk", "ch": "ʧ", "sh": "ʃ", "th": "θ", "ph": "f", "wh": "w", "ck": "k",
    "qu": "kw", "ng": "ŋ", "gh": "ɡ", "kn": "n", "wr": "ɹ", "dg": "ʤ",
    "ee": "i", "ea": "i", "ie": "i", "oo": "u", "ou": "W", "ow": "O", "ai": "A", "ay": "A",
    "oi": "Y", "oy": "Y", "au": "ɔ", "aw": "ɔ", "ew": "ju", "ei": "A", "ey": "A", "ue": "u",
    "oa": "O", "er": "əɹ", "ir": "ɜɹ", "ur": "ɜɹ", "ar": "ɑɹ", "or": "ɔɹ",
    "a": "æ", "b": "b", "c": "k", "d": "d", "e": "ɛ", "f": "f", "g": "ɡ", "h": "h", "i": "ɪ",
    "j": "ʤ", "k": "k", "l": "l", "m": "m", "n": "n", "o": "ɑ", "p": "p", "q": "k", "r": "ɹ",
    "s": "s", "t": "t", "u": "u", "v": "v", "w": "w", "x": "ks", "y": "ɪ", "z": "z",
}  # fmt: skip
_VOWEL_PHONES = set("æɛɪɑʌəuiAIOWYɔɜ")
_MAGIC_E = {"a": "A", "e": "i", "i": "I", "o": "O", "u": "u"}


def guess_misaki(word: str) -> str:
    """Phonemes for ``word`` by letter rules (misaki's letters, one primary stress)."""
    low = "".join(ch for ch in word.lower() if "a" <= ch <= "z")
    out: list[str] = []
    i = 0
    while i < len(low):
        # a vowel, one consonant, then a final e: the vowel says its name (make, Jupyter no)
        if (
            low[i] in _MAGIC_E
            and i + 2 == len(low) - 1
            and low[-1] == "e"
            and low[i + 1] not in "aeiouy"
        ):
            out += [_MAGIC_E[low[i]], _RULES[low[i + 1]]]
            break
        for size in (4, 3, 2, 1):
            piece = low[i : i + size]
            if len(piece) == size and piece in _RULES:
                if piece == "c" and low[i + 1 : i + 2] in ("e", "i", "y"):
                    out.append("s")
                elif piece == "y" and i == 0:
                    out.append("j")
                elif piece == "e" and i == len(low) - 1 and i > 1:
                    pass  # a silent final e
                else:
                    out.append(_RULES[piece])
                i += size
                break
    phones = "".join(out)
    phones = "".join(
        ch for k, ch in enumerate(phones) if k == 0 or ch != phones[k - 1] or ch in _VOWEL_PHONES
    )
    for k, ch in enumerate(phones):
        if ch in _VOWEL_PHONES:
            return phones[:k] + "ˈ" + phones[k:]
    return phones
