"""Superseded experiment attempts: only the newest run of a sample counts.

An experiment run twice under one name (two cells started at once) or resumed after a crash
stores more than one run for some (experiment, sample, repeat). The newest one is the
sample's run (the one ``experiment`` resumes from); the older ones are superseded attempts,
kept in the store for inspection but never exported or counted as samples.

Example:
    >>> from ascope_nb.store import RunStore
    >>> superseded_run_ids(RunStore(":memory:"))
    set()
"""

from __future__ import annotations

from typing import Any

SAMPLE_TITLE_MARK = " · "  # an experiment sample's title: "{experiment} · {sample id}"


def superseded_run_ids(store: Any) -> set[str]:
    """The stored experiment runs that a newer run of the same sample × repeat replaced."""
    store.flush()
    runs = store.runs()
    if runs.empty:
        return set()
    titled = runs[runs["title"].astype(str).str.contains(SAMPLE_TITLE_MARK, regex=False)]
    if titled.empty:
        return set()
    newest: dict[tuple[str, str, int], tuple[float, str]] = {}
    older: set[str] = set()
    for data in store.event_dicts(list(titled["run_id"]), kinds=["run_started"]):
        meta = data.get("metadata") or {}
        name = meta.get("experiment")
        if not name:
            continue
        try:
            repeat = int(meta.get("repeat") or 0)
        except (TypeError, ValueError):
            repeat = 0
        key = (str(name), str(meta.get("sample_id")), repeat)
        mine = (float(data.get("ts") or 0.0), str(data["run_id"]))
        seen = newest.get(key)
        if seen is None:
            newest[key] = mine
        elif mine > seen:
            older.add(seen[1])
            newest[key] = mine
        else:
            older.add(mine[1])
    return older


__all__ = ["superseded_run_ids"]
