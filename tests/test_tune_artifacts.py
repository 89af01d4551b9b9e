"""Adapter artifacts: versions never overwrite each other, stopping leaves a resumable
checkpoint, resuming names its parent, a corrupt manifest is one line."""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path

import pytest
from tune_support import sft_row, write_jsonl

from ascope_nb.testing import FakeTrainingBackend
from ascope_nb.tuner import (
    AdapterError,
    AdapterStore,
    TuneError,
    TuneJob,
    resume,
    train,
)
from ascope_nb.tuner._artifacts import AdapterWarning, file_sha256
from ascope_nb.tuner._tune_data import dataset_from_file


def _dataset(tmp_path: Path, n: int = 4):  # type: ignore[no-untyped-def]
    rows = [sft_row(f"q{i}", f"a{i}") for i in range(n)]
    return dataset_from_file(write_jsonl(tmp_path / "d.jsonl", rows))


def test_versions_count_up_and_never_reuse_a_directory(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    assert [store.reserve("fix").version for _ in range(3)] == ["v1", "v2", "v3"]
    (tmp_path / "ad" / "fix" / "v4").mkdir()  # made by someone else meanwhile, no manifest
    store.versions = lambda name: ["v1", "v2", "v3"]  # type: ignore[method-assign]  # stale view
    assert store.reserve("fix").version == "v5"  # v4 exists: skipped, not overwritten
    assert not (tmp_path / "ad" / "fix" / "v4" / "manifest.json").exists()


def test_training_twice_keeps_both_versions_with_their_manifests(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    ds = _dataset(tmp_path, 3)
    first = train(ds, name="fix", backend=FakeTrainingBackend(), adapters=store).wait()
    second = train(ds, name="fix", backend=FakeTrainingBackend(epochs=2), adapters=store).wait()
    assert first is not None and second is not None
    assert (first.version, second.version) == ("v1", "v2")
    listed = {a.label: a.manifest for a in store.list("fix")}
    assert listed["fix:v1"]["steps"] == 3 and listed["fix:v2"]["steps"] == 6
    manifest = listed["fix:v2"]
    assert manifest["status"] == "completed" and manifest["parent"] is None
    assert manifest["method"] == "sft" and manifest["base_model"] == "fake-base"
    assert manifest["final_loss"] == pytest.approx(2.0 * 0.8**6)
    assert manifest["dataset"]["sha256"] == file_sha256(tmp_path / "ad/fix/v2/dataset.jsonl")
    assert manifest["dataset"]["sha256"] == file_sha256(tmp_path / "d.jsonl")
    assert (tmp_path / "ad/fix/v2" / manifest["adapter_dir"]).is_dir()
    assert store.load("fix").version == "v2" and store.load("fix", "v1").manifest["steps"] == 3


async def _stop_at(job: TuneJob, step: int) -> None:
    for _ in range(500):
        if job.step >= step:
            job.stop()
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"training never reached step {step}")


async def test_stop_leaves_a_checkpoint_and_resume_continues_to_the_total(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    backend = FakeTrainingBackend(epochs=2, step_seconds=0.02)
    job = train(_dataset(tmp_path, 5), name="fix", backend=backend, adapters=store)
    await _stop_at(job, 3)
    stopped = await job
    assert job.status == "stopped" and stopped is not None
    assert stopped.manifest["status"] == "stopped" and stopped.resumable
    assert stopped.checkpoint_dir is not None and stopped.checkpoint_dir.is_dir()
    at = stopped.manifest["steps"]
    assert 3 <= at < 10
    job.resume()
    done = await job
    assert done is not None and done.version == "v2" and done.manifest["parent"] == "v1"
    assert done.manifest["status"] == "completed" and done.manifest["steps"] == 10
    steps = [p.step for p in job.history]
    assert steps == list(range(1, 11))  # continued, not restarted
    assert backend.calls[1]["resume_from"] == stopped.checkpoint_dir
    again = store.load("fix", "v1").manifest
    assert again["status"] == "stopped" and again["steps"] == at  # v1 untouched
    assert again["dataset"]["sha256"] == done.manifest["dataset"]["sha256"]


async def test_resume_from_a_later_kernel_reads_the_stopped_version(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    job = train(_dataset(tmp_path, 6), name="fix",
                backend=FakeTrainingBackend(step_seconds=0.02), adapters=store)  # fmt: skip
    await _stop_at(job, 2)
    await job
    at = job.step
    later = resume("fix", backend=FakeTrainingBackend(), adapters=tmp_path / "ad")  # a new job
    artifact = await later
    # the curve so far was read from the stopped version's manifest, then training went on
    assert [p.step for p in later.history] == list(range(1, 7))
    assert artifact is not None and artifact.label == "fix:v2"
    assert artifact.manifest["parent"] == "v1" and artifact.manifest["steps"] == 6
    assert later.artifacts[0].label == "fix:v1" and later.artifacts[0].manifest["steps"] == at


def test_resume_without_a_stopped_version_is_one_line(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    with pytest.raises(AdapterError, match="no adapter named 'ghost'"):
        store.load("ghost")
    train(_dataset(tmp_path), name="fix", backend=FakeTrainingBackend(), adapters=store).wait()
    with pytest.raises(
        Exception, match=r"cannot resume adapter 'fix': its newest version v1 is not a stopped"
    ):
        resume("fix", backend=FakeTrainingBackend(), adapters=store)


def test_a_corrupt_manifest_is_one_line_and_listing_skips_it(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    train(_dataset(tmp_path), name="fix", backend=FakeTrainingBackend(), adapters=store).wait()
    train(_dataset(tmp_path), name="fix", backend=FakeTrainingBackend(), adapters=store).wait()
    manifest = tmp_path / "ad/fix/v1/manifest.json"
    manifest.write_text('{"schema": "ascope.adapter/1", "name": ')
    with pytest.raises(AdapterError) as info:
        store.load("fix", "v1")
    line = str(info.value)
    assert "\n" not in line and "fix:v1" in line and str(manifest) in line
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        listed = store.list()
    assert [a.label for a in listed] == ["fix:v2"]
    assert len(caught) == 1 and issubclass(caught[0].category, AdapterWarning)
    manifest.write_text(json.dumps({"schema": "other/9"}))
    with pytest.raises(AdapterError, match="is not an ascope.adapter/1 manifest"):
        store.load("fix", "v1")
    with pytest.raises(AdapterError, match="has no version 'v7'.*v1, v2"):
        store.load("fix", "v7")


@pytest.mark.parametrize("name", ["../up", "", "a/b", ".hidden"])
def test_bad_adapter_names_are_refused_before_anything_is_written(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(AdapterError, match="adapter name"):
        AdapterStore(tmp_path / "ad").reserve(name)
    assert not (tmp_path / "ad").exists() or not any((tmp_path / "ad").iterdir())


async def test_a_failing_backend_marks_the_version_and_the_next_one_is_new(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    job = train(
        _dataset(tmp_path), name="fix", backend=FakeTrainingBackend(fail_at_step=3), adapters=store
    )
    with pytest.raises(TuneError) as info:
        await job
    assert str(info.value) == "RuntimeError: fake backend failed at step 3 (adapter fix:v1)"
    assert job.status == "error" and store.load("fix", "v1").manifest["status"] == "error"
    assert store.load("fix", "v1").manifest["steps"] == 2
    ok = await train(_dataset(tmp_path), name="fix", backend=FakeTrainingBackend(), adapters=store)
    assert ok is not None and ok.version == "v2" and store.load("fix", "v1").status == "error"


def test_delete_removes_one_version_only(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    for _ in range(2):
        train(_dataset(tmp_path), name="fix", backend=FakeTrainingBackend(), adapters=store).wait()
    store.delete("fix", "v1")
    assert [a.label for a in store.list()] == ["fix:v2"]
    assert store.reserve("fix").version == "v3"  # numbers are not reused
    frame = store.to_dataframe()
    assert frame[["name", "version", "status"]].values.tolist() == [
        ["fix", "v2", "completed"], ["fix", "v3", "training"]
    ]  # fmt: skip


async def test_resume_refuses_a_kept_dataset_that_changed(tmp_path: Path) -> None:
    store = AdapterStore(tmp_path / "ad")
    job = train(_dataset(tmp_path, 6), name="fix",
                backend=FakeTrainingBackend(step_seconds=0.02), adapters=store)  # fmt: skip
    await _stop_at(job, 2)
    await job
    kept = tmp_path / "ad/fix/v1/dataset.jsonl"
    kept.write_text(kept.read_text() + json.dumps(sft_row("new", "row")) + "\n")
    with pytest.raises(Exception) as info:
        job.resume()
    assert str(info.value) == (
        f"cannot resume adapter fix:v1: its dataset {str(kept)!r} changed since it was trained "
        "(sha256 differs from the manifest); train a new version instead"
    )
    assert store.versions("fix") == ["v1"] and job.status == "stopped"  # nothing reserved
    with pytest.raises(Exception, match="changed since it was trained"):
        resume("fix", backend=FakeTrainingBackend(), adapters=store)


async def test_tune_magic_resume_continues_a_stopped_version_of_an_earlier_kernel(
    tmp_path: Path,
) -> None:
    from ascope_nb.notebook.tune_magics import parse_tune, run_tune

    data, ad = (
        write_jsonl(tmp_path / "d.jsonl", [sft_row(f"q{i}", "a") for i in range(5)]),
        tmp_path / "ad",
    )
    namespace: dict[str, object] = {"slow": FakeTrainingBackend(step_seconds=0.03)}
    run_tune(
        parse_tune(f"fix --dataset {data} --backend slow --adapters {ad} --out job"), namespace
    )
    job = namespace["job"]
    assert isinstance(job, TuneJob)
    await _stop_at(job, 2)
    await job
    namespace = {"fresh": FakeTrainingBackend()}  # as a new kernel: only the files remain
    run_tune(parse_tune(f"fix --resume --backend fresh --adapters {ad} --out again"), namespace)
    again = namespace["again"]
    assert isinstance(again, TuneJob)
    artifact = await again
    assert artifact is not None and (artifact.label, artifact.manifest["parent"]) == (
        "fix:v2",
        "v1",
    )
    assert artifact.manifest["steps"] == 5
    listing = run_tune(parse_tune(f"--list --adapters {ad}"), {})
    assert listing[["version", "status", "parent"]].values.tolist() == [
        ["v1", "stopped", ""], ["v2", "completed", "v1"]
    ]  # fmt: skip
