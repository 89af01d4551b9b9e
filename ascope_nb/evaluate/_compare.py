"""``compare(exp_a, exp_b)``: paired metric deltas, wins and losses per sample, and the two
transcripts of a sample side by side.

Samples are paired by (sample id, repeat); only pairs scored in both count. A "win" is a
sample where B scores higher than A.

Example:
    >>> cmp = compare(exp_a, exp_b)  # doctest: +SKIP
    >>> cmp.summary()                # metric, mean_a, mean_b, delta, ci_low, ci_high, wins, losses, ties, n  # doctest: +SKIP
    >>> cmp.side_by_side("q7")       # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError
from ._html import FONT, table_html
from ._stats import mean_ci

if TYPE_CHECKING:
    import pandas as pd

    from ._experiment import Experiment


class Comparison:
    """Paired comparison of two experiments over the samples both scored."""

    def __init__(self, a: Experiment, b: Experiment, metrics: list[str]) -> None:
        self.a, self.b, self.metrics = a, b, metrics
        self.pairs: list[dict[str, Any]] = []
        for key, row_a in a.rows.items():
            row_b = b.rows.get(key)
            if row_b is None:
                continue
            pair: dict[str, Any] = {"sample_id": key[0], "repeat": key[1], "input": row_a.input}
            for m in metrics:
                sa, sb = row_a.scores.get(m), row_b.scores.get(m)
                pair[f"{m}_a"], pair[f"{m}_b"] = sa, sb
                pair[f"{m}_delta"] = None if sa is None or sb is None else sb - sa
            pair.update(
                answer_a=row_a.answer,
                answer_b=row_b.answer,
                run_id_a=row_a.run_id,
                run_id_b=row_b.run_id,
            )
            self.pairs.append(pair)

    def summary_rows(self) -> list[dict[str, Any]]:
        out = []
        for m in self.metrics:
            deltas = [p[f"{m}_delta"] for p in self.pairs if p[f"{m}_delta"] is not None]
            scored = [p for p in self.pairs if p[f"{m}_delta"] is not None]
            ci = mean_ci(deltas)
            out.append(
                {
                    "metric": m,
                    "mean_a": mean_ci([p[f"{m}_a"] for p in scored]).mean,
                    "mean_b": mean_ci([p[f"{m}_b"] for p in scored]).mean,
                    "delta": ci.mean,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                    "wins": sum(1 for d in deltas if d > 0),
                    "losses": sum(1 for d in deltas if d < 0),
                    "ties": sum(1 for d in deltas if d == 0),
                    "n": ci.n,
                }
            )
        return out

    def summary(self) -> pd.DataFrame:
        """One row per metric: both means, the paired delta (B − A) with its 95% CI,
        wins/losses/ties of B against A, and the number of pairs."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows())

    def to_dataframe(self) -> pd.DataFrame:
        """One row per paired sample: each metric for A and B and the delta, both answers."""
        import pandas as pd

        return pd.DataFrame(self.pairs)

    def changed(self, metric: str | None = None) -> list[dict[str, Any]]:
        """The pairs whose score differs on ``metric`` (the first metric by default)."""
        m = metric or self.metrics[0]
        return [p for p in self.pairs if p[f"{m}_delta"] not in (None, 0)]

    def side_by_side(self, sample_id: str, repeat: int = 0) -> Any:
        """The two transcripts of one sample next to each other (an HTML display object)."""
        from IPython.display import HTML

        from ._view import transcript_html

        pair = next(
            (p for p in self.pairs if p["sample_id"] == str(sample_id) and p["repeat"] == repeat),
            None,
        )
        if pair is None:
            raise ConfigError(f"sample {sample_id!r} (repeat {repeat}) is not in both experiments")
        cols = "".join(
            f"<div style='flex:1;min-width:0'><div style='font-weight:600'>{html.escape(exp.name)}</div>"
            f"{transcript_html(run_id) if run_id else '(not run)'}</div>"
            for exp, run_id in ((self.a, pair["run_id_a"]), (self.b, pair["run_id_b"]))
        )
        return HTML(f"<div style='display:flex;gap:12px;{FONT}'>{cols}</div>")

    def _repr_html_(self) -> str:
        head = (
            f"<div style='font-weight:600'>{html.escape(self.a.name)} (A) vs {html.escape(self.b.name)} (B): "
            f"{len(self.pairs)} paired samples</div>"
        )
        summary = table_html(
            self.summary_rows(),
            [
                "metric",
                "mean_a",
                "mean_b",
                "delta",
                "ci_low",
                "ci_high",
                "wins",
                "losses",
                "ties",
                "n",
            ],
        )
        changed = self.changed() if self.metrics else []
        cols = (
            ["sample_id", "repeat", *(f"{self.metrics[0]}_{s}" for s in ("a", "b", "delta"))]
            if self.metrics
            else []
        )
        detail = (
            f"<div style='margin-top:6px'>Samples whose {html.escape(self.metrics[0])} changed "
            f"(<code>.side_by_side(id)</code> shows both transcripts):</div>{table_html(changed, [*cols, 'answer_a', 'answer_b'])}"
            if changed
            else ""
        )
        return f"<div style='{FONT}'>{head}{summary}{detail}</div>"

    def __repr__(self) -> str:
        return f"Comparison(a={self.a.name!r}, b={self.b.name!r}, pairs={len(self.pairs)})"


def compare(a: Experiment, b: Experiment, *, metrics: list[str] | None = None) -> Comparison:
    """Compare two experiments on the samples both ran (paired by sample id and repeat)."""
    from ._experiment import Experiment

    for exp in (a, b):
        if not isinstance(exp, Experiment):
            raise ConfigError(f"compare() takes two experiments, got {type(exp).__name__}")
    names = metrics or [m for m in a.metric_names if m in b.metric_names]
    if not names:
        raise ConfigError(f"experiments {a.name!r} and {b.name!r} share no metric")
    unknown = [m for m in names if m not in a.metric_names or m not in b.metric_names]
    if unknown:
        raise ConfigError(f"metric(s) {unknown} are not in both experiments")
    return Comparison(a, b, names)


__all__ = ["Comparison", "compare"]
