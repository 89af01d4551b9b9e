"""Kernel-free HTML of an experiment (metric means with CIs, counts, the sample table) and
of a comparison, for saved notebooks, GitHub and nbviewer.

Example:
    >>> "<table" in metrics_table_html({"numeric": mean_ci([1.0, 0.0])})
    True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from ._stats import MeanCI, mean_ci

FONT = (
    "font-family: system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', "
    "'WenQuanYi Micro Hei', sans-serif; font-size: 13px;"
)
CELL = "padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left;"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "—" if value != value else f"{value:.3g}"
    return html.escape(str(value))


def table_html(rows: Iterable[Mapping[str, Any]], columns: list[str], *, limit: int = 200) -> str:
    """A plain HTML table of ``rows`` (at most ``limit``, with a note of the rest)."""
    head = "".join(f"<th style='{CELL}'>{html.escape(c)}</th>" for c in columns)
    body, total = [], 0
    for row in rows:
        total += 1
        if total <= limit:
            cells = "".join(
                f"<td style='{CELL}'>{_fmt(row.get(c, ''))[:200]}</td>" for c in columns
            )
            body.append(f"<tr>{cells}</tr>")
    more = (
        f"<div style='color:#777'>… {total - limit} more rows (to_dataframe())</div>"
        if total > limit
        else ""
    )
    return f"<table style='border-collapse: collapse'><tr>{head}</tr>{''.join(body)}</table>{more}"


def metrics_table_html(summary: Mapping[str, MeanCI]) -> str:
    rows = [
        {"metric": name, "mean": m.mean, "95% CI": f"[{_fmt(m.low)}, {_fmt(m.high)}]", "n": m.n}
        for name, m in summary.items()
    ]
    return table_html(rows, ["metric", "mean", "95% CI", "n"])


def experiment_html(exp: Any) -> str:
    """The experiment as it stands: header, metric means, status counts, samples."""
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(exp.counts().items()))
    head = (
        f"<div style='font-weight:600'>Experiment {html.escape(exp.name)} · {html.escape(exp.status)} · "
        f"{exp.finished}/{len(exp.rows)} samples</div><div style='color:#555'>{html.escape(counts)}</div>"
    )
    columns = ["sample_id", "repeat", "status", *exp.metric_names, "answer", "run_id"]
    rows = (r.as_dict(exp.metric_names) for r in exp.rows.values())
    return (
        f"<div class='ascope-experiment' style='{FONT}'>{head}{metrics_table_html(exp.metric_summary())}"
        f"{table_html(rows, columns)}</div>"
    )


__all__ = ["experiment_html", "metrics_table_html", "table_html", "mean_ci", "FONT"]
