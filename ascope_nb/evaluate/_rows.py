"""``SampleRow``: one sample × repeat of an experiment, as the table, the view and
``to_dataframe()`` show it.

Example:
    >>> SampleRow(sample_id="q1", repeat=0, scores={"numeric": 1.0}).as_dict()["numeric"]
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DONE_STATUSES = ("completed", "max_iters")  # a rerun keeps these; it runs every other one again


@dataclass
class SampleRow:
    """The state and result of one sample × repeat."""

    sample_id: str
    repeat: int
    input: str = ""
    target: Any = None
    status: str = "pending"
    answer: str = ""
    error: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # category metrics' labels
    messages: dict[str, str] = field(default_factory=dict)
    run_id: str = ""
    duration: float = 0.0
    tokens: int = 0
    attempts: int = 0
    resumed: bool = False
    content_hash: str = ""  # of the sample's input and target (see ``_scoring.sample_hash``)

    @property
    def key(self) -> tuple[str, int]:
        return (self.sample_id, self.repeat)

    @property
    def finished(self) -> bool:
        return self.status not in ("pending", "running", "retrying")

    def as_dict(self, metric_names: tuple[str, ...] = ()) -> dict[str, Any]:
        row: dict[str, Any] = {
            "sample_id": self.sample_id,
            "repeat": self.repeat,
            "status": self.status,
            "input": self.input,
            "target": self.target,
            "answer": self.answer,
        }
        for name in metric_names or (*self.scores, *self.labels):
            row[name] = self.labels[name] if name in self.labels else self.scores.get(name)
        row.update(
            run_id=self.run_id,
            duration=round(self.duration, 3),
            tokens=self.tokens,
            attempts=self.attempts,
            resumed=self.resumed,
            error=self.error,
        )
        return row

    def wire(self) -> dict[str, Any]:
        """The row for the live view (JSON, short texts)."""
        return {
            "key": f"{self.sample_id}\x1f{self.repeat}",
            "sample_id": self.sample_id,
            "repeat": self.repeat,
            "status": self.status,
            "input": self.input[:300],
            "answer": self.answer[:300],
            "target": None if self.target is None else str(self.target)[:120],
            "scores": self.scores,
            "labels": self.labels,
            "run_id": self.run_id,
            "duration": round(self.duration, 2),
            "tokens": self.tokens,
            "error": (self.error or "")[:300],
        }


__all__ = ["SampleRow", "DONE_STATUSES"]
