"""Experiments and the AgentScope-style evaluators, through the public API, with a real
SQLite run store (ASCOPE_STORE from conftest) and real files for FileEvaluatorStorage."""

from __future__ import annotations

import asyncio
import json
import re

import pandas as pd
import pytest

from ascope_nb import ReActAgent, Toolkit
from ascope_nb.evaluate import (
    BenchmarkBase,
    FileEvaluatorStorage,
    GeneralEvaluator,
    MetricResult,
    SolutionOutput,
    Task,
    TaskList,
    compare,
    demo_dataset,
    experiment,
    metrics,
)
from ascope_nb.exceptions import ConfigError, ModelCallError
from ascope_nb.store import default_store
from ascope_nb.testing import FunctionModel, ScriptedModel, tool_call


def _question(messages: list[dict]) -> str:
    content = [m for m in messages if m.get("role") == "user"][-1]["content"]
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict))
    return str(content)


def _adder(wrong: set[str] = frozenset()) -> FunctionModel:
    """Answers "What is A + B?" with the sum (or the sum + 1 for questions in ``wrong``)."""

    def answer(messages, tools):
        q = _question(messages)
        a, b = map(int, re.findall(r"-?\d+", q)[:2])
        return f"The answer is {a + b + (1 if q in wrong else 0)}."

    return FunctionModel(answer)


def _sums(n: int) -> list[dict]:
    return [
        {"id": f"q{i}", "question": f"What is {i} + {2 * i}?", "answer": 3 * i} for i in range(n)
    ]


def _stored_experiment_runs(name: str) -> dict[str, dict]:
    store = default_store()
    store.flush()
    out = {}
    for data in store.event_dicts(kinds=["run_started"]):
        meta = data.get("metadata") or {}
        if meta.get("experiment") == name:
            out[data["run_id"]] = meta
    return out


async def test_experiment_of_200_samples_stores_and_tags_every_sample():
    exp = experiment(
        agent=ReActAgent("Adder", "Add.", _adder()),
        dataset=_sums(200),
        input="question",
        target="answer",
        metrics=["numeric", "contains"],
        concurrency=16,
        name="adder-200",
    )
    await exp
    assert exp.status == "completed"
    frame = exp.to_dataframe()
    assert len(frame) == 200 and set(frame["status"]) == {"completed"}
    assert frame["numeric"].tolist() == [1.0] * 200
    stored = _stored_experiment_runs("adder-200")
    assert len(stored) == 200
    assert {m["sample_id"] for m in stored.values()} == {f"q{i}" for i in range(200)}
    assert all(m["repeat"] == 0 for m in stored.values())
    # scores are stored with each run: the first metric is the run's score
    runs = default_store().runs()
    mine = runs[runs["run_id"].isin(list(stored))]
    assert mine["feedback_score"].tolist() == [1.0] * 200
    summary = exp.summary().set_index("metric")
    assert summary.loc["numeric", "mean"] == 1.0 and summary.loc["numeric", "n"] == 200


async def test_rerun_with_the_same_name_runs_only_what_is_missing():
    data = _sums(12)
    calls: list[str] = []

    def flaky(messages, tools):
        q = _question(messages)
        calls.append(q)
        if q.endswith(("3 + 6?", "7 + 14?")):
            raise ModelCallError("endpoint said 500")
        a, b = map(int, re.findall(r"\d+", q)[:2])
        return f"{a + b}"

    first = experiment(
        agent=ReActAgent("F", "", FunctionModel(flaky)),
        dataset=data,
        input="question",
        target="answer",
        metrics=["numeric"],
        name="resume-me",
    )
    await first
    assert first.counts() == {"completed": 10, "error": 2}
    calls.clear()
    second = experiment(
        agent=ReActAgent("F", "", _adder()),
        dataset=data,
        input="question",
        target="answer",
        metrics=["numeric"],
        name="resume-me",
    )
    await second
    assert second.resumed == 10
    frame = second.to_dataframe().set_index("sample_id")
    assert frame.loc["q3", "status"] == "completed" and not frame.loc["q3", "resumed"]
    assert frame.loc["q1", "resumed"]
    assert frame["numeric"].tolist() == [1.0] * 12
    assert calls == []  # the flaky model was not asked again; the two errors ran on the adder


