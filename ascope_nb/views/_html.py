"""Self-contained HTML transcripts (inline CSS, no JS) for saved notebooks.

GitHub, nbviewer and VS Code show a notebook output's ``text/html`` without a kernel; these
functions write it from the same events the live view renders. Every piece of content is
HTML-escaped; steps are ``<details>`` so they fold without scripts.

Example:
    >>> "<details" in run_html([{"kind": "step_started", "reply_id": "r", "step": 0, "ts": 0}])
    True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from typing import Any

from ..fold import RunFold, StepRecord, block_text
from ..redact import redact
from ._colors import agent_color
from ._media_html import media_html

_MEDIA = re.compile(r"^image/[\w.+-]+$")
_B64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")

CSS = """
.ascope-t{font-family:system-ui,-apple-system,Segoe UI,DejaVu Sans,CJK_FONTS,sans-serif;font-size:13px;color:#222;
 border:1px solid #ddd;border-radius:6px;padding:8px;max-width:100%}
.ascope-t .hd{display:flex;gap:8px;align-items:center;margin-bottom:6px}
.ascope-t .badge{border-radius:10px;padding:1px 8px;font-size:12px;background:#eee}
.ascope-t .badge.completed{background:#d8f3dc}.ascope-t .badge.error,.ascope-t .badge.crashed{background:#ffd6d6}
.ascope-t .badge.interrupted,.ascope-t .badge.max_iters{background:#fff1c2}
.ascope-t details{border-left:3px solid #9ab;margin:4px 0;padding:2px 8px}
.ascope-t summary{cursor:pointer;font-weight:600}
.ascope-t .meta{color:#777;font-weight:400;font-size:12px}
.ascope-t pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:6px;margin:4px 0;border-radius:4px;
 font-family:ui-monospace,DejaVu Sans Mono,Liberation Mono,CJK_FONTS,monospace}
.ascope-t .think{color:#666;font-style:italic}
.ascope-t .tool{border:1px solid #e3e3e3;border-radius:4px;padding:4px;margin:4px 0}
.ascope-t .state-error,.ascope-t .err{color:#b00020}
.ascope-t .state-denied,.ascope-t .state-interrupted,.ascope-t .human{color:#6a4bc4}
.ascope-t .hint{background:#f3f0fb;border-left:3px solid #6a4bc4;border-radius:4px;padding:4px;margin:4px 0}
.ascope-t .msg{margin:4px 0;padding:4px 8px;border-left:3px solid #ccc}
.ascope-t table{border-collapse:collapse}.ascope-t td,.ascope-t th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
""".replace("\n", "").replace(
    # CJK faces after the Latin ones: Chromium's monospace fallback on Debian finds none
    "CJK_FONTS",
    "Noto Sans CJK SC,Noto Sans Mono CJK SC,Source Han Sans SC,WenQuanYi Zen Hei,"
    "WenQuanYi Micro Hei,Droid Sans Fallback,PingFang SC,Microsoft YaHei",
)


def _pre(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<pre{attr}>{escape(text)}</pre>"


def _blocks_html(blocks: Any) -> str:
    if isinstance(blocks, str):
        return _pre(blocks)
    out = []
    for b in blocks or []:
        kind = b.get("type") if isinstance(b, dict) else None
        if kind == "text":
            out.append(_pre(str(b.get("text", ""))))
        elif kind in ("image", "audio"):
            out.append(media_html(b))  # inlined up to a size bound (see _media_html)
        elif kind is not None:
            out.append(_pre(json.dumps(b, ensure_ascii=False, indent=1)[:2000]))
    return "".join(out)


def _step_html(step: StepRecord, *, open_: bool) -> str:
    dur = f"{step['ended'] - step['started']:.2f}s" if step["ended"] is not None else "…"
    tokens = f"{step['input_tokens']}→{step['output_tokens']} tok"
    timing = step.get("timing") or {}
    if "ttft" in timing:
        tokens += f" · first token {float(timing['ttft']):.2f}s"
    if "gen_tok_s" in timing:
        rates = (float(timing.get("prompt_tok_s") or 0), float(timing["gen_tok_s"]))
        tokens += " · " + "/".join(f"{r:.1f}" if r < 10 else f"{r:.0f}" for r in rates) + " tok/s"
    head = (
        f"{escape(step['agent'])}{_remote_html(step.get('remote'))} · step {step['step'] + 1} "
        f'<span class="meta">{dur} · {tokens} · {len(step["tool_calls"])} tool call(s)</span>'
    )
    body = []
    if step["thinking"]:
        body.append(_pre(step["thinking"], "think"))
    if step["text"]:
        body.append(_pre(step["text"]))
    for call in step["tool_calls"]:
        approval = call["approval"] or {}
        decision = approval.get("decision")
        parts = [f"<b>{escape(call['name'])}</b>"]
        if decision:
            reason = f": {escape(str(approval.get('reason')))}" if approval.get("reason") else ""
            parts.append(f' <span class="meta">[{escape(str(decision))}{reason}]</span>')
        parts.append(_pre(json.dumps(call["input"], ensure_ascii=False, indent=2)))
        if call["state"] is not None:
            parts.append(
                f'<div class="state-{escape(call["state"])}">→ {escape(call["state"])} '
                f'<span class="meta">{call["duration"]:.2f}s</span></div>'
            )
            parts.append(_blocks_html(call["output"]))
        body.append(f'<div class="tool">{"".join(parts)}</div>')
    for err in step["errors"]:
        body.append(_pre(err, "err"))
    attr = " open" if open_ else ""
    return f"<details{attr}><summary>{head}</summary>{''.join(body)}</details>"


def _msg_html(msg: dict[str, Any], *, note: str = "") -> str:
    name = str(msg.get("name", ""))
    color = agent_color(name)
    return (
        f'<div class="msg" style="border-left-color:{color}"><b style="color:{color}">'
        f"{escape(name)}</b>{note}{_blocks_html(msg.get('content', ''))}</div>"
    )


def _remote_html(remote: str | None) -> str:
    """`` remote · host:port`` after a remote (A2A) agent's name; empty for a local one."""
    if not remote:
        return ""
    return f' <span class="meta remote" title="remote A2A agent">remote · {escape(remote)}</span>'


def _seen(item: dict[str, Any]) -> str:
    """`` (seen by A, B)`` for a message the hub's agents observed; empty otherwise."""
    observers = [str(o) for o in item.get("observers") or [] if o]
    if not observers:
        return ""
    return f' <span class="meta">(seen by {escape(", ".join(observers))})</span>'


def _knowledge_html(item: dict[str, Any]) -> str:
    label = "Remembered" if item.get("source") == "long_term_memory" else "Retrieved"
    rows = []
    for c in item.get("chunks") or []:
        score = "" if c.get("score") is None else f"{float(c['score']):.3f}"
        where = escape(str(c.get("source") or c.get("doc_id") or ""))
        rows.append(
            f'<li><span class="meta">{score} {where}</span> {escape(str(c.get("text", "")))}</li>'
        )
    query = escape(str(item.get("query", "")))
    rewritten = ""
    if item.get("original_query"):  # the model rewrote the user's text
        original = escape(str(item["original_query"]))
        rewritten = f' <span class="meta">(rewritten from "{original}")</span>'
    rows_html = "".join(rows)
    return f'<div class="hint"><b>{label}</b> for "{query}"{rewritten}<ol>{rows_html}</ol></div>'


def _items_html(fold: RunFold) -> str:
    steps = fold.steps()
    last = steps[-1] if steps else None
    out = []
    for item in fold.items:
        kind = item.get("type")
        if kind == "step":
            out.append(_step_html(item, open_=item is last))  # type: ignore[arg-type]
        elif kind in ("input", "message", "observed"):
            out.append(
                _msg_html(item["msg"] or {}, note=_remote_html(item.get("remote")) + _seen(item))
            )
        elif kind == "hint":
            out.append(
                f'<div class="hint">Guidance ({escape(str(item.get("source")))}): {escape(str(item["text"]))}</div>'
            )
        elif kind == "knowledge":
            out.append(_knowledge_html(item))
        elif kind == "feedback":  # words, not emoji (Debian's default fonts draw boxes)
            label = {"up": "good run", "down": "bad run"}.get(str(item.get("label")), "")
            out.append(
                f'<div class="meta">Feedback {label} {escape(str(item.get("comment") or ""))}</div>'
            )
        elif kind == "error":
            out.append(_pre(str(item["text"]), "err"))
    return "".join(out)


def run_html(events: Iterable[dict[str, Any]], *, title: str = "") -> str:
    """A run's transcript as one HTML fragment with its own ``<style>`` (secrets redacted)."""
    fold = RunFold().extend(redact(list(events)))
    s = fold.summary()
    output = ""
    shown = {
        str((item.get("msg") or {}).get("id"))
        for item in fold.items
        if item.get("type") == "message"
    }
    if fold.output and str(fold.output.get("id")) not in shown:  # not twice (a UserAgent's reply)
        output = f"<div><b>Answer</b>{_pre(block_text(fold.output.get('content', '')))}</div>"
    header = (
        f'<div class="hd"><b>{escape(title or fold.title or fold.agent or "run")}</b>'
        f'<span class="badge {escape(s["status"])}">{escape(s["status"])}</span>'
        f'<span class="meta">{s["n_steps"]} steps · {s["tokens"]["input"]}→{s["tokens"]["output"]} tok'
        f" · {s['elapsed']:.2f}s</span></div>"
    )
    from ._plan_html import plan_html

    plan = plan_html(fold)  # the final plan, when the agent had one
    return (
        f'<style>{CSS}</style><div class="ascope-t">{header}{plan}{_items_html(fold)}{output}</div>'
    )


def hub_html(events: Iterable[dict[str, Any]], *, title: str = "") -> str:
    """A MsgHub conversation as a chat transcript (one colour per agent; secrets redacted)."""
    from .hub_graph import hub_graph_html

    kept = redact(list(events))
    fold = RunFold().extend(kept)
    rows = []
    for item in fold.items:
        if item.get("type") in ("input", "message", "observed"):
            note = _remote_html(item.get("remote")) + _seen(item)
            rows.append(_msg_html(item["msg"] or {}, note=note))
        elif item.get("type") == "step" and item.get("text"):
            msg = {"name": item["agent"], "content": item["text"]}
            rows.append(_msg_html(msg, note=_remote_html(item.get("remote")) + _seen(item)))
    header = f'<div class="hd"><b>{escape(title or "hub")}</b><span class="badge {escape(fold.status)}">{escape(fold.status)}</span></div>'
    graph = hub_graph_html(kept)  # who talks to whom, per round
    return f'<style>{CSS}</style><div class="ascope-t">{header}{"".join(rows)}{graph}</div>'


def memory_html(rows: Iterable[dict[str, Any]], *, title: str = "") -> str:
    """An agent's memory as an HTML table."""
    cols = ("index", "name", "role", "text", "marks", "timestamp")
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = []
    for row in redact(list(rows)):
        cells = []
        for c in cols:
            value = row.get(c, "")
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            cells.append(f"<td>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = f"<caption>{escape(title)}</caption>" if title else ""
    return (
        f'<style>{CSS}</style><div class="ascope-t"><table>{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


__all__ = ["run_html", "hub_html", "memory_html", "agent_color", "CSS"]
