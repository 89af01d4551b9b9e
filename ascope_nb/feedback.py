"""Feedback on a run: the labels, the score threshold, and the run filter on feedback.

A person's thumb (``label`` "up"/"down") wins; without one a score counts as "up" at or above
``SCORE_THRESHOLD``. Used by ``ascope_nb.runs``, the ``%runs`` table and every exporter.

Example:
    >>> is_up("down", 0.9), is_up(None, 0.7), is_up(None, None)
    (False, True, None)
    >>> feedback_of(None, 0.2)
    'down'
    >>> matches_feedback("any", side="up", judged=True)
    True
"""

from __future__ import annotations

from typing import Any, Literal

SCORE_THRESHOLD = 0.5
"""A score at or above it counts as "up"."""

FeedbackChoice = Literal["up", "down", "any", "none"]
FEEDBACK_CHOICES: tuple[str, ...] = ("up", "down", "any", "none")


def is_up(
    label: str | None, score: float | None, threshold: float = SCORE_THRESHOLD
) -> bool | None:
    """True for up, False for down, None when there is neither a label nor a score."""
    if label is not None:
        return label == "up"
    if score is not None:
        return float(score) >= threshold
    return None


def feedback_of(label: Any, score: Any) -> str:
    """A run's feedback as ``"up"``, ``"down"`` or ``""`` (a thumb, else a score's side;
    an unknown label, a missing or NaN score count as none).

    Example:
        >>> feedback_of(None, 0.9), feedback_of("down", 1.0), feedback_of(None, None)
        ('up', 'down', '')
    """
    if label in ("up", "down"):
        return str(label)
    try:
        value = float(score)
    except (TypeError, ValueError):
        return ""
    if value != value:  # NaN: no score
        return ""
    return "up" if value >= SCORE_THRESHOLD else "down"


def matches_feedback(wanted: str | None, *, side: str, judged: bool) -> bool:
    """The run filter on feedback: ``wanted`` "up"/"down" (that side), "any" (judged),
    "none" (not judged); None or anything else keeps every run.

    Example:
        >>> matches_feedback("none", side="", judged=False), matches_feedback("up", side="down", judged=True)
        (True, False)
    """
    if wanted == "none":
        return not judged
    if wanted == "any":
        return judged
    if wanted in ("up", "down"):
        return side == wanted
    return True


__all__ = [
    "FEEDBACK_CHOICES",
    "SCORE_THRESHOLD",
    "FeedbackChoice",
    "feedback_of",
    "is_up",
    "matches_feedback",
]
