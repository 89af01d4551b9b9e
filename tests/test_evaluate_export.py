"""An experiment's samples are exportable like any run: ``%export inspect --experiment NAME``
gives an inspect_ai log with one score per metric (read by inspect's own analysis frames),
and the reward formats use the first metric as the reward."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ascope_nb import ReActAgent
from ascope_nb.evaluate import experiment
from ascope_nb.export import export
from ascope_nb.store import default_store
from ascope_nb.testing import FunctionModel


def _adder(messages, tools):
    q = [m for m in messages if m.get("role") == "user"][-1]["content"]
    a, b = map(int, re.findall(r"\d+", q if isinstance(q, str) else str(q))[:2])
    return f"It is {a + b + (a == 2)}."  # wrong for a == 2


async def _run(name: str) -> None:
    rows = [{"id": f"q{i}", "input": f"What is {i} + 10?", "target": i + 10} for i in range(4)]
    exp = experiment(
        agent=ReActAgent("Adder", "Add.", FunctionModel(_adder)),
        dataset=rows,
        metrics=["numeric", "contains"],
        name=name,
    )
    await exp


async def test_inspect_export_of_an_experiment_has_a_score_per_metric(tmp_path: Path) -> None:
    from inspect_ai.analysis import evals_df, samples_df
    from inspect_ai.log import read_eval_log

    await _run("exp-export")
    await _run("other-exp")  # must not be exported
    store = default_store()
    result = export(store, "inspect", tmp_path / "log.json", experiment="exp-export")
    assert result.runs == 4
    log = read_eval_log(str(result.path))
    assert len(log.samples) == 4
    values = sorted((s.scores["numeric"].value, s.scores["contains"].value) for s in log.samples)
    assert values == [(0.0, 0.0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0)]
    frame = samples_df(str(tmp_path))
    assert len(frame) == 4 and {"score_numeric", "score_contains"} <= set(frame.columns)
    assert sorted(frame["score_numeric"].astype(float)) == [0.0, 1.0, 1.0, 1.0]
    assert len(evals_df(str(tmp_path))) == 1


async def test_reward_formats_use_the_first_metric(tmp_path: Path) -> None:
    await _run("exp-rewards")
    store = default_store()
    path = tmp_path / "kto.jsonl"
    export(store, "trl-kto", path, experiment="exp-rewards")
    labels = [json.loads(line)["label"] for line in path.read_text().splitlines()]
    assert sorted(labels) == [False, True, True, True]
    path = tmp_path / "trinity.jsonl"
    export(store, "trinity", path, experiment="exp-rewards")
    rewards = sorted(json.loads(line)["reward"] for line in path.read_text().splitlines())
    assert rewards == [0.0, 1.0, 1.0, 1.0]
