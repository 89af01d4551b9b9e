"""The tutorial notebooks run offline, top to bottom, and their checked cells reproduce
their saved outputs (nbval ``--nbval-lax`` in a subprocess, one per notebook).

pytest's ``testpaths`` is ``tests``, so the notebooks are not collected twice: this module
is the only way the normal test command reaches them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# removed from the notebooks' environment: the real-endpoint cells must take their offline path
REAL_MODEL_VARS = ("OPENAI_API_KEY", "DASHSCOPE_API_KEY", "OLLAMA_HOST", "ASCOPE_MODEL")
CHECK = "# NBVAL_CHECK_OUTPUT"

# 10_local_model runs the real embedded model: a cell can take minutes on a busy 2-core box
CELL_TIMEOUT = 600
NOTEBOOK_TIMEOUT = 1500
pytestmark = pytest.mark.timeout(NOTEBOOK_TIMEOUT + 60)


def run_nbval(notebook: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m pytest --nbval-lax NOTEBOOK`` with no model keys and a scratch run store."""
    env = {k: v for k, v in os.environ.items() if k not in REAL_MODEL_VARS}
    env["ASCOPE_STORE"] = str(workdir / "runs.sqlite")
    env["ASCOPE_BLOCK_REMOTE_MODELS"] = "1"
    env["ASCOPE_MODEL"] = "demo"  # cells without --model: the deterministic offline demo model
    command = [sys.executable, "-m", "pytest", "--nbval-lax", str(notebook)]
    command += ["-p", "no:cacheprovider", "-q", "--rootdir", str(ROOT)]
    command += ["--timeout", str(CELL_TIMEOUT)]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=NOTEBOOK_TIMEOUT,
        check=False,
    )


def failure_report(result: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    tail = (result.stdout + result.stderr).splitlines()[-lines:]
    return f"nbval exited with {result.returncode}:\n" + "\n".join(tail)


def load(notebook: Path) -> dict:
    return json.loads(notebook.read_text(encoding="utf-8"))


def code_cells(notebook: Path) -> list[dict]:
    return [c for c in load(notebook)["cells"] if c["cell_type"] == "code"]


def test_the_tutorials_are_there() -> None:
    names = {p.stem for p in NOTEBOOKS}
    expected = {
        "01_hello_agent",
        "01_hello_agent_zh",
        "02_tools",
        "03_steering",
        "04_msghub",
        "05_memory",
        "07_structured_output",
        "09_real_model_endpoint",
        "10_local_model",
        "16_werewolf",
        "17_debate",
        "18_deep_research",
        "19_browser_agent",
        "20_plans",
        "21_voice",
        "22_tune",
    }
    assert expected <= names, sorted(expected - names)


def test_the_index_lists_every_notebook() -> None:
    index = (NOTEBOOK_DIR / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in NOTEBOOKS if f"({p.name})" not in index]
    assert missing == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_saved_executed_with_checked_cells(notebook: Path) -> None:
    cells = code_cells(notebook)
    unexecuted = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    errors = [
        i for i, c in enumerate(cells) if any(o["output_type"] == "error" for o in c["outputs"])
    ]
    checked = [c for c in cells if "".join(c["source"]).lstrip().startswith(CHECK)]
    assert unexecuted == [] and errors == []
    assert checked and all(c["outputs"] for c in checked)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_offline(notebook: Path, tmp_path: Path) -> None:
    result = run_nbval(notebook, tmp_path)
    assert result.returncode == 0, failure_report(result)


def test_a_changed_checked_output_fails(tmp_path: Path) -> None:
    """The harness is not blind: a checked cell whose saved output differs is a failure."""
    notebook = tmp_path / "wrong.ipynb"
    cell = {
        "cell_type": "code",
        "id": "c0",
        "metadata": {},
        "execution_count": 1,
        "source": f"{CHECK}\nprint(6 * 7)",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "41\n"}],
    }
    nb = {
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    result = run_nbval(notebook, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "1 failed" in output
    assert "41" in output and "42" in output
