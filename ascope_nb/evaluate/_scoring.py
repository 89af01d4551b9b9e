"""Reading metric results as scores or category labels, and a sample's content hash.

A metric's result is a number (``bool``, ``int``, ``float``, any ``numbers.Real`` or numpy
scalar) or, for a ``CATEGORY`` metric, a label. A sample's hash covers what its answer and
score depend on (input and target), so a resumed experiment reruns samples that changed.

Example:
    >>> import numpy as np
    >>> as_score(np.float32(0.5)), as_score(np.bool_(True)), as_score("happy")
    (0.5, 1.0, None)
    >>> sample_hash("What is 2+2?", 4) == sample_hash("What is 2+2?", "4")
    True
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from typing import Any

from ._metric_base import MetricBase, MetricResult, MetricType


def as_score(value: Any) -> float | None:
    """``value`` as a float score, or None when it is no number (a label, None, NaN)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy scalars (np.bool_ is no numbers.Real)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, numbers.Real):
        score = float(value)
        return None if math.isnan(score) else score
    return None


def is_category(metric: MetricBase | None) -> bool:
    return metric is not None and metric.metric_type == MetricType.CATEGORY


def category_label(result: MetricResult) -> str:
    """The label a category metric gave (its result as text)."""
    return str(result.result)


def label_comment(label: str, message: str | None) -> str:
    """The stored comment of a category result: the label, then the message."""
    return f"{label}: {message}" if message else label


def label_from_comment(comment: str, categories: list[str] | None) -> str:
    """The label back from a stored comment (the longest known category it starts with)."""
    for category in sorted(categories or [], key=len, reverse=True):
        if comment == category or comment.startswith(f"{category}: "):
            return category
    return comment


def sample_hash(input: Any, target: Any) -> str:
    """A short content hash of a sample's input and target (targets compared as text)."""
    data = json.dumps(
        [input, None if target is None else str(target)], ensure_ascii=False, default=str
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


__all__ = [
    "as_score",
    "category_label",
    "is_category",
    "label_comment",
    "label_from_comment",
    "sample_hash",
]
