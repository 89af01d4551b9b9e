"""Resuming an experiment: the samples a stored run already finished and scored.

A sample × repeat counts as done when its newest stored run ended ``completed`` or
``max_iters`` and holds a score for every metric; everything else (errors, timeouts,
stopped, crashed or never started) runs again. Each done row carries the content hash of
the sample it ran (its ``sample_hash`` tag; for older runs, computed from the stored input
and target), so the experiment reruns samples whose input or target changed since.

Example:
    >>> from ascope_nb.store import RunStore
    >>> finished_rows(RunStore(":memory:"), "exp", ("numeric",))
    {}
"""

from __future__ import annotations

from typing import Any

from ..message._text import content_text
from ..store._experiments import experiment_run_ids, title_prefix
from ._metric_base import MetricBase
from ._rows import DONE_STATUSES, SampleRow
from ._scoring import as_score, is_category, label_from_comment, sample_hash


def _input_text(messages: list[dict[str, Any]]) -> str:
    """The text of a run's input (for the hash of runs stored before ``sample_hash``): each
    message's text, a message with blocks but no text block left out."""
    return "\n".join(
        content_text(m.get("content", ""))
        for m in messages
        if not isinstance(m.get("content", ""), list)
        or any(isinstance(b, dict) and b.get("type") == "text" for b in m["content"])
    )


def finished_rows(
    store: Any,
    name: str,
    metric_names: tuple[str, ...],
    metrics: dict[str, MetricBase] | None = None,
) -> dict[tuple[str, int], SampleRow]:
    """The done rows of experiment ``name`` in ``store``, keyed by (sample id, repeat);
    ``metrics`` (by name) tells which are category metrics (their labels are read back)."""
    metrics = metrics or {}
    store.flush()
    runs = store.runs()
    if runs.empty:
        return {}
    mine = runs[runs["title"].astype(str).str.startswith(title_prefix(name))]
    if mine.empty:
        return {}
    by_run: dict[str, dict[str, Any]] = {}
    for data in store.event_dicts(
        list(mine["run_id"]), kinds=["run_started", "run_ended", "feedback"]
    ):
        info = by_run.setdefault(data["run_id"], {"scores": {}, "messages": {}})
        kind = data.get("kind")
        if kind == "run_started":
            info["meta"] = data.get("metadata") or {}
            info["input"] = data.get("input") or []
            info["started"] = data.get("ts", 0.0)
        elif kind == "run_ended":
            info["ended"] = data
        elif kind == "feedback" and data.get("metric"):
            info["scores"][data["metric"]] = data.get("score")
            info["messages"][data["metric"]] = data.get("comment", "")
    newest: dict[tuple[str, int], dict[str, Any]] = {}
    for run_id, info in by_run.items():
        meta = info.get("meta") or {}
        if meta.get("experiment") != name:
            continue
        key = (str(meta.get("sample_id")), int(meta.get("repeat", 0)))
        info["run_id"] = run_id
        if key not in newest or info.get("started", 0) > newest[key].get("started", 0):
            newest[key] = info
    done: dict[tuple[str, int], SampleRow] = {}
    for key, info in newest.items():
        ended = info.get("ended")
        if not ended or ended.get("status") not in DONE_STATUSES:
            continue
        if any(m not in info["scores"] for m in metric_names):
            continue
        answer = content_text((ended.get("output") or {}).get("content", ""))
        scores: dict[str, float] = {}
        labels: dict[str, str] = {}
        for m in metric_names:
            metric = metrics.get(m)
            if is_category(metric):
                labels[m] = label_from_comment(
                    info["messages"].get(m, ""), metric.categories if metric else None
                )
            else:
                score = as_score(info["scores"][m])
                scores[m] = float("nan") if score is None else score
        meta = info.get("meta") or {}
        content_hash = meta.get("sample_hash") or sample_hash(
            _input_text(info.get("input") or []), meta.get("target")
        )
        done[key] = SampleRow(
            sample_id=key[0],
            repeat=key[1],
            status=ended["status"],
            answer=answer,
            scores=scores,
            labels=labels,
            content_hash=str(content_hash),
            messages=info["messages"],
            run_id=info["run_id"],
            duration=max(0.0, float(ended.get("ts", 0.0)) - float(info.get("started", 0.0))),
            resumed=True,
        )
    return done


__all__ = ["experiment_run_ids", "finished_rows", "title_prefix"]
