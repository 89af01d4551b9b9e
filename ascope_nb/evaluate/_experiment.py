"""``experiment()``: run an agent over a dataset, score every answer, watch it live.

Every sample × repeat is a normal stored run (``start()``), tagged in its metadata with the
experiment's name, the sample id, the repeat and the attempt; metric scores are stored
with the run as ``FeedbackGiven(metric=...)`` events (the first metric last, so it is the
run's score: ``%runs`` shows it and the exporters use it as the reward). Rerunning an
experiment with the same name runs only what is missing (see ``_resume``).

Example:
    >>> exp = experiment(agent=Friday, dataset=df, input="question", target="answer",  # doctest: +SKIP
    ...                  metrics=["numeric", "contains"], concurrency=16, name="friday-v2")
    >>> exp            # live view  # doctest: +SKIP
    >>> await exp      # doctest: +SKIP
    >>> exp.to_dataframe()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .. import hooks
from ..events import FeedbackGiven
from ..exceptions import ConfigError
from ._agent_copy import agent_factory
from ._dataset import Column, Sample, load_samples
from ._engine import Engine, EngineStatus
from ._metric_base import MetricBase, MetricResult
from ._resume import finished_rows, title_prefix
from ._rows import DONE_STATUSES, SampleRow
from ._running import claim, claim_in_store, release
from ._scoring import as_score, category_label, is_category, label_comment, sample_hash
from ._stats import MeanCI, mean_ci
from ._task import SolutionOutput
from .metrics import metric_for

if TYPE_CHECKING:
    import pandas as pd

_log = logging.getLogger("ascope_nb.evaluate")
ExperimentStatus = EngineStatus
RATE_LIMIT_MARKERS = ("429", "rate limit", "ratelimit", "too many requests")


def is_rate_limited(error: str | None) -> bool:
    """Whether a run's error text says the endpoint refused for rate limits."""
    text = (error or "").lower()
    return any(marker in text for marker in RATE_LIMIT_MARKERS)