async def test_rate_limited_samples_are_retried_with_backoff():
    seen: dict[str, int] = {}

    def limited(messages, tools):
        q = _question(messages)
        seen[q] = seen.get(q, 0) + 1
        if seen[q] == 1:
            raise ModelCallError("Error code: 429 - rate limit reached")
        return "30"

    exp = experiment(
        agent=ReActAgent("R", "", FunctionModel(limited)),
        dataset=[{"input": "10 + 20?", "target": 30}],
        metrics=["numeric"],
        name="retry-429",
        backoff=0.01,
    )
    await exp
    row = exp.to_dataframe().iloc[0]
    assert (row["status"], row["attempts"], row["numeric"]) == ("completed", 2, 1.0)


async def test_a_sample_past_its_timeout_is_stopped_and_marked():
    async def slow(messages, tools):
        await asyncio.sleep(5)
        return "late"

    exp = experiment(
        agent=ReActAgent("S", "", FunctionModel(slow)),
        dataset=[{"input": "hi", "target": "x"}],
        metrics=["exact"],
        name="timeout-one",
        timeout=0.3,
    )
    await asyncio.wait_for(exp.wait(), 15)
    row = exp.to_dataframe().iloc[0]
    assert row["status"] == "timeout" and row["exact"] == 0.0


async def test_stop_leaves_pending_samples_unrun_and_pause_holds_new_ones():
    async def slowish(messages, tools):
        await asyncio.sleep(0.05)
        return "ok"

    exp = experiment(
        agent=ReActAgent("P", "", FunctionModel(slowish)),
        dataset=[{"input": f"q{i}", "target": "ok"} for i in range(40)],
        metrics=["exact"],
        concurrency=2,
        name="stop-me",
    )
    await asyncio.sleep(0.2)
    exp.pause()
    await asyncio.sleep(0.2)
    paused_at = exp.finished
    await asyncio.sleep(0.3)
    assert exp.status == "paused" and exp.finished <= paused_at + 2  # only in-flight ones end
    exp.resume()
    await asyncio.sleep(0.1)
    exp.stop()
    await asyncio.wait_for(exp.wait(), 10)
    counts = exp.counts()
    assert exp.status == "stopped"
    assert counts.get("pending", 0) > 0 and counts.get("completed", 0) > 0


async def test_token_budget_stops_starting_samples():
    exp = experiment(
        agent=ReActAgent("T", "", _adder()),
        dataset=_sums(30),
        input="question",
        target="answer",
        metrics=["numeric"],
        concurrency=1,
        name="budget",
        token_budget=40,
    )
    await exp
    assert exp.status == "budget_exceeded"
    assert 0 < exp.finished < 30 and exp.tokens >= 40


async def test_compare_gives_paired_deltas_wins_and_losses():
    data = _sums(10)
    q = {row["question"]: row["id"] for row in data}
    wrong_a = {k for k, v in q.items() if v in ("q1", "q2", "q3")}
    wrong_b = {k for k, v in q.items() if v in ("q3", "q4")}
    a = experiment(
        agent=ReActAgent("A", "", _adder(wrong_a)),
        dataset=data,
        input="question",
        target="answer",
        metrics=["numeric"],
        name="cmp-a",
    )
    b = experiment(
        agent=ReActAgent("B", "", _adder(wrong_b)),
        dataset=data,
        input="question",
        target="answer",
        metrics=["numeric"],
        name="cmp-b",
    )
    await a
    await b
    cmp = compare(a, b)
    row = cmp.summary().iloc[0]
    assert (row["mean_a"], row["mean_b"]) == (0.7, 0.8)
    assert row["delta"] == pytest.approx(0.1)
    assert (row["wins"], row["losses"], row["ties"], row["n"]) == (2, 1, 7, 10)
    assert row["ci_low"] < 0.1 < row["ci_high"]
    assert sorted(p["sample_id"] for p in cmp.changed()) == ["q1", "q2", "q4"]
    html = cmp.side_by_side("q4").data
    assert "The answer is 12." in html and "The answer is 13." in html
    with pytest.raises(ConfigError, match="share no metric"):
        compare(
            a,
            experiment(
                agent=ReActAgent("C", "", _adder()),
                dataset=data,
                input="question",
                target="answer",
                metrics=["contains"],
                name="cmp-c",
            ),
        )


