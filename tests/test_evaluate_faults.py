"""Experiments under faults and bad input, from the user's side (issue 27: items 3, 4, 5, 13):
one failing sample is that sample's error and the rest go on; a changed dataset is rerun on
resume; category metrics are counted; odd targets and numpy scores are handled per sample."""

from __future__ import annotations

import asyncio
import logging
import re

import numpy as np
import pytest

from ascope_nb import ReActAgent
from ascope_nb.evaluate import MetricBase, MetricResult, MetricType, experiment, metrics
from ascope_nb.exceptions import ConfigError
from ascope_nb.testing import FunctionModel


def _question(messages: list[dict]) -> str:
    content = [m for m in messages if m.get("role") == "user"][-1]["content"]
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict))
    return str(content)


def _adder() -> FunctionModel:
    def answer(messages, tools):
        a, b = map(int, re.findall(r"-?\d+", _question(messages))[:2])
        return f"The answer is {a + b}."

    return FunctionModel(answer)


def _sums(n: int, *, prefix: str = "q") -> list[dict]:
    return [
        {"id": f"{prefix}{i}", "input": f"What is {i} + {i}?", "target": 2 * i} for i in range(n)
    ]


async def test_token_budget_ends_with_status_budget_exceeded_not_cancelled():
    async def slow(messages, tools):
        await asyncio.sleep(0.05)
        return "The answer is 0."

    exp = experiment(
        agent=ReActAgent("B", "", FunctionModel(slow)),
        dataset=_sums(40, prefix="b"),
        metrics=["numeric"],
        concurrency=6,
        name="budget-many",
        token_budget=30,
    )
    await asyncio.wait_for(exp.wait(), 30)  # raised CancelledError before
    assert exp.status == "budget_exceeded"
    assert exp.tokens >= 30 and 0 < exp.finished < 40
    assert exp.counts().get("pending", 0) > 0  # pending samples never started


async def test_stop_with_many_in_flight_ends_as_stopped_without_raising():
    async def slow(messages, tools):
        await asyncio.sleep(0.3)
        return "ok"

    exp = experiment(
        agent=ReActAgent("S", "", FunctionModel(slow)),
        dataset=[{"input": f"q{i}", "target": "ok"} for i in range(20)],
        metrics=["exact"],
        concurrency=8,
        name="stop-many",
    )
    await asyncio.sleep(0.1)
    exp.stop()
    await asyncio.wait_for(exp.wait(), 15)
    assert exp.status == "stopped"


async def test_an_agent_factory_that_raises_once_fails_only_that_sample(caplog):
    made = {"n": 0}

    def make():
        made["n"] += 1
        if made["n"] == 3:
            raise RuntimeError("could not build the agent")
        return ReActAgent("F", "", _adder())

    with caplog.at_level(logging.WARNING, logger="ascope_nb.evaluate"):
        exp = experiment(
            agent=make,
            dataset=_sums(8, prefix="f"),
            metrics=["numeric"],
            concurrency=1,
            name="factory-once",
        )
        await exp
    assert exp.status == "completed"
    frame = exp.to_dataframe().set_index("sample_id")
    assert frame.loc["f2", "status"] == "error"
    assert "could not build the agent" in frame.loc["f2", "error"]
    assert (frame.drop("f2")["status"] == "completed").all()
    assert (frame.drop("f2")["numeric"] == 1.0).all()
    lines = [
        r.getMessage() for r in caplog.records if "could not build the agent" in r.getMessage()
    ]
    assert len(lines) == 1 and "'f2'" in lines[0] and "factory-once" in lines[0]
    assert "\n" not in lines[0]
    # the failed sample runs again on a rerun; the others are resumed
    again = experiment(
        agent=ReActAgent("F", "", _adder()),
        dataset=_sums(8, prefix="f"),
        metrics=["numeric"],
        name="factory-once",
    )
    await again
    assert again.resumed == 7
    assert again.to_dataframe().set_index("sample_id").loc["f2", "numeric"] == 1.0