class Experiment(Engine):
    """A running (or finished) experiment: awaitable, displayable, steerable (``stop``,
    ``pause``, ``resume``); ``to_dataframe()``/``summary()`` give its results. Runs on the
    evaluation ``Engine``: an item is a sample × repeat, run as an agent run."""

    what = "this experiment"

    def __init__(
        self,
        *,
        name: str,
        make_agent: Callable[[], Any],
        samples: Sequence[Sample],
        metric_specs: Sequence[Any],
        concurrency: int,
        repeats: int,
        backend: str,
        timeout: float | None,
        retries: int,
        token_budget: int | None,
        backoff: float,
    ) -> None:
        super().__init__(name=name, concurrency=concurrency)
        self.samples = {s.id: s for s in samples}
        self.repeats, self.backend_name = repeats, backend
        self.timeout, self.retries, self.token_budget, self.backoff = (
            timeout,
            retries,
            token_budget,
            backoff,
        )
        self._make_agent = make_agent
        self._metrics: dict[str, list[MetricBase]] = {}
        for s in samples:
            try:
                self._metrics[s.id] = (
                    list(s.metrics)
                    if s.metrics is not None
                    else [
                        metric_for(spec, target=s.target, question=s.input) for spec in metric_specs
                    ]
                )
            except ConfigError as exc:
                raise ConfigError(f"sample {s.id!r}: {exc}") from None
        self.metrics_by_name: dict[str, MetricBase] = {}  # the first of each name (its type)
        for metric_list in self._metrics.values():
            for metric in metric_list:
                self.metrics_by_name.setdefault(metric.name, metric)
        self.metric_names: tuple[str, ...] = tuple(self.metrics_by_name)
        self.rows: dict[tuple[str, int], SampleRow] = {
            (s.id, r): SampleRow(
                sample_id=s.id,
                repeat=r,
                input=s.input,
                target=s.target,
                content_hash=sample_hash(s.input, s.target),
            )
            for r in range(repeats)
            for s in samples
        }
        self._total = len(self.rows)
        self.tokens = 0
        self.resumed = 0
        self.changed = 0  # stored results not resumed: their sample's input or target changed
        self._view: Any = None

    # ------------------------------------------------------------------ running
    def _launch(self) -> Experiment:
        self._bind_loop()
        claim(self.name, self)  # a second start of a running name: one clear line
        try:  # ... also from another process sharing the run store
            store = claim_in_store(self.name)
        except BaseException:
            release(self.name, self)
            raise
        super()._launch()
        assert self._task is not None
        self._task.add_done_callback(lambda t: release(self.name, self, store=store))
        return self

    async def run(self) -> Experiment:
        """Run every pending sample in this task, claiming the name like a background start."""
        self._bind_loop()
        claim(self.name, self)
        try:
            store = claim_in_store(self.name)
        except BaseException:
            release(self.name, self)
            raise
        try:
            await super().run()
        finally:
            release(self.name, self, store=store)
        return self

    def _make_backend(self) -> Any:
        if self.backend_name == "ray":
            from ._ray_backend import RayBackend

            return RayBackend(self._make_agent, concurrency=self.concurrency)
        from ._asyncio_backend import AsyncioBackend

        return AsyncioBackend(self._make_agent)

    async def _pending(self) -> list[Any]:
        """Resume: rows a stored run finished and scored (same input and target) are done."""
        from ..store import default_store

        done = await asyncio.to_thread(
            finished_rows, default_store(), self.name, self.metric_names, self.metrics_by_name
        )
        for key, row in done.items():
            if key in self.rows:
                mine = self.rows[key]
                if row.content_hash != mine.content_hash:
                    self.changed += 1
                    continue
                row.input, row.target = mine.input, mine.target
                self.rows[key] = row
                self.resumed += 1
                self._item_resumed()
        if self.changed:
            _log.warning(
                "experiment %r: %d sample(s) changed (input or target) since their stored "
                "run; running them again",
                self.name,
                self.changed,
            )
        return [key for key, row in self.rows.items() if not row.resumed]

    def _on_end(self) -> None:
        assert self.ended_at is not None
        _end_experiment_span(self.name, self.ended_at)

    async def _run_item(self, key: Any) -> None:
        await self._run_row(self.rows[key])

    def _item_failed(self, key: Any, exc: Exception) -> None:
        self._fail_row(self.rows[key], exc)

    def _over_budget(self) -> bool:
        return self.token_budget is not None and self.tokens >= self.token_budget

    def _title(self, row: SampleRow) -> str:
        suffix = f" #{row.repeat}" if self.repeats > 1 else ""
        return f"{title_prefix(self.name)}{row.sample_id}{suffix}"

    async def _run_row(self, row: SampleRow) -> None:
        sample = self.samples[row.sample_id]
        for attempt in range(self.retries + 1):
            row.status, row.attempts = "running", row.attempts + 1
            self._notify(row)
            tags = {
                "experiment": self.name,
                "sample_id": row.sample_id,
                "repeat": row.repeat,
                "attempt": attempt,
                "target": None if sample.target is None else str(sample.target),
                "sample_hash": row.content_hash,
            }
            # a fresh environment (tools, simulator state) for every attempt
            environment = sample.environment() if sample.environment is not None else None
            outcome, emit = await self._backend.run_sample(  # raising: the engine fails it
                sample.input,
                title=self._title(row),
                tags=tags,
                timeout=self.timeout,
                environment=environment,
            )
            row.run_id, row.status, row.answer, row.error = (
                outcome.run_id,
                outcome.status,
                outcome.answer,
                outcome.error,
            )
            row.duration += outcome.duration
            row.tokens += outcome.tokens
            self.tokens += outcome.tokens
            retry = (
                outcome.status == "error"
                and is_rate_limited(outcome.error)
                and attempt < self.retries
                and self.status not in ("stopping", "budget_exceeded")
            )
            if not retry:
                break
            row.status = "retrying"
            self._notify(row)
            await asyncio.sleep(self.backoff * 2**attempt * (1 + random.random() / 4))
        await self._score(row, outcome, emit)
        self._end_row(row)

    def _fail_row(self, row: SampleRow, exc: BaseException) -> None:
        row.status, row.error = "error", f"{type(exc).__name__}: {exc}"
        first_line = (str(exc).strip().splitlines() or [""])[0]
        _log.warning(
            "experiment %r: sample %r failed to run: %s: %s",
            self.name,
            row.sample_id,
            type(exc).__name__,
            first_line,
        )
        self._end_row(row)

    def _end_row(self, row: SampleRow) -> None:
        self._item_ended(row)

    async def _score(self, row: SampleRow, outcome: Any, emit: Callable[[Any], None]) -> None:
        solution = SolutionOutput(
            success=outcome.status in DONE_STATUSES,
            output=outcome.solution_output if outcome.has_solution_output else outcome.answer,
            trajectory=outcome.trajectory,
            meta={"run_id": outcome.run_id, "status": outcome.status},
        )
        results: list[tuple[MetricBase, MetricResult]] = []
        for metric in self._metrics[row.sample_id]:
            try:
                result = await metric(solution)
            except Exception as exc:  # a broken metric scores 0 and says why; the rest go on
                _log.warning("metric %r failed on sample %r: %s", metric.name, row.sample_id, exc)
                result = MetricResult(name=metric.name, result=0.0, message=f"metric failed: {exc}")
            results.append((metric, result))
        for metric, result in reversed(results):  # the first metric last: the run's score
            if is_category(metric):
                label = category_label(result)
                row.labels[result.name] = label
                value, comment = None, label_comment(label, result.message)
            else:
                value = as_score(result.result)
                row.scores[result.name] = value if value is not None else float("nan")
                comment = result.message or str(result.result)
            row.messages[result.name] = result.message or ""
            emit(FeedbackGiven(agent=self.name, score=value, comment=comment, metric=result.name))

    # ------------------------------------------------------------------ control
    async def wait(self, timeout: float | None = None) -> Experiment:
        """Wait until every sample ran (``await exp`` does the same); returns the experiment."""
        try:
            await super().wait(timeout)
        finally:
            if self._view is not None and self.done:
                self._view.flush()
        return self

    # ------------------------------------------------------------------ results
    def counts(self) -> dict[str, int]:
        """How many samples × repeats are in each status."""
        out: dict[str, int] = {}
        for row in self.rows.values():
            out[row.status] = out.get(row.status, 0) + 1
        return out

    def metric_summary(self) -> dict[str, MeanCI]:
        """Each metric's mean and 95% CI over the scored samples so far (a metric whose
        scores all lie in [0, 1] gets its interval clipped to [0, 1])."""
        out = {}
        for name in self.metric_names:
            if is_category(self.metrics_by_name.get(name)):
                continue
            values = [
                r.scores[name]
                for r in self.rows.values()
                if name in r.scores and r.scores[name] == r.scores[name]
            ]
            out[name] = mean_ci(
                values, bounds=(0.0, 1.0) if all(0 <= v <= 1 for v in values) else None
            )
        return out

    def to_dataframe(self) -> pd.DataFrame:
        """One row per sample × repeat: status, input, target, answer, each metric, run_id..."""
        import pandas as pd

        return pd.DataFrame([row.as_dict(self.metric_names) for row in self.rows.values()])

    def category_counts(self) -> dict[str, dict[str, int]]:
        """Each category metric's labels so far: ``{metric: {label: count}}``."""
        out: dict[str, dict[str, int]] = {}
        for name, metric in self.metrics_by_name.items():
            if not is_category(metric):
                continue
            counts = out[name] = dict.fromkeys(metric.categories or [], 0)
            for row in self.rows.values():
                if name in row.labels:
                    counts[row.labels[name]] = counts.get(row.labels[name], 0) + 1
        return out

    def summary(self) -> pd.DataFrame:
        """One row per numerical metric (mean, 95% CI, number of scored samples) and one per
        category of each category metric (``category``, ``count``; ``mean`` is its share)."""
        import pandas as pd

        rows: list[dict[str, Any]] = [
            {"metric": name, "mean": m.mean, "ci_low": m.low, "ci_high": m.high, "n": m.n}
            for name, m in self.metric_summary().items()
        ]
        for name, counts in self.category_counts().items():
            total = sum(counts.values())
            for label, count in counts.items():
                share = mean_ci([1.0] * count + [0.0] * (total - count), bounds=(0.0, 1.0))
                rows.append(
                    {
                        "metric": name,
                        "mean": share.mean,
                        "ci_low": share.low,
                        "ci_high": share.high,
                        "n": total,
                        "category": label,
                        "count": count,
                    }
                )
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ display
    @property
    def view(self) -> Any:
        """The live widget of this experiment (made on first use)."""
        if self._view is None:
            from ._view import ExperimentView

            self._view = ExperimentView(self)
        return self._view

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.view._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        return (
            f"Experiment(name={self.name!r}, samples={len(self.rows)}, "
            f"finished={self.finished}, status={self.status!r})"
        )


