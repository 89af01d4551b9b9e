"""The learning loop without a kernel: runs picked by feedback / metric / filter become a
checked dataset, a bad one is one line and trains nothing, secrets never reach the preview,
the progress view's saved HTML stands alone, and the adapter changes the experiment."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tune_support import QUESTIONS, SECRET, agent_for, get_weather, sft_row, write_jsonl

import ascope_nb
from ascope_nb.store import RunStore
from ascope_nb.testing import FakeTrainingBackend
from ascope_nb.tuner import (
    AdapterStore,
    NoTrainingBackend,
    TuneDatasetError,
    compare_before_after,
    prepare,
    train,
)
from ascope_nb.tuner._tune_data import dataset_from_file
from ascope_nb.views.tune_html import progress_html
from ascope_nb.views.tune_view import TuneView


@pytest.fixture
def store(tmp_path: Path) -> Any:
    store = RunStore(tmp_path / "runs.sqlite").attach()
    yield store
    store.close()


async def _ask(question: str, *, secret: bool = False) -> Any:
    run = ascope_nb.start(agent_for(secret=secret), ascope_nb.Msg("user", question, "user"))
    await run
    return run


# ---------------------------------------------------------------- bad datasets: one line
@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], "the sft dataset from '{path}' is empty"),
        (
            [sft_row("hi", "")],
            "no trainable sft sample from '{path}': all 1 rejected "
            "(first: line 1: completion has no assistant text or tool call)",
        ),
        (
            ['{"text": "hello"}'],
            "all 1 rejected (first: line 1: missing 'prompt' (sft rows need prompt, completion))",
        ),
        (["not json at all"], "(first: line 1: not JSON (Expecting value))"),
    ],
    ids=["empty", "no-assistant-tokens", "wrong-format", "not-json"],
)
def test_a_bad_dataset_file_is_one_line_and_nothing_trains(
    tmp_path: Path, lines: list[Any], expected: str
) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", lines)
    backend = FakeTrainingBackend()
    with pytest.raises(TuneDatasetError) as info:
        train(prepare(dataset=path), name="fix", backend=backend, adapters=tmp_path / "ad")
    line = str(info.value)
    assert "\n" not in line and expected.format(path=path) in line
    assert backend.calls == [] and not (tmp_path / "ad").exists()  # no version reserved


def test_rejected_rows_say_why_and_good_rows_are_kept(tmp_path: Path) -> None:
    dpo_ok = {"prompt": [{"role": "user", "content": "q"}],
              "chosen": [{"role": "assistant", "content": "good"}],
              "rejected": [{"role": "assistant", "content": "bad"}]}  # fmt: skip
    same = {**dpo_ok, "rejected": dpo_ok["chosen"]}
    path = write_jsonl(tmp_path / "p.jsonl", [dpo_ok, same, "", sft_row()])
    ds = dataset_from_file(path, method="dpo")
    assert ds.counts() == {"samples": 1, "rejected": 2, "runs": 0}
    assert [(r.where, r.reason) for r in ds.rejected] == [
        ("line 2", "chosen and rejected are the same"),
        ("line 4", "missing 'chosen' (dpo rows need prompt, chosen, rejected)"),
    ]
    html = ds._repr_html_()
    assert "chosen and rejected are the same" in html and "1 samples" in html


async def test_no_selected_run_is_one_line(store: Any, tmp_path: Path) -> None:
    await _ask("Weather in Paris?")
    with pytest.raises(TuneDatasetError) as info:
        prepare(store=store, feedback="up").require_trainable()
    assert str(info.value) == (
        "the sft dataset from runs (feedback='up') is empty: 0 run(s) selected, none gave a "
        "training row (pick runs with feedback, a metric or a filter)"
    )


# ---------------------------------------------------------------- picking runs
async def test_runs_are_picked_by_feedback_metric_and_filter(store: Any) -> None:
    good, bad, other = [
        await _ask(q) for q in ("Weather in Oslo?", "Weather in Rome?", "Weather in Lima?")
    ]
    good.feedback(label="up")
    bad.feedback(label="down")
    other.feedback(score=0.3)
    await asyncio.sleep(0.05)
    store.flush()
    assert prepare(store=store, feedback="up").runs == [good.run_id]
    assert sorted(prepare(store=store, feedback="down").runs) == sorted([bad.run_id, other.run_id])
    assert prepare(store=store, min_score=0.2).runs == [other.run_id]  # the run's score
    picked = prepare(store=store, where=f"run_id == '{bad.run_id}'")
    assert picked.runs == [bad.run_id] and picked.counts()["samples"] == 2
    with pytest.raises(
        Exception, match="filter 'no_such_column > 1' is not a valid runs-table query"
    ):
        prepare(store=store, where="no_such_column > 1")
    with pytest.raises(Exception, match="metric='contains' needs min_score="):
        prepare(store=store, metric="contains")


async def test_experiment_metric_threshold_picks_the_correct_runs(store: Any) -> None:
    exp = ascope_nb.experiment(
        agent=agent_for(), dataset=QUESTIONS, metrics=["contains"], name="w-pick"
    )
    await exp
    ds = prepare(store=store, experiment="w-pick", metric="contains", min_score=1.0)
    right = sorted(exp.rows[(q, 0)].run_id for q in ("q2", "q4"))  # celsius questions only
    assert sorted(ds.runs) == right and ds.counts()["samples"] == 4


# ---------------------------------------------------------------- secrets
async def test_a_secret_tool_argument_never_reaches_the_preview(store: Any, tmp_path: Path) -> None:
    run = await _ask("Weather in Paris?", secret=True)
    run.feedback(label="up")
    await asyncio.sleep(0.05)
    # the same run read from its live handle (not the store) is redacted too
    for source in ({"store": store}, {"source": [run]}):
        ds = prepare(feedback="up", **source)  # type: ignore[arg-type]
        assert ds.counts()["samples"] == 2
        shown = ds._repr_html_() + repr(ds.preview_rows()) + json.dumps(ds.rows)
        assert SECRET not in shown and "[REDACTED]" in shown
    job = train(ds, name="sec", backend=FakeTrainingBackend(), adapters=tmp_path / "ad")
    artifact = await job
    assert artifact is not None
    kept = (artifact.path / "dataset.jsonl").read_text()
    assert SECRET not in kept and SECRET not in (artifact.path / "manifest.json").read_text()


# ---------------------------------------------------------------- the progress view
class _Comm:
    kernel = None

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.sent.append(data)

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        pass


async def test_the_view_follows_the_training_and_its_buttons_stop_and_resume(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [sft_row(f"q{i}", f"a{i}") for i in range(10)])
    job = train(prepare(dataset=path), name="fix", backend=FakeTrainingBackend(step_seconds=0.1),
                adapters=tmp_path / "ad")  # fmt: skip
    view = TuneView(job)
    for _ in range(300):
        if job.step >= 2:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.25)  # one throttled flush
    assert view.tune["status"] == "training" and view.tune["step"] >= 2
    assert view.tune["total"] == 10 and len(view.tune["curve"]) >= 2
    view._on_command(view, {"cmd": "stop"}, [])
    await job
    assert view.tune["status"] == "stopped" and view.tune["resumable"] is True
    assert view.tune["artifact"] == "fix:v1"
    view._on_command(view, {"cmd": "resume"}, [])
    await job
    s = view.tune
    assert s["status"] == "completed" and s["step"] == 10 and s["artifact"] == "fix:v2"
    assert s["parent"] == "v1" and s["loss"] == pytest.approx(2.0 * 0.8**10)
    view._on_command(view, {"cmd": "resume"}, [])  # nothing to resume: a notice, no raise
    data, _ = view._repr_mimebundle_()
    assert set(data) == {"text/plain", "text/html"}  # kernel-free once completed
    html = data["text/html"]
    assert "fix:v2" in html and "step 10/10" in html and "0.2147" in html and "<svg" in html
    assert "resumed from v1" in html and "<script" not in html


def test_saved_html_of_a_failed_training_names_the_error_without_its_secret() -> None:
    from ascope_nb.redact import register_secret

    register_secret(SECRET)  # as a model client registers its key
    html = progress_html({"name": "fix", "status": "error", "step": 2, "total": 4, "loss": 1.2,
                          "error": f"RuntimeError: key {SECRET} rejected", "artifact": "fix:v1"})  # fmt: skip
    assert "RuntimeError: key [REDACTED] rejected" in html and SECRET not in html


# ---------------------------------------------------------------- before and after
async def test_the_adapter_changes_the_experiment_on_the_corrected_samples(
    store: Any, tmp_path: Path
) -> None:
    from ascope_nb.whatif import fork

    exp = ascope_nb.experiment(
        agent=agent_for(), dataset=QUESTIONS, metrics=["contains"], name="w-ba"
    )
    await exp
    assert exp.summary()["mean"].tolist() == [0.5]
    wrong = exp.rows[("q1", 0)].run_id  # asked for fahrenheit, got celsius
    fixed = fork(wrong, 0, edit={"city": "Paris", "unit": "fahrenheit"},
                 model=agent_for().model, tools={"get_weather": get_weather})  # fmt: skip
    await fixed
    fixed.feedback(label="up")
    await asyncio.sleep(0.05)
    ds = prepare(store=store, run_ids=[fixed.run_id])
    artifact = await train(
        ds, name="units", backend=FakeTrainingBackend(), adapters=tmp_path / "ad"
    )
    assert artifact is not None
    cmp = await compare_before_after(
        agent_for, QUESTIONS, adapter=artifact, metrics=["contains"], name="w-ba"
    )
    row = cmp.summary().iloc[0]
    assert (row["mean_a"], row["mean_b"], row["wins"], row["losses"], row["n"]) == (
        0.5,
        0.75,
        1,
        0,
        4,
    )
    assert [p["sample_id"] for p in cmp.changed()] == ["q1"]
    assert "w-ba-base" in cmp._repr_html_() and "w-ba-units-v1" in cmp._repr_html_()


def test_no_backend_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [sft_row()])
    import ascope_nb.tuner as tuner

    monkeypatch.setattr(tuner, "TRLBackend", None, raising=False)  # as where it is not there
    with pytest.raises(NoTrainingBackend, match="no training backend: pass backend="):
        train(prepare(dataset=path), name="fix", adapters=tmp_path / "ad")
    assert not (tmp_path / "ad").exists()

    class Broken:
        def __init__(self, base_model: str) -> None:
            assert base_model == "embedded:1.5b"  # the embedded model is the default student
            raise ImportError("No module named 'trl'\nsecond line")

    monkeypatch.setattr(tuner, "TRLBackend", Broken, raising=False)
    with pytest.raises(NoTrainingBackend) as info:
        train(prepare(dataset=path), name="fix", adapters=tmp_path / "ad")
    assert str(info.value) == (
        "the default training backend TRLBackend('embedded:1.5b') cannot start: "
        "No module named 'trl'; "
        "pass backend=..."
    )


def test_ascope_nb_tune_outside_a_notebook_trains_and_keeps_the_version(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [sft_row(), sft_row("a", "b")])
    job = ascope_nb.tune(
        name="plain", dataset=path, backend=FakeTrainingBackend(), adapters=tmp_path / "ad"
    )
    assert job.status == "completed" and job.step == 2  # no loop: trained right here
    assert [a.label for a in AdapterStore(tmp_path / "ad").list()] == ["plain:v1"]


async def test_a_fast_backend_does_not_flood_the_view(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [sft_row()])
    backend = FakeTrainingBackend(total_steps=3000, step_seconds=0.0002)
    job = train(prepare(dataset=path), name="fast", backend=backend, adapters=tmp_path / "ad")
    view = TuneView(job)
    sent: list[int] = []
    view.observe(lambda change: sent.append(change["new"]["step"]), names="tune")
    began = asyncio.get_running_loop().time()
    await job
    await asyncio.sleep(0.05)
    seconds = asyncio.get_running_loop().time() - began
    assert sent[-1] == 3000 and view.tune["status"] == "completed"
    assert len(sent) <= seconds / 0.2 + 3, (len(sent), seconds)  # ~5 updates a second at most
    assert len(view.tune["curve"]) == 300 and view.tune["curve"][-1][0] == 3000


async def test_compare_refuses_an_adapter_that_did_not_complete(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [sft_row(f"q{i}", "a") for i in range(6)])
    job = train(prepare(dataset=path), name="half", backend=FakeTrainingBackend(step_seconds=0.05),
                adapters=tmp_path / "ad")  # fmt: skip
    await asyncio.sleep(0.12)
    job.stop()
    stopped = await job
    assert stopped is not None and stopped.status == "stopped"
    with pytest.raises(
        Exception, match=r"adapter half:v1 is stopped, not completed: resume it first"
    ):
        await compare_before_after(agent_for, QUESTIONS, adapter=stopped, metrics=["contains"])
