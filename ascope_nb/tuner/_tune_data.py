"""The dataset ``%tune`` trains on: runs picked by feedback, metric or filter, exported as TRL
rows, every row checked before any training starts.

A row that cannot teach anything is rejected with its reason (no assistant text or tool
call, a missing field, a chosen equal to its rejected); a selected run that gave no row is
listed too. ``require_trainable()`` turns an empty or all-rejected dataset into ONE
``TuneDatasetError`` line, so nothing is trained on a bad dataset.

Example:
    >>> ds = dataset_from_rows([{"prompt": [{"role": "user", "content": "hi"}],
    ...                          "completion": [{"role": "assistant", "content": ""}]}])
    >>> ds.counts()["rejected"], ds.rejected[0].reason
    (1, 'completion has no assistant text or tool call')
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import hooks
from ..exceptions import ConfigError
from ..redact import redact_text
from ._progress import TrainMethod

METHODS: tuple[str, ...] = ("sft", "dpo", "kto")
_FORMAT = {"sft": "trl-sft", "dpo": "trl-dpo", "kto": "trl-kto"}
_KEYS = {
    "sft": ("prompt", "completion"),
    "dpo": ("prompt", "chosen", "rejected"),
    "kto": ("prompt", "completion", "label"),
}


class TuneDatasetError(ConfigError):
    """The dataset cannot be trained on (empty, no assistant tokens, wrong format)."""


@dataclass(frozen=True)
class Rejected:
    """A row (or a selected run) left out, and why."""

    where: str  # "run <id>", "row 3", "line 7"
    reason: str
    run_id: str = ""


@dataclass
class TuneDataset:
    """The checked rows of one training: ``rows`` are kept, ``rejected`` say why not."""

    method: TrainMethod
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_runs: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    source: str = ""

    def counts(self) -> dict[str, int]:
        return {"samples": len(self.rows), "rejected": len(self.rejected), "runs": len(self.runs)}

    def require_trainable(self) -> None:
        """Raise one ``TuneDatasetError`` line when there is nothing to train on."""
        where = f" from {self.source}" if self.source else ""
        if self.rows:
            return
        if self.rejected:
            first = self.rejected[0]
            raise TuneDatasetError(
                f"no trainable {self.method} sample{where}: all {len(self.rejected)} rejected "
                f"(first: {first.where}: {first.reason})"
            )
        raise TuneDatasetError(
            f"the {self.method} dataset{where} is empty: {len(self.runs)} run(s) selected, "
            "none gave a training row (pick runs with feedback, a metric or a filter)"
        )

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the kept rows as JSONL (the file the backend trains on)."""
        from ..export._write import write_jsonl

        write_jsonl(iter(self.rows), path)
        return Path(path)

    def preview_rows(self, *, limit: int = 50) -> list[dict[str, str]]:
        """Short, redacted text of each row: run, prompt (last user text), completion."""
        out = []
        for i, (row, run_id) in enumerate(zip(self.rows, self.row_runs, strict=False)):
            target = row.get("completion") or row.get("chosen") or []
            item = {
                "#": str(i + 1),
                "run": run_id[:12],
                "prompt": _clip(_last_text(row.get("prompt") or [], "user")),
                "completion": _clip(_assistant_text(target)),
            }
            if self.method == "dpo":
                item["rejected"] = _clip(_assistant_text(row.get("rejected") or []))
            if self.method == "kto":
                item["label"] = "good" if row.get("label") else "bad"
            out.append(item)
            if len(out) >= limit:
                break
        return out

    def preview(self, *, limit: int = 50) -> dict[str, Any]:
        """What the dataset view shows (redacted): method, counts, rows, rejected, source."""
        return {
            "method": self.method,
            "counts": self.counts(),
            "rows": self.preview_rows(limit=limit),
            "rejected": [
                {"where": r.where, "reason": redact_text(r.reason)} for r in self.rejected
            ],
            "source": self.source,
        }

    def _repr_html_(self) -> str:
        # the views layer draws it (the tuner never imports views: DESIGN.md §9)
        return str(hooks.live_view(self.preview(), kind="tune-dataset", title="")._repr_html_())

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"TuneDataset(method={self.method!r}, samples={c['samples']}, "
            f"rejected={c['rejected']}, runs={c['runs']})"
        )