def _end_experiment_span(name: str, ts: float) -> None:
    hooks.end_experiment_span(name, ts)  # answered once tracing is set up


def experiment(
    *,
    agent: Any,
    dataset: Any,
    input: Column = "input",
    target: Column | None = "target",
    id: Column | None = "id",
    metrics: Sequence[Any] = ("exact",),
    concurrency: int = 8,
    repeats: int = 1,
    backend: Literal["asyncio", "ray"] = "asyncio",
    name: str | None = None,
    timeout: float | None = None,
    retries: int = 2,
    backoff: float = 1.0,
    token_budget: int | None = None,
) -> Experiment:
    """Start an experiment in the background and return it at once (display it to watch).

    Args:
        agent: a template agent (each sample gets a fresh copy: same model, tools, prompt,
            empty memory, no approval prompts) or a function making one.
        dataset: a DataFrame, a list of dicts, a ``datasets.Dataset``, a JSONL path, or a
            ``BenchmarkBase`` (its tasks' own metrics are used).
        input, target, id: column names (or functions of a row) for the user message, the
            expected answer and the sample id (default: the row number).
        metrics: built-in names (``exact``, ``numeric``, ``contains``, ``regex:PATTERN``,
            ``tool_called[:NAME]``), ``metrics.judge(model)``, ``MetricBase`` objects or
            functions ``f(answer, target)``. The first is the run's score.
        concurrency: samples running at once. repeats: runs per sample.
        backend: ``"asyncio"`` (this kernel) or ``"ray"`` (Ray actors; ``RAY_ADDRESS``).
        name: the experiment's name (rerunning a name resumes it); default from the agent.
        timeout: seconds per sample (then stopped, status "timeout"). retries/backoff: reruns
            of a sample refused for rate limits, waiting backoff·2^k s. token_budget: stop
            starting samples once this many tokens were used.

    Runs go to the default run store (``ASCOPE_STORE``), like every run.
    """
    if not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigError(f"concurrency must be a positive integer, got {concurrency!r}")
    if not isinstance(repeats, int) or repeats < 1:
        raise ConfigError(f"repeats must be a positive integer, got {repeats!r}")
    if backend not in ("asyncio", "ray"):
        raise ConfigError(f"backend must be 'asyncio' or 'ray', got {backend!r}")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"timeout must be positive seconds, got {timeout!r}")
    if not isinstance(retries, int) or retries < 0:
        raise ConfigError(f"retries must be a non-negative integer, got {retries!r}")
    if isinstance(metrics, (str, MetricBase)) or callable(metrics):
        metrics = [metrics]
    if not metrics:
        raise ConfigError("an experiment needs at least one metric")
    if backend == "ray":
        from ._ray_pool import import_ray

        import_ray()
    make_agent = agent_factory(agent)
    samples = load_samples(dataset, input=input, target=target, id=id)
    if name is None:
        name = getattr(agent, "name", None) or getattr(agent, "__name__", "experiment")
    if not isinstance(name, str) or not name.strip() or " · " in name:
        raise ConfigError(f"experiment name must be a non-empty string without ' · ', got {name!r}")
    exp = Experiment(
        name=name,
        make_agent=make_agent,
        samples=samples,
        metric_specs=list(metrics),
        concurrency=concurrency,
        repeats=repeats,
        backend=backend,
        timeout=timeout,
        retries=retries,
        token_budget=token_budget,
        backoff=backoff,
    )
    return exp._launch()


__all__ = ["Experiment", "experiment", "is_rate_limited"]
