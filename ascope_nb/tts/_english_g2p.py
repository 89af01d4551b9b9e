"""English text to espeak-style IPA without espeak-ng: misaki's US lexicon plus simple rules.

Piper voices are trained on espeak-ng's IPA. espeak-ng is GPL, so the default install reads
the pronunciations from misaki's Apache-2.0 lexicons (``us_gold.json``, ``us_silver.json``,
about 180,000 words, data only: no spaCy, no espeak fallback) and converts misaki's phoneme
letters to espeak's. A word the lexicon lacks is tried as a plural / past / gerund / adverb
of a known stem, then as two known words, then spelled out letter by letter.

Example:
    >>> english_to_ipa("Hello world.")  # doctest: +SKIP
    'həlˈoʊ wˈɜːld.'
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from ..exceptions import ConfigError
from ._letter_rules import guess_misaki
from ._numbers import expand_numbers

# misaki's phoneme letters -> espeak-ng en-us IPA (multi-letter rules first)
_MISAKI_TO_ESPEAK: tuple[tuple[str, str], ...] = (
    ("ɜɹ", "ɜː"),
    ("əɹ", "ɚ"),
    ("A", "eɪ"),
    ("I", "aɪ"),
    ("O", "oʊ"),
    ("W", "aʊ"),
    ("Y", "ɔɪ"),
    ("Q", "əʊ"),
    ("ʤ", "dʒ"),
    ("ʧ", "tʃ"),
    ("ᵊ", "ə"),
    ("u", "uː"),
    ("ɑ", "ɑː"),
    ("ɔ", "ɔː"),
    ("T", "ɾ"),
)
_MISAKI_MAP = dict(_MISAKI_TO_ESPEAK)
_MISAKI_PATTERN = re.compile("|".join(re.escape(src) for src, _ in _MISAKI_TO_ESPEAK))
_STRESSED_I = re.compile(r"(?<=[ˈˌ])i")
# weak forms espeak uses where misaki's lexicon has the strong (letter) reading
_WEAK = {"a": "ɐ", "the": "ðə", "an": "ɐn", "to": "tə"}
_VOICELESS = set("ptkfθ")
_SIBILANT = ("s", "z", "ʃ", "ʒ", "ʧ", "ʤ")
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|[.,!?;:]")
_SYMBOLS = {"&": " and ", "%": " percent ", "+": " plus ", "=": " equals ", "@": " at "}

_lock = threading.Lock()


_loaded: dict[str, str] = {}


def _lexicon() -> dict[str, str]:
    """misaki's US gold and silver lexicons (gold wins), one pronunciation per word; read
    once per process (concurrent first callers wait for one load)."""
    if _loaded:
        return _loaded
    from importlib.resources import files

    try:
        files("misaki")
    except ImportError:
        raise ConfigError(
            "LocalTTSModel needs misaki (its English lexicon), which is not installed: "
            "pip install 'ascope-nb[voice-local]'"
        ) from None
    with _lock:
        if _loaded:
            return _loaded
        merged: dict[str, str] = {}
        for name in ("us_silver.json", "us_gold.json"):
            data = files("misaki").joinpath("data").joinpath(name).read_text(encoding="utf-8")
            raw: dict[str, Any] = json.loads(data)
            for word, phones in raw.items():
                if isinstance(phones, dict):
                    phones = phones.get("DEFAULT") or next(iter(phones.values()), None)
                if isinstance(phones, str) and phones:
                    merged[word] = phones
        _loaded.update(merged)
        return _loaded


def to_espeak(misaki: str) -> str:
    """misaki's phoneme string in espeak-ng's IPA.

    Example:
        >>> to_espeak("həlˈO wˈɜɹld")
        'həlˈoʊ wˈɜːld'
    """
    out = _MISAKI_PATTERN.sub(lambda m: _MISAKI_MAP[m.group(0)], misaki)
    return _STRESSED_I.sub("iː", out)


def _lookup(word: str, lex: dict[str, str]) -> str | None:
    for form in (word, word.lower(), word.capitalize()):
        if form in lex:
            return lex[form]
    return None


def _with_suffix(word: str, lex: dict[str, str]) -> str | None:
    """A known stem plus -s / -'s / -ed / -ing / -ly / -er."""
    low = word.lower()
    for suffix in ("'s", "’s", "es", "s"):
        if low.endswith(suffix) and len(low) > len(suffix) + 1:
            stem = _lookup(low[: -len(suffix)], lex)
            if stem:
                last = stem.rstrip("ˈˌ")[-1:]
                if last in _SIBILANT:
                    return stem + "ᵻz"
                return stem + ("s" if last in _VOICELESS else "z")
    for suffix, stems in (("ed", ("", "e")), ("ing", ("", "e")), ("ly", ("",)), ("er", ("", "e"))):
        if not low.endswith(suffix) or len(low) <= len(suffix) + 2:
            continue
        base = low[: -len(suffix)]
        candidates = [base + s for s in stems]
        if len(base) > 2 and base[-1] == base[-2]:  # stopped -> stop
            candidates.append(base[:-1])
        for cand in candidates:
            stem = _lookup(cand, lex)
            if not stem:
                continue
            if suffix == "ed":
                last = stem[-1:]
                return stem + ("ᵻd" if last in "td" else "t" if last in _VOICELESS else "d")
            return stem + {"ing": "ɪŋ", "ly": "li", "er": "əɹ"}[suffix]
    return None


def _compound(word: str, lex: dict[str, str]) -> str | None:
    low = word.lower()
    for cut in range(len(low) - 3, 2, -1):
        head, tail = _lookup(low[:cut], lex), _lookup(low[cut:], lex)
        if head and tail:
            return head + tail
    return None


def _spell(word: str, lex: dict[str, str]) -> str:
    return " ".join(lex.get(ch.upper(), "") for ch in word if ch.isalpha()).strip()


def word_to_misaki(word: str) -> str:
    """One word's pronunciation in misaki's letters (never empty for a word with letters).

    Example:
        >>> word_to_misaki("agents")  # doctest: +SKIP
        'ˈAʤᵊnts'
    """
    lex = _lexicon()
    word = word.replace("’", "'")
    if word.isupper() and len(word) <= 5 and _lookup(word, lex) is None:
        return _spell(word, lex)  # an acronym: TTS, LLM
    return (
        _lookup(word, lex)
        or _with_suffix(word, lex)
        or _compound(word, lex)
        or guess_misaki(word)
        or _spell(word, lex)
    )


def normalize(text: str) -> str:
    """Numbers and a few symbols as words, dashes and line breaks as pauses."""
    for sym, words in _SYMBOLS.items():
        text = text.replace(sym, words)
    text = re.sub(r"\s[-–—]+\s|\n+", ", ", text)
    text = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", text)
    return expand_numbers(text)


def english_to_ipa(text: str) -> str:
    """``text`` as espeak-style IPA words separated by spaces, punctuation kept."""
    parts: list[str] = []
    for token in _TOKEN.findall(normalize(text)):
        if token in ".,!?;:":
            if parts:
                parts[-1] += token
            continue
        weak = _WEAK.get(token.lower())
        phones = weak or to_espeak(word_to_misaki(token))
        if phones:
            parts.append(phones)
    return " ".join(parts)
