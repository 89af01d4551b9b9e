"""The colour of an agent in every view (the same hash as ``static/dom.js``).

Example:
    >>> agent_color("Friday") in PALETTE
    True
"""

from __future__ import annotations

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def agent_color(name: str) -> str:
    """A stable colour per agent name (same hash as ``static/dom.js``)."""
    h = 0
    for ch in name:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return PALETTE[h % len(PALETTE)]
