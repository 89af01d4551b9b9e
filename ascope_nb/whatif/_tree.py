"""``run_tree``: a stored run with its forks and replays, and theirs (``%runs --tree ID``).

Example:
    >>> from ascope_nb.store import RunStore
    >>> run_tree("nope", store=RunStore(":memory:"))
    Traceback (most recent call last):
    ...
    ascope_nb.exceptions.AscopeError: no stored run 'nope' in ':memory:'
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..exceptions import AscopeError

if TYPE_CHECKING:
    from ..store import RunStore


@dataclass
class TreeNode:
    """One run of the tree: how it came from its parent ("fork@k", "replay" or "")."""

    run_id: str
    title: str
    status: str
    how: str = ""
    children: list[TreeNode] = field(default_factory=list)

    def label(self) -> str:
        how = f"{self.how} " if self.how else ""
        return f"{how}{self.run_id} · {self.title} · {self.status}"


class RunTree:
    """A run and its descendants; text lines in ``repr``, a nested list in HTML."""

    def __init__(self, root: TreeNode) -> None:
        self.root = root

    def lines(self) -> list[str]:
        """The tree as indented text lines (the root first)."""
        out: list[str] = []

        def walk(node: TreeNode, depth: int) -> None:
            out.append(("  " * (depth - 1) + "└ " if depth else "") + node.label())
            for child in node.children:
                walk(child, depth + 1)

        walk(self.root, 0)
        return out

    def run_ids(self) -> list[str]:
        """Every run id of the tree, depth first."""
        out: list[str] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            out.append(node.run_id)
            stack.extend(reversed(node.children))
        return out

    def _repr_html_(self) -> str:
        def item(node: TreeNode) -> str:
            kids = "".join(item(c) for c in node.children)
            sub = f"<ul>{kids}</ul>" if kids else ""
            how = f"<b>{html.escape(node.how)}</b> " if node.how else ""
            return (
                f"<li>{how}<code>{html.escape(node.run_id)}</code> "
                f"{html.escape(node.title)} · {html.escape(node.status)}{sub}</li>"
            )

        return f"<ul class='ascope-run-tree'>{item(self.root)}</ul>"

    def __repr__(self) -> str:
        return "\n".join(self.lines())


def run_tree(run_id: str, *, store: RunStore | None = None) -> RunTree:
    """The stored run ``run_id`` with its forks and replays (recursively)."""
    from ..store import default_store

    source = store if store is not None else default_store()
    source.flush()
    info: dict[str, dict[str, Any]] = {}
    children: dict[str, list[str]] = {}
    for ev in source.event_dicts(kinds=["run_started"]):
        meta = ev.get("metadata") or {}
        rid = str(ev.get("run_id", ""))
        parent = meta.get("parent_run_id") or meta.get("replay_of")
        how = f"fork@{meta.get('fork_step')}" if meta.get("parent_run_id") else ""
        how = "replay" if meta.get("replay_of") else how
        info[rid] = {"title": str(ev.get("title") or ev.get("agent") or ""), "how": how}
        if parent:
            children.setdefault(str(parent), []).append(rid)
    if run_id not in info:
        raise AscopeError(f"no stored run {run_id!r} in {source.target!r}")
    frame = source.runs()
    status = dict(zip(frame["run_id"], frame["status"], strict=True))
    started = {r: str(t) for r, t in zip(frame["run_id"], frame["started"], strict=True)}
    for kids in children.values():  # oldest first
        kids.sort(key=lambda r: (started.get(r, ""), r))

    def node(rid: str, seen: frozenset[str]) -> TreeNode:
        kids = [node(c, seen | {c}) for c in children.get(rid, []) if c not in seen]
        data = info[rid]
        return TreeNode(rid, data["title"], str(status.get(rid, "")), data["how"], kids)

    root = node(run_id, frozenset({run_id}))
    root.how = ""
    return RunTree(root)


__all__ = ["run_tree", "RunTree", "TreeNode"]
