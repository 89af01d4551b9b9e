"""ACEBench with ``backend="ray"`` on a real local Ray: each task's phone lives in the actor
that runs it, and its end state comes back to be judged (the events stream back as always)."""

from __future__ import annotations

import sys

import pytest
import test_evaluate_ace as ace

from ascope_nb.evaluate import ACEBenchmark, experiment


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    import ray.cloudpickle

    for module in (sys.modules[__name__], ace):  # workers need not import tests/
        ray.cloudpickle.register_pickle_by_value(module)
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


async def test_acebench_on_ray_judges_the_end_state_of_each_actors_phone() -> None:
    bench = ACEBenchmark(data_dir=str(ace.FIXTURE))
    exp = experiment(
        agent=ace._agent(ace._planner()),
        dataset=bench,
        backend="ray",
        concurrency=2,
        repeats=2,
        name="ace-ray",
    )
    await exp
    assert exp.status == "completed"
    frame = exp.to_dataframe()
    assert len(frame) == 8 and set(frame["status"]) == {"completed"}
    # a phone shared between the two repeats would fail the second (login twice, order twice)
    assert set(frame["accuracy"]) == {1.0} and set(frame["process_accuracy"]) == {1.0}
