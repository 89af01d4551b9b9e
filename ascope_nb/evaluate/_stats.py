"""Means with 95% confidence intervals (Student's t), for metric summaries and comparisons.

Example:
    >>> m = mean_ci([1.0, 0.0, 1.0, 1.0])
    >>> round(m.mean, 2), m.n, m.low < m.mean < m.high
    (0.75, 4, True)
    >>> mean_ci([1.0, 0.0, 1.0], bounds=(0.0, 1.0)).low
    0.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# two-sided 95% quantiles of Student's t for 1..30 degrees of freedom
_T95 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t95(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (normal past 30)."""
    if df < 1:
        return math.nan
    if df <= 30:
        return _T95[df - 1]
    return 1.960 + 2.4 / df  # within 0.3% of the exact quantile for df > 30


@dataclass(frozen=True)
class MeanCI:
    """A mean and its 95% confidence interval over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def mean_ci(values: Sequence[float], *, bounds: tuple[float, float] | None = None) -> MeanCI:
    """Mean and 95% CI; with fewer than two values the interval is the mean itself.
    ``bounds`` clips the interval to the values a score can take (e.g. (0, 1))."""
    n = len(values)
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, 0)
    mean = sum(values) / n
    if n < 2:
        return MeanCI(mean, mean, mean, n)
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = t95(n - 1) * math.sqrt(variance / n)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return MeanCI(mean, low, high, n)


__all__ = ["MeanCI", "mean_ci", "t95"]