async def test_resume_reruns_samples_whose_input_or_target_changed(caplog):
    data = _sums(6, prefix="r")
    first = experiment(
        agent=ReActAgent("R", "", _adder()), dataset=data, metrics=["numeric"], name="changed"
    )
    await first
    assert first.to_dataframe()["numeric"].tolist() == [1.0] * 6
    changed = [dict(row) for row in data]
    changed[1]["target"] = 999  # a corrected (here: wrong) target
    changed[4]["input"] = "What is 40 + 2?"  # a changed question
    with caplog.at_level(logging.WARNING, logger="ascope_nb.evaluate"):
        second = experiment(
            agent=ReActAgent("R", "", _adder()),
            dataset=changed,
            metrics=["numeric"],
            name="changed",
        )
        await second
    frame = second.to_dataframe().set_index("sample_id")
    assert second.resumed == 4 and second.changed == 2
    assert not frame.loc["r1", "resumed"] and frame.loc["r1", "numeric"] == 0.0
    assert not frame.loc["r4", "resumed"] and "42" in frame.loc["r4", "answer"]
    assert frame.loc["r0", "resumed"]
    lines = [r.getMessage() for r in caplog.records if "changed" in r.getMessage()]
    assert any("2 sample(s)" in line for line in lines)
    third = experiment(
        agent=ReActAgent("R", "", _adder()), dataset=changed, metrics=["numeric"], name="changed"
    )
    await third
    assert third.resumed == 6 and third.changed == 0


class Mood(MetricBase):
    def __init__(self) -> None:
        super().__init__("mood", MetricType.CATEGORY, "the answer's mood", ["happy", "sad"])

    async def __call__(self, solution):
        label = "happy" if "4" in str(solution.output) else "sad"
        return MetricResult(name="mood", result=label, message=f"saw {solution.output!r}")


async def test_category_metrics_are_counted_and_a_rerun_resumes_them():
    data = [{"id": f"c{i}", "input": f"What is {i} + 2?", "target": i + 2} for i in range(4)]
    first = experiment(
        agent=ReActAgent("C", "", _adder()),
        dataset=data,
        metrics=["numeric", Mood()],
        name="category",
    )
    await first
    frame = first.to_dataframe().set_index("sample_id")
    assert frame.loc["c2", "mood"] == "happy" and frame.loc["c0", "mood"] == "sad"
    summary = first.summary()
    mood = summary[summary["metric"] == "mood"].set_index("category")
    assert mood.loc["happy", "count"] == 1 and mood.loc["sad", "count"] == 3
    assert mood.loc["happy", "mean"] == pytest.approx(0.25)
    assert summary[summary["metric"] == "numeric"]["n"].tolist() == [4]
    second = experiment(  # crashed with TypeError in _resume before
        agent=ReActAgent("C", "", _adder()),
        dataset=data,
        metrics=["numeric", Mood()],
        name="category",
    )
    await second
    assert second.resumed == 4
    again = second.to_dataframe().set_index("sample_id")
    assert again["mood"].tolist() == frame["mood"].tolist()


async def test_a_none_target_skips_target_metrics_for_that_sample_only(caplog):
    data = [
        {"id": "n0", "input": "What is 1 + 1?", "target": 2},
        {"id": "n1", "input": "What is None + 0?", "target": None},
    ]
    exp = experiment(
        agent=ReActAgent("N", "", FunctionModel(lambda m, t: "None")),
        dataset=data,
        metrics=["contains", "exact"],
        name="none-target",
    )
    await exp
    frame = exp.to_dataframe().set_index("sample_id")
    assert frame.loc["n1", "status"] == "completed"
    assert np.isnan(frame.loc["n1", "contains"]) and np.isnan(frame.loc["n1", "exact"])
    assert frame.loc["n0", "contains"] == 0.0  # scored normally
    assert exp.summary().set_index("metric").loc["contains", "n"] == 1
    with pytest.raises(ConfigError, match="target"):
        metrics.contains(None)


def test_a_bad_target_names_the_sample():
    with pytest.raises(ConfigError, match=r"sample 'x2'.*not a number"):
        experiment(
            agent=ReActAgent("N", "", _adder()),
            dataset=[
                {"id": "x1", "input": "a", "target": 1},
                {"id": "x2", "input": "b", "target": "?"},
            ],
            metrics=["numeric"],
            name="bad-target",
        )


async def test_metrics_returning_numpy_scalars_score_their_value():
    def np_float(answer, target):
        return np.float32(0.5)

    def np_bool(answer, target):
        return np.bool_(True)

    def np_int(answer, target):
        return np.int64(1)

    class NumpyMetric(MetricBase):
        def __init__(self) -> None:
            super().__init__("np_result", MetricType.NUMERICAL)

        async def __call__(self, solution):
            return MetricResult(name="np_result", result=np.float64(0.25))

    exp = experiment(
        agent=ReActAgent("Np", "", _adder()),
        dataset=_sums(1, prefix="np"),
        metrics=[np_float, np_bool, np_int, NumpyMetric()],
        name="numpy-scores",
    )
    await exp
    row = exp.to_dataframe().iloc[0]
    assert [row["np_float"], row["np_bool"], row["np_int"], row["np_result"]] == [
        0.5,
        1.0,
        1.0,
        0.25,
    ]
