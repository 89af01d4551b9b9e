"""``%tune`` in a real kernel: the dataset and a live progress view are shown, progress
messages stream while the cell has returned, the Stop button stops with a checkpoint, the
Resume button continues to the total, a bad dataset is one line and trains nothing, and a
secret in a run's tool argument never reaches a cell output."""

from __future__ import annotations

import json
import queue
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

TUNE_SETUP = """
import sys, json
sys.path.insert(0, "tests")
import ascope_nb
from tune_support import agent_for, sft_row, write_jsonl, SECRET
from ascope_nb.testing import FakeTrainingBackend
from pathlib import Path
trainer = FakeTrainingBackend(step_seconds=0.15)
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = tmp_path_factory.mktemp("tune-kernel") / "runs.sqlite"
    driver = KernelDriver(sys.executable, extra_env={"ASCOPE_STORE": str(store)})
    try:
        driver.ok("%load_ext ascope_nb")
        driver.ok(SETUP + TUNE_SETUP)
        yield driver
    finally:
        driver.shutdown()


def _updates(kernel: KernelDriver, comm_id: str, seconds: float) -> list[dict[str, Any]]:
    """The ``tune`` states the view sent to the frontend during ``seconds`` (any parent)."""
    states: list[dict[str, Any]] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            msg = kernel.kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        content = msg["content"]
        if msg["header"]["msg_type"] == "comm_msg" and content.get("comm_id") == comm_id:
            state = content["data"].get("state", {})
            if "tune" in state:
                states.append(state["tune"])
    return states


def _all_text(outputs: list[dict[str, Any]]) -> str:
    return json.dumps(outputs, ensure_ascii=False)


def test_tune_shows_progress_stops_with_a_checkpoint_and_resumes(
    kernel: KernelDriver, tmp_path: Path
) -> None:
    ad = tmp_path / "ad"
    kernel.ok(
        f"write_jsonl(Path({str(tmp_path / 'd.jsonl')!r}), [sft_row(f'q{{i}}', f'a{{i}}') for i in range(12)])"
    )
    ex = kernel.ok(
        f"%tune fix --dataset {tmp_path / 'd.jsonl'} --backend trainer --adapters {ad} --out job"
    )
    html = [o["text/html"] for o in ex.outputs if "text/html" in o]
    assert any("sft dataset" in h and "12 samples" in h for h in html), html  # the preview
    comm = ex.widget_comm("tune")
    assert ex.reply["content"]["status"] == "ok"  # the cell returned while training goes on
    states = _updates(kernel, comm, 1.0)
    steps = [s["step"] for s in states]
    assert len(set(steps)) >= 2 and steps == sorted(steps), steps  # progress arrives live
    assert all(s["status"] == "training" and s["total"] == 12 for s in states)
    assert states[-1]["curve"][0][0] == 1 and states[-1]["loss"] < 2.0
    kernel.click(comm, {"cmd": "stop"})
    stopped = kernel.ok(
        "await until(lambda: job.done)\n"
        "a = job.artifact\n"
        "json.dumps([job.status, job.step, a.label, a.status, a.checkpoint_dir.is_dir()])"
    ).value()
    assert stopped[0] == "stopped" and 1 <= stopped[1] < 12
    assert stopped[2:] == ["fix:v1", "stopped", True]
    kernel.drain_iopub()
    kernel.click(comm, {"cmd": "resume"})
    done = kernel.ok(
        "await until(lambda: job.status == 'completed')\n"
        "a = job.artifact\n"
        "json.dumps([job.step, a.label, a.manifest['parent'], a.manifest['steps'], "
        "[p.step for p in job.history] == list(range(1, 13))])",
        timeout=60,
    ).value()
    assert done == [12, "fix:v2", "v1", 12, True]


def test_the_saved_output_of_a_finished_training_needs_no_kernel(
    kernel: KernelDriver, tmp_path: Path
) -> None:
    ad = tmp_path / "ad"
    kernel.ok(f"write_jsonl(Path({str(tmp_path / 'd.jsonl')!r}), [sft_row(), sft_row('x', 'y')])")
    ex = kernel.ok(
        f"slow = FakeTrainingBackend(step_seconds=0.3)\n"
        f"%tune once --dataset {tmp_path / 'd.jsonl'} --backend slow --adapters {ad} --out job2"
    )
    assert ex.widget_comm("tune")  # shown live first
    waited = kernel.ok("await job2")
    messages = ex.messages + waited.messages
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # an update sent after the cells went idle
        try:
            messages.append(kernel.kc.get_iopub_msg(timeout=0.2))
        except queue.Empty:
            break
    updates = [
        m["content"]["data"] for m in messages
        if m["header"]["msg_type"] == "update_display_data"
        and "once:v1" in m["content"]["data"].get("text/html", "")
    ]  # fmt: skip
    final = updates[-1] if updates else None
    assert final is not None, "the live view was not replaced by its saved form"
    assert "application/vnd.jupyter.widget-view+json" not in final
    assert "step 2/2 · loss 1.28" in final["text/html"] and "loss 1.6 → 1.28" in final["text/html"]
    assert final["text/plain"].startswith("TuneJob('once:v1', status='completed'")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("[]", "is empty"),
        ("[sft_row('hi', '')]", "completion has no assistant text or tool call"),
        ("['{\"messages\": []}']", "missing 'prompt'"),
    ],
    ids=["empty", "no-assistant-tokens", "wrong-format"],
)
def test_a_bad_dataset_is_one_line_and_trains_nothing(
    kernel: KernelDriver, tmp_path: Path, rows: str, expected: str
) -> None:
    path, ad = tmp_path / "bad.jsonl", tmp_path / "ad"
    kernel.ok(f"write_jsonl(Path({str(path)!r}), {rows}); calls_before = len(trainer.calls)")
    ex = kernel.execute(f"%tune bad --dataset {path} --backend trainer --adapters {ad}")
    assert ex.status == "error" and ex.errors == [], ex.errors
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("UsageError: ") and expected in lines[0], (
        ex.stderr
    )
    assert str(path) in lines[0]
    assert ex.outputs == [] and ex.comm_opens == []  # nothing shown, nothing started
    assert kernel.ok("json.dumps(len(trainer.calls) - calls_before)").value() == 0
    assert not ad.exists()


def test_magic_mistakes_are_one_line(kernel: KernelDriver) -> None:
    for line, expected in [
        ("%tune", "give the adapter's NAME"),
        ("%tune fix --backend nothing_here --dataset x.jsonl", "no backend named 'nothing_here'"),
        ("%tune fix --backend SECRET --dataset x.jsonl", "not a training backend"),
        ("%tune fix --methd dpo", "did you mean --method?"),
        ("%tune ../x --backend trainer --feedback up", "adapter name '../x'"),
    ]:
        ex = kernel.execute(line)
        lines = ex.stderr.strip().splitlines()
        assert ex.status == "error" and len(lines) == 1 and expected in lines[0], (line, ex.stderr)


def test_a_secret_in_a_tool_argument_never_reaches_the_dataset_preview(
    kernel: KernelDriver, tmp_path: Path
) -> None:
    kernel.ok(
        "run = ascope_nb.start(agent_for(secret=True), ascope_nb.Msg('user', 'Weather in Oslo?', 'user'))\n"
        "await run\nrun.feedback(label='up')\nawait asyncio.sleep(0.1)"
    )
    ex = kernel.ok(
        f"%tune sec --feedback up --backend trainer --adapters {tmp_path / 'ad'} --out job3"
    )
    shown = _all_text(ex.outputs) + ex.stdout + ex.stderr
    assert "get_weather" in shown and "[REDACTED]" in shown
    assert kernel.ok("json.dumps(SECRET)").value() not in shown
    kept = kernel.ok(
        "await job3\njson.dumps((job3.artifact.path / 'dataset.jsonl').read_text())"
    ).value()
    assert "hunter2" not in kept and "[REDACTED]" in kept
    listing = kernel.ok("%tune --list --adapters " + str(tmp_path / "ad"))
    assert listing.result is not None and "sec" in listing.result["text/plain"]
