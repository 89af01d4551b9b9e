"""The plan of a run in its saved HTML transcript (no JS): the open plan, or else the plan
that finished last, one line per subtask with its state and outcome (``fold.plan_view``).

Example:
    >>> from ascope_nb.fold import RunFold
    >>> plan_html(RunFold())
    ''
"""

from __future__ import annotations

from html import escape

from ..fold import RunFold
from ..fold._plan import plan_view

_MARK = {"todo": "○", "in_progress": "◐", "done": "●", "abandoned": "⊘"}
_LABEL = {"todo": "to do", "in_progress": "in progress", "done": "done", "abandoned": "abandoned"}
_CSS = (
    ".ascope-t .plan{border-left:3px solid #6a4bc4;background:#faf9fe;padding:4px 8px;margin:4px 0}"
    ".ascope-t .plan ol{margin:2px 0;padding-left:22px}"
    ".ascope-t .plan .abandoned{text-decoration:line-through;color:#888}"
    ".ascope-t .plan .out{color:#555;font-size:12px;margin-left:14px}"
)


def plan_html(fold: RunFold) -> str:
    """The plan panel of a saved run ("" when the run has no plan)."""
    state = fold.plan_state()
    if not state.changes:
        return ""
    view = plan_view(state)
    rows = []
    for task in view["subtasks"]:
        st = str(task["state"])
        outcome = (
            f'<div class="out">→ {escape(str(task["outcome"]))}</div>' if task["outcome"] else ""
        )
        rows.append(
            f'<li class="{escape(st)}" data-state="{escape(st)}">{_MARK.get(st, "?")} '
            f'{escape(task["name"])} <span class="meta">{escape(_LABEL.get(st, st))}</span>'
            f"{outcome}</li>"
        )
    name = escape(str(view["name"])) if view["name"] is not None else "(none)"
    badge = f' <span class="badge">{escape(str(view["state"]))}</span>' if view["state"] else ""
    outcome = (
        f'<div class="out">Outcome: {escape(str(view["outcome"]))}</div>' if view["outcome"] else ""
    )
    approved = ' <span class="meta">approved</span>' if view["approved"] else ""
    return (
        f'<style>{_CSS}</style><div class="plan"><b>Plan</b> {name}{badge}{approved}'
        f'<ol start="0">{"".join(rows)}</ol>{outcome}</div>'
    )


__all__ = ["plan_html"]
