"""Who talks to whom in a hub run: agents as nodes, messages as edges, turn by turn.

The rows come from the one fold (``RunFold.items``: each message once, with the agents that
observed it); ``static/hub_graph.js`` draws the same rows live with a round slider, and
``hub_graph_html`` draws them for saved notebooks (an SVG per round, no script).

Rounds: the opening (announcement, topic) is round 0; round 1 starts with the first reply,
and a new round starts when an agent speaks again within the current one. Messages that are
not replies (a moderator's broadcast) belong to the round they arrive in.

Example:
    >>> from ascope_nb.events import MessageObserved, RunStarted
    >>> opening = {"id": "m1", "name": "Host", "role": "assistant", "content": "Hi"}
    >>> events = [RunStarted(input=[opening]), MessageObserved(observer="Alice", msg=opening)]
    >>> [(t["speaker"], t["observers"], t["round"]) for t in hub_turns([e.to_dict() for e in events])]
    [('Host', ['Alice'], 0)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from html import escape
from typing import Any, TypedDict

from ..fold import RunFold, block_text
from ._colors import agent_color


class HubTurn(TypedDict):
    """One message of a hub run: who said it, who saw it, in which round."""

    index: int
    round: int
    speaker: str
    observers: list[str]
    text: str
    reply: bool  # an agent's reply (a step), not an opening or a broadcast


def hub_turns(events: Iterable[dict[str, Any]]) -> list[HubTurn]:
    """The turns of a hub run's wire events, in order (see the module docstring)."""
    fold = RunFold().extend(list(events))
    turns: list[HubTurn] = []
    round_no, spoke = 0, set[str]()
    for item in fold.items:
        kind = item.get("type")
        if kind == "step":
            observers = list(item.get("observers") or [])
            if not observers and not item.get("text"):
                continue  # a tool-calling step nobody heard
            speaker, text, reply = str(item.get("agent", "")), str(item.get("text", "")), True
        elif kind in ("input", "message", "observed"):
            msg = item.get("msg") or {}
            observers = list(item.get("observers") or [])
            speaker = str(msg.get("name") or msg.get("role") or "")
            text, reply = block_text(msg.get("content", "")), False
        else:
            continue
        if reply:
            if round_no == 0 or speaker in spoke:
                round_no, spoke = round_no + 1, set()
            spoke.add(speaker)
        turns.append(
            HubTurn(
                index=len(turns),
                round=round_no,
                speaker=speaker,
                observers=[str(o) for o in observers],
                text=text,
                reply=reply,
            )
        )
    return turns


def hub_edges(
    turns: Iterable[HubTurn], *, upto_round: int | None = None
) -> dict[tuple[str, str], int]:
    """``{(speaker, listener): messages}`` up to and including ``upto_round`` (all: None).

    Example:
        >>> turn = HubTurn(index=0, round=1, speaker="A", observers=["B", "C"], text="", reply=True)
        >>> hub_edges([turn])
        {('A', 'B'): 1, ('A', 'C'): 1}
    """
    edges: dict[tuple[str, str], int] = {}
    for turn in turns:
        if upto_round is not None and turn["round"] > upto_round:
            continue
        for listener in turn["observers"]:
            key = (turn["speaker"], listener)
            edges[key] = edges.get(key, 0) + 1
    return edges


def hub_nodes(turns: Iterable[HubTurn]) -> list[str]:
    """Everyone who spoke or listened, in order of first appearance."""
    seen: dict[str, None] = {}
    for turn in turns:
        for name in (turn["speaker"], *turn["observers"]):
            seen.setdefault(name, None)
    return list(seen)


def _svg(nodes: list[str], edges: dict[tuple[str, str], int], *, size: int = 260) -> str:
    centre, radius = size / 2, size / 2 - 40
    where = {
        n: (
            centre + radius * math.cos(2 * math.pi * i / max(len(nodes), 1) - math.pi / 2),
            centre + radius * math.sin(2 * math.pi * i / max(len(nodes), 1) - math.pi / 2),
        )
        for i, n in enumerate(nodes)
    }
    lines = []
    for (a, b), count in sorted(edges.items()):
        (x1, y1), (x2, y2) = where[a], where[b]
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{agent_color(a)}" stroke-opacity="0.55" stroke-width="{min(1 + count, 6)}">'
            f"<title>{escape(a)} → {escape(b)}: {count}</title></line>"
        )
    dots = []
    for name, (x, y) in where.items():
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{agent_color(name)}"/>'
            f'<text x="{x:.1f}" y="{y - 11:.1f}" text-anchor="middle" font-size="11">'
            f"{escape(name)}</text>"
        )
    return (
        f'<svg class="ascope-hub-graph" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}">{"".join(lines)}{"".join(dots)}</svg>'
    )


def hub_graph_html(events: Iterable[dict[str, Any]], *, per_round: bool = True) -> str:
    """The who-talks-to-whom graph for a saved notebook: the whole run, and (``per_round``)
    one ``<details>`` per round (an SVG each; no script). Empty for a run without turns.

    Example:
        >>> hub_graph_html([])
        ''
    """
    turns = hub_turns(events)
    if not turns:
        return ""
    nodes = hub_nodes(turns)
    last = turns[-1]["round"]
    parts = [
        f'<div class="ascope-hub-graph-box"><b>Who talks to whom</b> '
        f'<span class="meta">{len(nodes)} agents · {len(turns)} messages · {last} rounds</span>',
        _svg(nodes, hub_edges(turns)),
    ]
    for r in range(0, last + 1 if per_round else 0):
        said = [t for t in turns if t["round"] == r]
        rows = "".join(
            f"<li>{escape(t['speaker'])} → {escape(', '.join(t['observers']) or 'nobody')}</li>"
            for t in said
        )
        parts.append(
            f"<details><summary>round {r} (up to here)</summary>"
            f"{_svg(nodes, hub_edges(turns, upto_round=r), size=200)}<ol>{rows}</ol></details>"
        )
    parts.append("</div>")
    return "".join(parts)


__all__ = ["HubTurn", "hub_turns", "hub_edges", "hub_nodes", "hub_graph_html"]
