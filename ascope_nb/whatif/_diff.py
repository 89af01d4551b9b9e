"""``diff``: two runs aligned step by step (forks, replays, two models on one question).

A fork's step ``j`` lines up with its parent's step ``fork_step + j``; the steps before the
fork are shared. Any other pair lines up step by step. Differing cells are highlighted.

Example:
    >>> d = diff(parent, fork)     # doctest: +SKIP
    >>> d.to_dataframe().columns   # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..fold import StepRecord
from ._source import Source, source_of

if TYPE_CHECKING:
    import pandas as pd

    from ..store import RunStore

_STYLE = (
    "<style>.ascope-diff{border-collapse:collapse;font:13px system-ui,sans-serif}"
    ".ascope-diff td,.ascope-diff th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;"
    "text-align:left;white-space:pre-wrap;max-width:40em}.ascope-diff .differs{background:#fff3bf}"
    ".ascope-diff .shared{color:#888}</style>"
)


def _tools(step: StepRecord) -> str:
    parts = []
    for call in step["tool_calls"]:
        args = json.dumps(call["input"], ensure_ascii=False, sort_keys=True)
        out = " ".join(str(b.get("text", "")) for b in call["output"] or [] if isinstance(b, dict))
        parts.append(f"{call['name']}({args}) → {out}".rstrip(" →"))
    return "\n".join(parts)


@dataclass
class DiffRow:
    """One aligned step: each run's text and tool calls (None where it has no such step)."""

    step: int
    a_text: str | None
    a_tools: str | None
    b_text: str | None
    b_tools: str | None
    shared: bool = False

    @property
    def same(self) -> bool:
        return (self.a_text, self.a_tools) == (self.b_text, self.b_tools)


class RunDiff:
    """Two runs aligned step by step; ``_repr_html_`` shows it, ``to_dataframe`` lists it."""

    def __init__(self, a: Source, b: Source) -> None:
        self.a_id, self.b_id = a.run_id, b.run_id
        self.titles = (_title(a), _title(b))
        self.outputs = (_output(a), _output(b))
        self.rows = _align(a, b)

    @property
    def first_difference(self) -> int | None:
        """The first step where the runs differ (None if every step matches)."""
        return next((r.step for r in self.rows if not r.same), None)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per aligned step: step, shared, same, a_text, a_tools, b_text, b_tools."""
        import pandas as pd

        columns = ["step", "shared", "same", "a_text", "a_tools", "b_text", "b_tools"]
        data = [
            [r.step, r.shared, r.same, r.a_text, r.a_tools, r.b_text, r.b_tools] for r in self.rows
        ]
        return pd.DataFrame(data, columns=columns)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = (
            f"<tr><th>step</th><th colspan=2>A: {esc(self.titles[0])} <code>{esc(self.a_id)}"
            f"</code></th><th colspan=2>B: {esc(self.titles[1])} <code>{esc(self.b_id)}</code>"
            "</th></tr>"
        )
        body = []
        for row in self.rows:
            cls = "shared" if row.shared else ("" if row.same else "differs")
            cells = "".join(
                f"<td class='{cls}'>{esc(v) if v is not None else '—'}</td>"
                for v in (row.a_text, row.a_tools, row.b_text, row.b_tools)
            )
            body.append(f"<tr><td>{row.step}</td>{cells}</tr>")
        same = self.outputs[0] == self.outputs[1]
        cls = "" if same else "differs"
        out = "".join(f"<td colspan=2 class='{cls}'>{esc(o)}</td>" for o in self.outputs)
        body.append(f"<tr><th>answer</th>{out}</tr>")
        return f"{_STYLE}<table class='ascope-diff'>{head}{''.join(body)}</table>"

    def __repr__(self) -> str:
        return (
            f"RunDiff({self.a_id!r}, {self.b_id!r}, steps={len(self.rows)}, "
            f"first_difference={self.first_difference})"
        )


def _title(src: Source) -> str:
    return str(src.fold.run_info.get("title") or src.agent_name)


def _output(src: Source) -> str:
    output = src.fold.output or {}
    content = output.get("content")
    if isinstance(content, str):
        return content
    return "".join(str(b.get("text", "")) for b in content or [] if isinstance(b, dict))


def _steps(src: Source) -> dict[int, StepRecord]:
    return {s["step"]: s for s in src.fold.steps() if s["agent"] == src.agent_name}


def _offset(a: Source, b: Source) -> int:
    """Where b's step 0 lines up in a (a fork starts at its fork step)."""
    meta_b, meta_a = b.metadata, a.metadata
    if meta_b.get("parent_run_id") == a.run_id:
        return int(meta_b.get("fork_step") or 0)
    if meta_a.get("parent_run_id") == b.run_id:
        return -int(meta_a.get("fork_step") or 0)
    return 0


def _align(a: Source, b: Source) -> list[DiffRow]:
    steps_a, steps_b = _steps(a), _steps(b)
    shift = _offset(a, b)
    b_at = {k + shift: v for k, v in steps_b.items()}
    start = min(0, shift)
    last = max([*steps_a, *b_at, start - 1])
    rows = []
    for step in range(start, last + 1):
        sa, sb = steps_a.get(step), b_at.get(step)
        shared = (shift > 0 and step < shift) or (shift < 0 and step < 0)
        if shared:  # the fork inherited its parent's step
            sa, sb = (sa, sa) if shift > 0 else (sb, sb)
        rows.append(
            DiffRow(
                step - start,
                sa["text"] if sa else None,
                _tools(sa) if sa else None,
                sb["text"] if sb else None,
                _tools(sb) if sb else None,
                shared,
            )
        )
    return rows


def diff(run_a: Any, run_b: Any, *, store: RunStore | None = None) -> RunDiff:
    """Align two runs (``Run``, ``StoredRun`` or run ids) step by step; differences are
    highlighted in the HTML view; ``.to_dataframe()`` lists the rows."""
    return RunDiff(source_of(run_a, store=store), source_of(run_b, store=store))


__all__ = ["diff", "RunDiff", "DiffRow"]