def _clip(text: str, limit: int = 160) -> str:
    text = redact_text(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _content_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return "" if content is None else str(content)


def _last_text(messages: list[dict[str, Any]], role: str) -> str:
    for msg in reversed(messages):
        if isinstance(msg, dict) and msg.get("role") == role:
            return _content_text(msg.get("content"))
    return ""


def _assistant_text(messages: list[dict[str, Any]]) -> str:
    parts = []
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        text = _content_text(msg.get("content")).strip()
        if text:
            parts.append(text)
        for call in msg.get("tool_calls") or []:
            fn = call.get("function", {}) if isinstance(call, dict) else {}
            parts.append(f"{fn.get('name', '?')}({fn.get('arguments', '')})")
    return " ".join(parts)


def _has_assistant_tokens(messages: Any) -> bool:
    return isinstance(messages, list) and any(
        isinstance(m, dict)
        and m.get("role") == "assistant"
        and (_content_text(m.get("content")).strip() or m.get("tool_calls"))
        for m in messages
    )


def check_row(row: Any, method: TrainMethod) -> str | None:
    """Why ``row`` cannot be trained on with ``method`` (None when it can).

    Example:
        >>> check_row({"prompt": []}, "sft")
        "missing 'completion' (sft rows need prompt, completion)"
    """
    if not isinstance(row, dict):
        return f"not a JSON object ({type(row).__name__})"
    keys = _KEYS[method]
    missing = [k for k in keys if k not in row]
    if missing:
        return f"missing {missing[0]!r} ({method} rows need {', '.join(keys)})"
    if not isinstance(row["prompt"], list) or not row["prompt"]:
        return "prompt is not a non-empty list of messages"
    if method == "dpo":
        if not _has_assistant_tokens(row["chosen"]):
            return "chosen has no assistant text or tool call"
        if not _has_assistant_tokens(row["rejected"]):
            return "rejected has no assistant text or tool call"
        if row["chosen"] == row["rejected"]:
            return "chosen and rejected are the same"
        return None
    if not _has_assistant_tokens(row["completion"]):
        return "completion has no assistant text or tool call"
    if method == "kto" and not isinstance(row["label"], bool):
        return f"label must be true or false, got {row['label']!r}"
    return None


def dataset_from_rows(
    rows: Iterable[Any],
    *,
    method: TrainMethod = "sft",
    run_ids: Iterable[str] | None = None,
    where: str = "row",
    source: str = "",
) -> TuneDataset:
    """Check ``rows`` one by one into a ``TuneDataset`` (kept or rejected with a reason)."""
    check_method(method)
    ds = TuneDataset(method=method, source=source)
    ids = list(run_ids) if run_ids is not None else None
    for i, row in enumerate(rows):
        run_id = ids[i] if ids is not None and i < len(ids) else ""
        reason = check_row(row, method)
        if reason is None:
            ds.rows.append(row)
            ds.row_runs.append(run_id)
        else:
            ds.rejected.append(Rejected(f"{where} {i + 1}", reason, run_id))
    return ds


def dataset_from_file(path: str | os.PathLike[str], *, method: TrainMethod = "sft") -> TuneDataset:
    """Read and check a JSONL file (as ``ascope_nb.export`` writes it); a line that is not
    JSON is rejected with its line number; a missing file is one ``TuneDatasetError`` line."""
    check_method(method)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TuneDatasetError(f"cannot read dataset {str(path)!r}: {exc}") from None
    ds = TuneDataset(method=method, source=repr(str(path)))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            ds.rejected.append(Rejected(f"line {number}", f"not JSON ({exc.msg})"))
            continue
        reason = check_row(row, method)
        if reason is None:
            ds.rows.append(row)
            ds.row_runs.append("")
        else:
            ds.rejected.append(Rejected(f"line {number}", reason))
    return ds


def select_runs(
    source: Any = None,
    *,
    store: Any = None,
    run_ids: str | Collection[str] | None = None,
    feedback: str | None = None,
    status: str | Collection[str] | None = None,
    agent: str | Collection[str] | None = None,
    experiment: str | None = None,
    metric: str | None = None,
    min_score: float | None = None,
    where: str | None = None,
) -> list[Any]:
    """The ``RunRecord`` of each picked run: the export filters (``feedback``, ``status``,
    ``agent``, ``experiment``, ``run_ids``), a metric threshold (``metric`` scored at least
    ``min_score``; the run's score when ``metric`` is None) and ``where``, a pandas
    ``DataFrame.query`` over the runs table (``n_steps > 1 and agent == 'Friday'``)."""
    from ..export import iter_runs

    if source is None and store is None:
        from ..store import default_store

        store = default_store()
    if where is not None:
        frame = (source if hasattr(source, "runs") else store).runs()
        try:
            picked = frame.query(where)
        except Exception as exc:  # pandas raises many kinds for a bad expression
            raise ConfigError(f"filter {where!r} is not a valid runs-table query ({exc})") from None
        chosen = set(picked["run_id"].astype(str))
        run_ids = chosen if run_ids is None else chosen & _as_set(run_ids)
    records = list(
        iter_runs(
            source if source is not None else store, store=store, run_ids=run_ids,
            status=status, feedback=feedback, agent=agent, experiment=experiment,  # type: ignore[arg-type]
        )
    )  # fmt: skip
    if min_score is None:
        return records
    return [r for r in records if (s := _score(r, metric)) is not None and s >= min_score]


def _as_set(value: str | Collection[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _score(record: Any, metric: str | None) -> float | None:
    for item in reversed(record.feedback):
        if (
            item.step is None
            and item.score is not None
            and (metric is None or item.metric == metric)
        ):
            return float(item.score)
    return None


def dataset_from_runs(
    records: list[Any], *, method: TrainMethod = "sft", source: str = ""
) -> TuneDataset:
    """Export ``records`` as TRL rows for ``method`` and check each one; a run that gave no
    row is rejected as a whole (its calls were all stopped, cut or corrected)."""
    from ..export import trl

    check_method(method)
    rows: list[Any] = []
    ids: list[str] = []
    empty: list[Rejected] = []
    make = {"sft": trl.iter_trl_sft, "dpo": trl.iter_trl_dpo, "kto": trl.iter_trl_kto}[method]
    for record in records:
        mine = list(make([record]))
        if not mine:
            empty.append(Rejected(f"run {record.run_id}", _why_no_row(method), record.run_id))
        rows.extend(mine)
        ids.extend([record.run_id] * len(mine))
    ds = dataset_from_rows(rows, method=method, run_ids=ids, source=source)
    ds.runs = [r.run_id for r in records]
    ds.rejected = empty + ds.rejected
    return ds


def _why_no_row(method: str) -> str:
    if method == "dpo":
        return "no preference pair (no denied, edited or guided step)"
    if method == "kto":
        return "no labelled call (no feedback and no correction)"
    return "no training target (every call was stopped, cut or corrected)"


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def scratch_path(prefix: str = "tune-") -> Path:
    """A fresh JSONL path in the temp directory (for a dataset not yet kept)."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".jsonl")
    os.close(fd)
    return Path(path)


__all__ = [
    "METHODS",
    "Rejected",
    "TuneDataset",
    "TuneDatasetError",
    "check_row",
    "dataset_from_file",
    "dataset_from_rows",
    "dataset_from_runs",
    "select_runs",
]