async def test_builtin_and_callable_metrics_on_a_tool_using_agent():
    toolkit = Toolkit()

    def multiply(a: int, b: int) -> str:
        """Multiply two integers.

        Args:
            a: first factor.
            b: second factor.
        """
        return str(a * b)

    toolkit.register_tool_function(multiply)
    model = ScriptedModel([[tool_call("multiply", a=1234, b=5678)], "1234 * 5678 = 7,006,652."])

    def long_enough(answer: str, target) -> bool:
        return len(answer) > 10

    judge = ScriptedModel(["CORRECT"])
    exp = experiment(
        agent=ReActAgent("M", "", model, toolkit=toolkit),
        dataset=[{"input": "1234 * 5678?", "target": 7006652}],
        metrics=[
            "numeric",
            "tool_called:multiply",
            "regex:7,?006,?652",
            long_enough,
            metrics.judge(judge),
            "contains",
        ],
        name="metrics-all",
    )
    await exp
    row = exp.to_dataframe().iloc[0]
    assert [
        row[m] for m in ("numeric", "tool_called", "regex", "long_enough", "llm_judge", "contains")
    ] == [1.0, 1.0, 1.0, 1.0, 1.0, 0.0]  # "7006652" is not written as such in the answer
    prompt = str(judge.calls[0].messages)
    assert (
        "Reference answer: 7006652" in prompt
        and "Candidate answer: 1234 * 5678 = 7,006,652." in prompt
    )


def test_bad_configuration_is_one_clear_error():
    agent = ReActAgent("X", "", _adder())
    with pytest.raises(ConfigError, match="no column 'question'"):
        experiment(agent=agent, dataset=[{"q": "hi"}], input="question", name="bad")
    with pytest.raises(ConfigError, match="unknown metric 'numerik'"):
        experiment(
            agent=agent, dataset=[{"input": "hi", "target": 1}], metrics=["numerik"], name="bad"
        )
    with pytest.raises(ConfigError, match="target 'abc' is not a number"):
        experiment(
            agent=agent, dataset=[{"input": "hi", "target": "abc"}], metrics=["numeric"], name="bad"
        )
    with pytest.raises(ConfigError, match="concurrency"):
        experiment(agent=agent, dataset=[{"input": "hi", "target": 1}], concurrency=0, name="bad")
    with pytest.raises(ConfigError, match="appears twice"):
        experiment(
            agent=agent,
            dataset=[
                {"id": 1, "input": "a", "target": "x"},
                {"id": 1, "input": "b", "target": "y"},
            ],
            name="bad",
        )


async def test_datasets_from_dataframe_jsonl_hf_and_benchmark(tmp_path):
    import datasets

    rows = _sums(3)
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    sources = {
        "df": pd.DataFrame(rows),
        "jsonl": str(path),
        "hf": datasets.Dataset.from_list(rows),
    }
    for label, source in sources.items():
        exp = experiment(
            agent=ReActAgent("D", "", _adder()),
            dataset=source,
            input="question",
            target="answer",
            metrics=["numeric"],
            name=f"ds-{label}",
        )
        await exp
        assert exp.to_dataframe()["sample_id"].tolist() == ["q0", "q1", "q2"], label
        assert exp.summary()["mean"].tolist() == [1.0], label
    bench = TaskList(
        [
            Task(
                id=r["id"],
                input=r["question"],
                ground_truth=r["answer"],
                metrics=[metrics.numeric(r["answer"])],
            )
            for r in rows
        ],
        name="sums",
    )
    exp = experiment(agent=ReActAgent("D", "", _adder()), dataset=bench, name="ds-bench")
    await exp
    assert exp.summary()["mean"].tolist() == [1.0]


