"""Kernel-free HTML of ``%tune``: the dataset preview and the training progress.

Both are plain functions over JSON-like dicts (the tuner hands them in), with inline styles
and an inline SVG loss curve, so a saved notebook shows the final loss, the steps and the
adapter's name on GitHub or nbviewer without a kernel. Every text is escaped and redacted.

Example:
    >>> html = progress_html({"name": "fix", "status": "completed", "step": 4, "total": 4,
    ...                       "loss": 0.82, "curve": [[1, 1.6], [4, 0.82]], "artifact": "fix:v1"})
    >>> "fix:v1" in html and "0.82" in html and "<svg" in html
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from ..redact import redact_text

FONT = (
    "font-family:system-ui,-apple-system,Segoe UI,Noto Sans,Noto Sans CJK SC,"
    "WenQuanYi Micro Hei,sans-serif;font-size:13px;"
)
CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;"
STATUS_BG = {
    "completed": "#d8f3dc",
    "error": "#ffd6d6",
    "stopped": "#fff1c2",
    "stopping": "#fff1c2",
}


def _e(value: Any) -> str:
    return escape(redact_text(str(value)))


def fmt_loss(value: Any) -> str:
    """A loss with 4 significant digits ("—" when unknown)."""
    return "—" if not isinstance(value, (int, float)) else f"{value:.4g}"


def fmt_seconds(value: Any) -> str:
    """``12 s``, ``3 min 5 s``, ``1 h 2 min`` ("—" when unknown)."""
    if not isinstance(value, (int, float)):
        return "—"
    if value < 60:
        return f"{value:.0f} s"
    minutes = int(value // 60)
    return (
        f"{minutes} min {round(value % 60)} s"
        if minutes < 60
        else f"{minutes // 60} h {minutes % 60} min"
    )


def sparkline_svg(curve: Iterable[Iterable[float]], *, width: int = 240, height: int = 48) -> str:
    """An inline SVG polyline of ``[step, loss]`` points (empty string with fewer than two).

    Example:
        >>> sparkline_svg([[1, 2.0], [2, 1.0]]).startswith("<svg")
        True
    """
    points = [(float(s), float(v)) for s, v in curve]
    if len(points) < 2:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    dx, dy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    pad = 3
    coords = " ".join(
        f"{pad + (x - x0) / dx * (width - 2 * pad):.1f},{pad + (y1 - y) / dy * (height - 2 * pad):.1f}"
        for x, y in points
    )
    return (
        f"<svg class='ascope-tune-curve' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"role='img' aria-label='loss curve from {ys[0]:.4g} to {ys[-1]:.4g}'>"
        f"<polyline fill='none' stroke='#1565c0' stroke-width='1.5' points='{coords}'/></svg>"
    )


def progress_line(s: Mapping[str, Any]) -> str:
    """``step 12/40 · loss 0.53 · 8 s elapsed · ETA 19 s`` (the text both views show)."""
    parts = [
        f"step {s.get('step') or 0}/{s.get('total') or '?'}",
        f"loss {fmt_loss(s.get('loss'))}",
    ]
    parts.append(f"{fmt_seconds(s.get('elapsed'))} elapsed")
    if s.get("status") == "training" and s.get("eta") is not None:
        parts.append(f"ETA {fmt_seconds(s.get('eta'))}")
    return " · ".join(parts)


def progress_html(s: Mapping[str, Any]) -> str:
    """The training as it stands: name, status, steps, loss (first → last), curve, adapter."""
    status = str(s.get("status", ""))
    badge = (
        f"<span style='border-radius:10px;padding:1px 8px;font-size:12px;"
        f"background:{STATUS_BG.get(status, '#eee')}'>{_e(status)}</span>"
    )
    artifact = s.get("artifact")
    kept = (
        f"<div>adapter <code>{_e(artifact)}</code>"
        + (f" (resumed from {_e(s['parent'])})" if s.get("parent") else "")
        + (f" in <code>{_e(s['artifact_path'])}</code>" if s.get("artifact_path") else "")
        + "</div>"
        if artifact
        else ""
    )
    first = s.get("first_loss")
    change = (
        f"<div>loss {fmt_loss(first)} → {fmt_loss(s.get('loss'))}</div>"
        if first is not None
        else ""
    )
    error = f"<div style='color:#b00020'>{_e(s['error'])}</div>" if s.get("error") else ""
    data = f"{s.get('samples', 0)} samples" + (
        f", {s['rejected']} rejected" if s.get("rejected") else ""
    )
    return (
        f"<div class='ascope-tune-saved' style='{FONT}border:1px solid #ddd;border-radius:6px;padding:8px'>"
        f"<div style='display:flex;gap:8px;align-items:center'><b>Tune {_e(s.get('name', ''))}</b>"
        f"<span style='color:#777'>{_e(s.get('method', ''))} · {_e(data)}</span>{badge}</div>"
        f"<div>{_e(progress_line(s))}</div>{change}{sparkline_svg(s.get('curve') or [])}{kept}{error}</div>"
    )


def _table(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th style='{CELL}'>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td style='{CELL}'>{_e(row.get(c, ''))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


def dataset_html(
    *,
    method: str,
    counts: Mapping[str, int],
    rows: Sequence[Mapping[str, Any]],
    rejected: Sequence[Mapping[str, Any]],
    source: str = "",
) -> str:
    """The dataset before training: counts, the samples, the rejected ones with the reason."""
    head = (
        f"<div><b>{escape(method)} dataset</b>{' from ' + _e(source) if source else ''}: "
        f"{counts.get('samples', 0)} samples from {counts.get('runs', 0)} runs, "
        f"{counts.get('rejected', 0)} rejected</div>"
    )
    columns = list(rows[0]) if rows else []
    shown = (
        _table(rows, columns) if rows else "<div style='color:#b00020'>no trainable sample</div>"
    )
    more = (
        f"<div style='color:#777'>first {len(rows)} of {counts.get('samples', 0)} shown</div>"
        if counts.get("samples", 0) > len(rows)
        else ""
    )
    left_out = (
        "<div style='margin-top:6px'>Rejected:</div>" + _table(rejected, ["where", "reason"])
        if rejected
        else ""
    )
    return f"<div class='ascope-tune-dataset' style='{FONT}'>{head}{shown}{more}{left_out}</div>"


__all__ = [
    "dataset_html",
    "fmt_loss",
    "fmt_seconds",
    "progress_html",
    "progress_line",
    "sparkline_svg",
]
