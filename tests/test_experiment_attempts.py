"""Superseded experiment attempts and duplicate starts (issue 27, item 10): a resumed
experiment's crashed attempts are not exported as samples, and starting an experiment
under a name that is running is refused in one line."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path

import pytest

from ascope_nb import ReActAgent
from ascope_nb.evaluate import experiment
from ascope_nb.exceptions import ConfigError, ModelCallError
from ascope_nb.export import export, load_runs
from ascope_nb.store import RunStore, default_store, set_default_store
from ascope_nb.testing import FunctionModel

DATA = [{"input": f"What is {i} + 1?", "target": i + 1} for i in range(8)]


def _model(*, failing: set[int]) -> FunctionModel:
    def answer(messages, tools):
        text = str([m for m in messages if m.get("role") == "user"][-1]["content"])
        n = int(text.split("What is ")[1].split(" ")[0])
        if n in failing:
            raise ModelCallError("endpoint said 500")
        return str(n + 1)

    return FunctionModel(answer)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    set_default_store(None)
    yield default_store()
    set_default_store(None)


def _samples_in(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(1 for n in archive.namelist() if n.startswith("samples/"))


async def test_a_resumed_experiment_exports_one_sample_per_sample(
    store: RunStore, tmp_path: Path
) -> None:
    first = experiment(
        agent=ReActAgent("F", "", _model(failing={2, 5, 6})),
        dataset=DATA,
        metrics=["numeric"],
        name="attempts",
    )
    await first
    assert first.counts() == {"completed": 5, "error": 3}
    second = experiment(
        agent=ReActAgent("F", "", _model(failing=set())),
        dataset=DATA,
        metrics=["numeric"],
        name="attempts",
    )
    await second
    assert second.resumed == 5 and second.counts() == {"completed": 8}
    store.flush()
    assert len(store.runs()) == 11  # the failed attempts stay in the store

    done = export(store, "inspect", tmp_path / "log.eval")
    assert (done.runs, _samples_in(tmp_path / "log.eval")) == (8, 8)
    mine = export(store, "inspect", tmp_path / "mine.eval", experiment="attempts")
    assert (mine.runs, _samples_in(tmp_path / "mine.eval")) == (8, 8)
    records = load_runs(store, experiment="attempts")
    assert sorted(r.metadata["sample_id"] for r in records) == sorted(
        {r.metadata["sample_id"] for r in records}
    )
    assert {r.status for r in records} == {"completed"}
    every = load_runs(store, experiment="attempts", superseded=True)
    assert len(every) == 11
    sft = export(store, "openai", tmp_path / "sft.jsonl")
    lines = (tmp_path / "sft.jsonl").read_text().splitlines()
    assert sft.runs == 8 and all("endpoint said 500" not in line for line in lines)
    assert all(json.loads(line) for line in lines)


async def test_the_same_experiment_started_twice_at_once_is_refused(store: RunStore) -> None:
    async def slow(messages, tools):
        await asyncio.sleep(0.05)
        return "1"

    running = experiment(
        agent=ReActAgent("F", "", FunctionModel(slow)),
        dataset=DATA,
        metrics=["numeric"],
        name="twice",
    )
    with pytest.raises(ConfigError) as refused:
        experiment(
            agent=ReActAgent("F", "", FunctionModel(slow)),
            dataset=DATA,
            metrics=["numeric"],
            name="twice",
        )
    message = str(refused.value)
    assert "'twice'" in message and "already running" in message and "\n" not in message
    await running
    store.flush()
    assert len(store.runs()) == len(DATA)  # one run per sample, not two
    again = experiment(  # once it has ended, the name can be run again (it resumes)
        agent=ReActAgent("F", "", FunctionModel(slow)),
        dataset=DATA,
        metrics=["numeric"],
        name="twice",
    )
    await again
    assert again.resumed == len(DATA)