async def test_general_evaluator_is_resumable_and_aggregates(tmp_path):
    calls: list[str] = []

    class Halves(BenchmarkBase):
        def __init__(self):
            super().__init__("halves", "numbers halved")
            self.tasks = [
                Task(id=f"t{i}", input=i, ground_truth=i / 2, metrics=[metrics.numeric(i / 2)])
                for i in range(6)
            ]

        def __iter__(self):
            return iter(self.tasks)

        def __len__(self):
            return len(self.tasks)

        def __getitem__(self, i):
            return self.tasks[i]

    async def solution(task, pre_print_hook):
        calls.append(task.id)
        if task.id == "t5":
            raise RuntimeError("boom")
        agent = ReActAgent("H", "", ScriptedModel([str(task.input / 2)]))
        from ascope_nb import Msg

        reply = await agent(Msg("user", str(task.input), "user"))
        return SolutionOutput(success=True, output=reply.get_text_content(), trajectory=[])

    storage = FileEvaluatorStorage(str(tmp_path / "results"))
    evaluator = GeneralEvaluator(
        name="halves", benchmark=Halves(), n_repeat=2, storage=storage, n_workers=3
    )
    await evaluator.run(solution)
    assert sorted(calls) == sorted([f"t{i}" for i in range(6)] * 2)
    assert storage.get_evaluation_result("t4", "1", "numeric").result == 1.0
    assert storage.get_evaluation_result("t5", "0", "numeric").result == 0.0
    assert storage.get_solution_result("t5", "0").meta["error"] == "RuntimeError: boom"
    assert storage.get_solution_stats("t2", "0")["agent"] == 1
    result = json.loads((tmp_path / "results" / "evaluation_result.json").read_text())
    assert result["repeats"]["0"]["metrics"]["numeric"]["aggregation"]["mean"] == pytest.approx(
        5 / 6
    )
    assert result["total_stats"]["agent"] == 10
    calls.clear()
    (tmp_path / "results" / "t3" / "1" / "evaluation" / "numeric.json").unlink()
    await evaluator.run(solution)
    # the saved solutions were kept (only the missing metric was judged again); the two
    # failed ones (t5, which raised) were solved again
    assert calls == ["t5", "t5"]
    assert storage.evaluation_result_exists("t3", "1", "numeric")


async def test_live_view_summary_rows_and_transcript():
    exp = experiment(
        agent=ReActAgent("V", "", _adder()),
        dataset=_sums(5),
        input="question",
        target="answer",
        metrics=["numeric"],
        name="view-exp",
    )
    view = exp.view
    sent: list[dict] = []
    view.send = sent.append  # what the kernel would send over the comm
    await exp
    assert view.summary["finished"] == 5 and view.summary["status"] == "completed"
    assert view.summary["metrics"][0]["mean"] == 1.0
    view._on_command(view, {"cmd": "snapshot"}, [])
    assert [r["sample_id"] for r in sent[-1]["rows"]] == [f"q{i}" for i in range(5)]
    run_id = sent[-1]["rows"][2]["run_id"]
    view._on_command(view, {"cmd": "open", "run_id": run_id}, [])
    assert sent[-1]["type"] == "transcript" and "The answer is 6." in sent[-1]["html"]
    bundle, _ = view._repr_mimebundle_()
    assert (
        bundle["text/plain"]
        == "Experiment(name='view-exp', samples=5, finished=5, status='completed')"
    )
    assert "numeric" in bundle["text/html"] and "q4" in bundle["text/html"]


async def test_finished_samples_leave_no_run_handles_nor_garbage_behind():
    """Memory stays flat: a scored sample's run is dropped from the process (it is in the
    store) and its agent, run and events are freed at once, without the cycle collector."""
    import gc

    from ascope_nb.evaluate._view import transcript_html
    from ascope_nb.run import get_run

    gc.collect()
    gc.disable()
    try:
        exp = experiment(
            agent=ReActAgent("Mem", "", _adder()),
            dataset=_sums(40),
            input="question",
            target="answer",
            metrics=["numeric"],
            concurrency=8,
            name="memory-exp",
        )
        await exp
        garbage = gc.collect()  # objects only the cycle collector could free
    finally:
        gc.enable()
    assert exp.status == "completed"
    assert garbage < 40  # (it was about 100 per sample when each run kept itself alive)
    run_ids = exp.to_dataframe()["run_id"].tolist()
    assert all(get_run(run_id) is None for run_id in run_ids)
    assert "The answer is 3." in transcript_html(run_ids[1])


def test_demo_dataset_answers_are_right():
    for row in demo_dataset():
        expr = re.search(r"(-?\d+) ([-+*/]) (-?\d+)", row["question"])
        a, op, b = int(expr[1]), expr[2], int(expr[3])
        value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op]
        assert row["answer"] == pytest.approx(value, rel=1e-6), row


async def test_metric_result_from_a_callable_can_be_a_metric_result():
    def graded(solution: SolutionOutput) -> MetricResult:
        return MetricResult(name="graded", result=0.5, message="half")

    exp = experiment(
        agent=ReActAgent("G", "", _adder()),
        dataset=_sums(2),
        input="question",
        target="answer",
        metrics=[graded],
        name="graded",
    )
    await exp
    assert exp.to_dataframe()["graded"].tolist() == [0.5, 0.5]
