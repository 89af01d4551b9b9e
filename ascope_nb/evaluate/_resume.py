"""Resuming an experiment: the samples a stored run already finished and scored.

A sample × repeat counts as done when its newest stored run ended ``completed`` or
``max_iters`` and holds a score for every metric; everything else (errors, timeouts,
stopped, crashed or never started) runs again.

Example:
    >>> from ascope_nb.store import RunStore
    >>> finished_rows(RunStore(":memory:"), "exp", ("numeric",))
    {}
"""

from __future__ import annotations

from typing import Any

from ..store._experiments import experiment_run_ids, title_prefix
from ._rows import DONE_STATUSES, SampleRow


def finished_rows(
    store: Any, name: str, metric_names: tuple[str, ...]
) -> dict[tuple[str, int], SampleRow]:
    """The done rows of experiment ``name`` in ``store``, keyed by (sample id, repeat)."""
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
        output = ended.get("output") or {}
        content = output.get("content", "")
        answer = (
            content
            if isinstance(content, str)
            else "\n".join(
                b.get("text", "")
                for b in content
                if isinstance(b, dict) and b.get("type") == "text"
            )
        )
        done[key] = SampleRow(
            sample_id=key[0],
            repeat=key[1],
            status=ended["status"],
            answer=answer,
            scores={m: float(info["scores"][m]) for m in metric_names},
            messages=info["messages"],
            run_id=info["run_id"],
            duration=max(0.0, float(ended.get("ts", 0.0)) - float(info.get("started", 0.0))),
            resumed=True,
        )
    return done


__all__ = ["experiment_run_ids", "finished_rows", "title_prefix"]
