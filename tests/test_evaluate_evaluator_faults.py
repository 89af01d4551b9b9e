"""``GeneralEvaluator`` under faults (issue 27, item 9), through the public API with real
files: a failed solution is retried on the next run, task ids never write outside
``save_dir``, and a metric that raises is that metric's error for that task only."""

from __future__ import annotations

import json
import logging

from ascope_nb.evaluate import (
    FileEvaluatorStorage,
    GeneralEvaluator,
    MetricBase,
    MetricResult,
    MetricType,
    SolutionOutput,
    Task,
    TaskList,
    metrics,
)


async def test_a_failed_solution_is_solved_again_on_the_next_run(tmp_path):
    calls: list[str] = []
    broken = {"t1"}

    async def solution(task, pre_print_hook):
        calls.append(task.id)
        if task.id in broken:
            raise TimeoutError("the endpoint did not answer")
        return SolutionOutput(success=True, output=str(task.ground_truth), trajectory=[])

    tasks = [
        Task(id=f"t{i}", input=i, ground_truth=i, metrics=[metrics.numeric(i)]) for i in range(3)
    ]
    storage = FileEvaluatorStorage(str(tmp_path / "out"))
    evaluator = GeneralEvaluator(
        name="retry", benchmark=TaskList(tasks), n_repeat=1, storage=storage, n_workers=2
    )
    await evaluator.run(solution)
    assert storage.get_evaluation_result("t1", "0", "numeric").result == 0.0
    broken.clear()
    calls.clear()
    await evaluator.run(solution)
    assert calls == ["t1"]  # only the failed one ran again (it was kept forever before)
    assert storage.get_solution_result("t1", "0").success
    assert storage.get_evaluation_result("t1", "0", "numeric").result == 1.0


async def test_task_ids_never_write_outside_save_dir(tmp_path):
    save_dir = tmp_path / "inside" / "results"

    async def solution(task, pre_print_hook):
        return SolutionOutput(success=True, output="1", trajectory=[])

    ids = ["../x", "a/b", "..", "/etc/evil", "ok-1"]
    tasks = [Task(id=i, input=i, ground_truth=1, metrics=[metrics.numeric(1)]) for i in ids]
    storage = FileEvaluatorStorage(str(save_dir))
    await GeneralEvaluator(
        name="paths", benchmark=TaskList(tasks), n_repeat=1, storage=storage, n_workers=2
    ).run(solution)
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert all(str(p).startswith("inside/results/") for p in written), written
    top = {p.parts[2] for p in written if len(p.parts) > 3}
    assert len(top) == len(ids) and "ok-1" in top and ".." not in top
    for task_id in ids:  # each reads back under its own id
        assert storage.get_evaluation_result(task_id, "0", "numeric").result == 1.0
    assert json.loads((save_dir / "evaluation_result.json").read_text())["repeats"]["0"][
        "completed_tasks"
    ] == len(ids)


class Fragile(MetricBase):
    def __init__(self) -> None:
        super().__init__("fragile", MetricType.NUMERICAL)
        self.broken = True

    async def __call__(self, solution):
        if self.broken and solution.output == "2":
            raise KeyError("no such field")
        return MetricResult(name="fragile", result=1.0)


async def test_a_metric_that_raises_is_that_tasks_metric_error(tmp_path, caplog):
    fragile = Fragile()

    async def solution(task, pre_print_hook):
        return SolutionOutput(success=True, output=str(task.input), trajectory=[])

    tasks = [
        Task(id=f"m{i}", input=i, ground_truth=i, metrics=[metrics.numeric(i), fragile])
        for i in range(4)
    ]
    storage = FileEvaluatorStorage(str(tmp_path / "m"))
    evaluator = GeneralEvaluator(
        name="metric-error", benchmark=TaskList(tasks), n_repeat=1, storage=storage, n_workers=2
    )
    with caplog.at_level(logging.WARNING, logger="ascope_nb.evaluate"):
        await evaluator.run(solution)  # aborted the whole evaluation before
    lines = [r.getMessage() for r in caplog.records if "fragile" in r.getMessage()]
    assert len(lines) == 1 and "'m2'" in lines[0] and "KeyError" in lines[0]
    assert storage.get_evaluation_result("m3", "0", "fragile").result == 1.0
    assert storage.get_evaluation_result("m2", "0", "numeric").result == 1.0
    assert not storage.evaluation_result_exists("m2", "0", "fragile")
    assert "KeyError" in storage.get_evaluation_errors("m2", "0")["fragile"]
    result = json.loads((tmp_path / "m" / "evaluation_result.json").read_text())
    entry = result["repeats"]["0"]["metrics"]["fragile"]
    assert entry["completed_tasks"] == 3 and "KeyError" in entry["errors"]["m2"]
    fragile.broken = False
    await evaluator.run(solution)  # the next run judges only the missing metric
    assert storage.get_evaluation_result("m2", "0", "fragile").result == 1.0
    assert storage.get_evaluation_errors("m2", "0") == {}
