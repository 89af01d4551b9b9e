"""Numbers as English words, for the offline speech front end.

Example:
    >>> expand_numbers("It costs 42.5 dollars, 1,200 in total.")
    'It costs forty-two point five dollars, one thousand two hundred in total.'
"""

from __future__ import annotations

import re

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _under_thousand(n: int) -> str:
    words = []
    if n >= 100:
        words.append(f"{_ONES[n // 100]} hundred")
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n or not words:
        words.append(_ONES[n])
    return " ".join(words)


def int_to_words(n: int) -> str:
    """A non-negative integer in words (digit by digit past the trillions).

    Example:
        >>> int_to_words(2026)
        'two thousand twenty-six'
    """
    if n >= 10**15:
        return " ".join(_ONES[int(d)] for d in str(n))
    words = []
    for scale, name in _SCALES:
        if n >= scale:
            words.append(f"{_under_thousand(n // scale)} {name}")
            n %= scale
    if n or not words:
        words.append(_under_thousand(n))
    return " ".join(words)


def _number_words(match: re.Match[str]) -> str:
    whole, _, frac = match.group(0).replace(",", "").partition(".")
    words = int_to_words(int(whole))
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return words


def expand_numbers(text: str) -> str:
    """Every number in ``text`` written out in words."""
    return _NUMBER.sub(_number_words, text)
