"""The Python fold and its browser twin ``static/fold.js`` give the same steps and summary:
on the golden fixtures (``tests/fixtures/fold/``, written by ``tests/fold_golden.py``) and on
random runs of real agents written for this test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fold_golden import FIXTURES, expected, fixture, random_runs

JS_DIR = Path(__file__).parent / "js"
GOLDEN = sorted(FIXTURES.glob("*.json"))


def _node(extra: Path | None = None) -> str:
    node = shutil.which("node")
    assert node, "node is required for the fold.js tests (Node 20+)"
    env = dict(os.environ)
    if extra is not None:
        env["ASCOPE_FOLD_FIXTURES"] = str(extra)
    result = subprocess.run(
        [node, "--test", "fold_golden.test.js"],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert "# fail 0" in result.stdout, out[-4000:]
    return result.stdout


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_python_fold_gives_the_golden_steps(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert expected(data["events"]) == {"steps": data["steps"], "summary": data["summary"]}


def test_the_golden_set_covers_the_hard_cases() -> None:
    runs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in GOLDEN}
    calls = [c for r in runs.values() for s in r["steps"] for c in s["tool_calls"]]
    decisions = {(c["approval"] or {}).get("decision") for c in calls}
    assert {"approved", "denied", "edited"} <= decisions
    assert {"success", "error", "interrupted", "denied"} <= {c["state"] for c in calls}
    statuses = {r["summary"]["status"] for r in runs.values()}
    assert {"completed", "interrupted", "error", "max_iters"} <= statuses
    kinds = {e["kind"] for r in runs.values() for e in r["events"]}
    assert {"hint_injected", "message_observed", "thinking_delta"} <= kinds
    assert any(s.get("observers") for s in runs["hub"]["steps"])


def test_fold_js_agrees_on_the_golden_set() -> None:
    assert f"# pass {len(GOLDEN) + 1}" in _node()


def test_fold_js_agrees_on_random_runs(tmp_path: Path) -> None:
    runs = random_runs(seed=20, n=24)
    for i, events in enumerate(runs):
        data = fixture(events)
        (tmp_path / f"run{i:02d}.json").write_text(json.dumps(data), encoding="utf-8")
    assert f"# pass {len(GOLDEN) + 1 + len(runs)}" in _node(tmp_path)
