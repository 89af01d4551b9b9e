"""The Ray parts on a real local Ray: ``RayEvaluator`` (AgentScope 1.x) and experiments with
``backend="ray"`` whose events stream back into this process's run store."""

from __future__ import annotations

import re
import sys

import pytest

from ascope_nb import Msg, ReActAgent
from ascope_nb.evaluate import (
    FileEvaluatorStorage,
    RayEvaluator,
    SolutionOutput,
    Task,
    TaskList,
    experiment,
    metrics,
)
from ascope_nb.store import default_store
from ascope_nb.testing import FunctionModel


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(
        sys.modules[__name__]
    )  # workers need not import tests/
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _double(messages, tools):
    q = [m for m in messages if m["role"] == "user"][-1]["content"]
    q = q if isinstance(q, str) else " ".join(b.get("text", "") for b in q)
    n = int(re.findall(r"\d+", q)[0])
    return f"Twice {n} is {2 * n}."


async def _solution(task, pre_print_hook):
    agent = ReActAgent("Doubler", "", FunctionModel(_double))
    agent.set_console_output_enabled(False)
    reply = await agent(Msg("user", f"Double {task.input}", "user"))
    return SolutionOutput(success=True, output=reply.get_text_content(), trajectory=[])


async def test_ray_evaluator_solves_in_actors_and_resumes(tmp_path):
    tasks = [
        Task(
            id=f"t{i}",
            input=i,
            ground_truth=2 * i if i != 3 else -1,
            metrics=[metrics.numeric(2 * i if i != 3 else -1)],
        )
        for i in range(6)
    ]
    storage = FileEvaluatorStorage(str(tmp_path / "ray"))
    evaluator = RayEvaluator(
        name="doubles", benchmark=TaskList(tasks), n_repeat=2, storage=storage, n_workers=4
    )
    await evaluator.run(_solution)
    assert storage.get_evaluation_result("t5", "1", "numeric").result == 1.0
    assert storage.get_evaluation_result("t3", "0", "numeric").result == 0.0
    assert storage.get_solution_stats("t2", "0")["llm"] == {"function": 1}
    assert (tmp_path / "ray" / "evaluation_result.json").exists()


async def test_experiment_on_ray_streams_events_into_the_local_store():
    rows = [{"id": f"n{i}", "input": f"Double {i}", "target": 2 * i} for i in range(12)]
    exp = experiment(
        agent=ReActAgent("Doubler", "", FunctionModel(_double)),
        dataset=rows,
        metrics=["numeric"],
        backend="ray",
        concurrency=6,
        name="ray-doubles",
    )
    await exp
    assert exp.status == "completed"
    frame = exp.to_dataframe()
    assert frame["numeric"].tolist() == [1.0] * 12
    store = default_store()
    store.flush()
    runs = store.runs()
    mine = runs[runs["title"].str.startswith("ray-doubles · ")]
    assert len(mine) == 12 and set(mine["status"]) == {"completed"}
    assert mine["feedback_score"].tolist() == [1.0] * 12
    events = store.event_dicts(list(mine["run_id"])[:1])
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "run_started" and "model_call_ended" in kinds and kinds[-1] == "feedback"
    assert events[0]["metadata"]["experiment"] == "ray-doubles"


def _double_or_die(messages, tools):
    """Doubles, except "Double 3" kills its actor once (a marker file) and "Double 5" always."""
    import os

    q = [m for m in messages if m["role"] == "user"][-1]["content"]
    q = q if isinstance(q, str) else " ".join(b.get("text", "") for b in q)
    marker = os.environ.get("ASCOPE_TEST_DIE_MARKER", "")
    if q.startswith("Double 5") or (q.startswith("Double 3") and not os.path.exists(marker)):
        open(marker, "w").close()
        os._exit(1)
    return _double(messages, tools)


async def test_a_dead_ray_actor_is_replaced_and_only_its_sample_fails(
    tmp_path, monkeypatch, caplog
):
    import logging

    marker = tmp_path / "died-once"
    rows = [{"id": f"d{i}", "input": f"Double {i}", "target": 2 * i} for i in range(7)]
    with caplog.at_level(logging.WARNING, logger="ascope_nb.evaluate"):
        exp = experiment(
            agent=ReActAgent("Dier", "", FunctionModel(_double_or_die_factory(str(marker)))),
            dataset=rows,
            metrics=["numeric"],
            backend="ray",
            concurrency=1,
            name="ray-dead-actor",
        )
        await exp  # raised ActorDiedError before
    assert exp.status == "completed"
    frame = exp.to_dataframe().set_index("sample_id")
    assert frame.loc["d3", "status"] == "completed" and frame.loc["d3", "numeric"] == 1.0
    assert frame.loc["d5", "status"] == "error" and "died twice" in frame.loc["d5", "error"]
    others = frame.drop(["d5"])
    assert (others["status"] == "completed").all() and (others["numeric"] == 1.0).all()
    failed = [r.getMessage() for r in caplog.records if "'d5'" in r.getMessage()]
    assert len(failed) == 1 and "ray-dead-actor" in failed[0]
    store = default_store()
    store.flush()
    runs = store.runs()
    mine = runs[runs["title"].str.startswith("ray-dead-actor · ")]
    assert "running" not in set(mine["status"])  # the dead actors' runs were closed as errors


def _double_or_die_factory(marker: str):
    def answer(messages, tools):
        import os

        os.environ["ASCOPE_TEST_DIE_MARKER"] = marker
        return _double_or_die(messages, tools)

    return answer
