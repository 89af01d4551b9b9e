"""One evaluation engine (issue 26, item 4): ``experiment()`` and AgentScope's evaluators
share resume, fault isolation, progress and the end state."""

from __future__ import annotations

import json

import pytest

from ascope_nb.evaluate import (
    Experiment,
    FileEvaluatorStorage,
    GeneralEvaluator,
    SolutionOutput,
    Task,
    TaskList,
    metrics,
)
from ascope_nb.evaluate._engine import Engine
from ascope_nb.exceptions import ConfigError


def _tasks(n: int) -> TaskList:
    return TaskList(
        [Task(id=f"t{i}", input=i, ground_truth=i, metrics=[metrics.numeric(i)]) for i in range(n)]
    )


def test_both_kinds_of_evaluation_are_the_one_engine() -> None:
    from ascope_nb.evaluate._ray_backend import RayBackend
    from ascope_nb.evaluate._ray_evaluator import RaySolver
    from ascope_nb.evaluate._solving import SolutionJob

    assert issubclass(Experiment, Engine) and issubclass(SolutionJob, Engine)
    assert RayBackend(lambda: None, concurrency=2).pool.headroom == 4  # type: ignore[arg-type,return-value]
    assert type(RaySolver(2).pool) is type(RayBackend(lambda: None, concurrency=2).pool)  # type: ignore[arg-type,return-value]


async def test_one_task_that_raises_leaves_the_others_solved_then_raises(tmp_path) -> None:
    async def solution(task, pre_print_hook):
        if task.id == "t2":
            return "4"  # not a SolutionOutput: this task's error, not the evaluation's
        return SolutionOutput(success=True, output=str(task.input), trajectory=[])

    storage = FileEvaluatorStorage(str(tmp_path / "out"))
    evaluator = GeneralEvaluator(
        name="one-bad", benchmark=_tasks(5), n_repeat=1, storage=storage, n_workers=2
    )
    with pytest.raises(ConfigError, match="task 't2'"):
        await evaluator.run(solution)
    assert evaluator.job is not None and evaluator.job.status == "completed"
    assert [key for key, _ in evaluator.job.failures] == [("t2", "0")]
    for task_id in ("t0", "t1", "t3", "t4"):  # the other four were solved and judged
        assert storage.get_evaluation_result(task_id, "0", "numeric").result == 1.0
    result = json.loads((tmp_path / "out" / "evaluation_result.json").read_text())
    assert result["repeats"]["0"]["incomplete_ids"] == ["t2"]  # aggregated anyway


async def test_evaluator_progress_counts_resumed_and_new_items(tmp_path) -> None:
    ran: list[str] = []

    async def solution(task, pre_print_hook):
        ran.append(task.id)
        return SolutionOutput(success=True, output=str(task.input), trajectory=[])

    storage = FileEvaluatorStorage(str(tmp_path / "p"))
    evaluator = GeneralEvaluator(
        name="progress", benchmark=_tasks(3), n_repeat=2, storage=storage, n_workers=3
    )
    await evaluator.run(solution)
    first = evaluator.job
    assert first is not None and (first.finished, first.eta(), first.done) == (6, 0.0, True)
    (tmp_path / "p" / "t1" / "0" / "evaluation" / "numeric.json").unlink()
    ran.clear()
    await evaluator.run(solution)
    second = evaluator.job
    assert second is not None and second is not first
    assert ran == [] and second.finished == 6  # five resumed, one judged again
    assert second._finished_now == 1


async def test_a_stopped_job_starts_no_more_items() -> None:
    class Slow(Engine):
        async def _pending(self):
            return list(range(10))

        async def _run_item(self, key):
            self.ran.append(key)
            if key == 1:
                self.stop()
            self._item_ended(key)

    job = Slow(name="slow", concurrency=1)
    job.ran = []  # type: ignore[attr-defined]
    notices: list[object] = []
    job.add_listener(notices.append)
    await job.run()
    assert job.ran == [0, 1] and job.status == "stopped"  # type: ignore[attr-defined]
    assert [n for n in notices if n is not None] == [0, 1]


async def test_a_broken_listener_never_breaks_the_job() -> None:
    class Two(Engine):
        async def _pending(self):
            return ["a", "b"]

        async def _run_item(self, key):
            if key == "a":
                raise RuntimeError("item a broke")
            self._item_ended(key)

    job = Two(name="two", concurrency=2)

    def broken(notice: object) -> None:
        raise ValueError("view gone")

    job.add_listener(broken)
    await job.run()
    assert (job.status, job.finished) == ("completed", 2)  # a failed item still ends
