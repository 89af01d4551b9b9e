"""One feedback rule (``ascope_nb.feedback``) for ``runs()``, the ``%runs`` table and exports."""

from __future__ import annotations

import pytest

from ascope_nb.export._record import FeedbackRecord, RunRecord
from ascope_nb.export._select import _keep
from ascope_nb.feedback import SCORE_THRESHOLD, feedback_of, is_up, matches_feedback
from ascope_nb.notebook.runs_table import row_matches


@pytest.mark.parametrize(
    ("label", "score", "up", "side"),
    [
        ("up", 0.0, True, "up"),  # a thumb wins over a score
        ("down", 1.0, False, "down"),
        (None, SCORE_THRESHOLD, True, "up"),  # at the threshold counts as up
        (None, 0.49, False, "down"),
        (None, None, None, ""),
        (None, float("nan"), False, ""),  # NaN: exporters compare, runs() shows no side
    ],
)
def test_labels_and_threshold(
    label: str | None, score: float | None, up: object, side: str
) -> None:
    assert is_up(label, score) is up
    assert feedback_of(label, score) == side


@pytest.mark.parametrize(
    ("wanted", "side", "judged", "kept"),
    [
        (None, "", False, True),
        ("any", "", True, True),  # judged (a comment only) without a side
        ("any", "", False, False),
        ("none", "up", True, False),
        ("up", "down", True, False),
        ("down", "down", True, True),
        ("", "up", True, True),  # an empty filter keeps every run
    ],
)
def test_the_run_filter(wanted: str | None, side: str, judged: bool, kept: bool) -> None:
    assert matches_feedback(wanted, side=side, judged=judged) is kept


def test_the_table_uses_the_same_rule() -> None:
    row = {"agent": "a", "status": "completed", "feedback": "down"}
    assert [row_matches(row, {"feedback": f}) for f in ("up", "down", "any", "none")] == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        (None, {"up": False, "down": False, "any": False, "none": True}),
        (FeedbackRecord(score=None, label=None, comment="hm"), {"any": True, "none": False}),
        (FeedbackRecord(score=0.7, label=None), {"up": True, "down": False}),
        (FeedbackRecord(score=0.9, label="down"), {"up": False, "down": True}),
    ],
)
def test_the_export_selection_uses_the_same_rule(
    item: FeedbackRecord | None, kept: dict[str, bool]
) -> None:
    record = RunRecord(run_id="r1", feedback=[item] if item else [])
    got = {f: _keep(record, None, None, None, f, SCORE_THRESHOLD) for f in kept}  # type: ignore[arg-type]
    assert got == kept
