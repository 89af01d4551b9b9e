"""Which stored runs belong to an experiment (its sample runs are titled ``"<name> · ..."``
and carry ``metadata["experiment"]``). Read by ``ascope_nb.evaluate`` (resuming) and
``ascope_nb.export`` (``experiment=`` filter), so neither imports the other.

Example:
    >>> from ascope_nb.store import RunStore
    >>> experiment_run_ids(RunStore(":memory:"), "exp")
    []
"""

from __future__ import annotations

from typing import Any


def title_prefix(name: str) -> str:
    """The title every sample run of experiment ``name`` starts with."""
    return f"{name} · "


def experiment_run_ids(store: Any, name: str) -> list[str]:
    """The ids of the stored runs of experiment ``name`` (by title, then by metadata)."""
    store.flush()
    runs = store.runs()
    if runs.empty:
        return []
    candidates = list(runs[runs["title"].astype(str).str.startswith(title_prefix(name))]["run_id"])
    if not candidates:
        return []
    return [
        data["run_id"]
        for data in store.event_dicts(candidates, kinds=["run_started"])
        if (data.get("metadata") or {}).get("experiment") == name
    ]
