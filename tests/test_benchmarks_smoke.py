"""The core benchmark script runs end to end (tiny sizes, ascope_nb only) and its table parses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "core_bench.py"
RESULTS = {"PASS", "FAIL", ""}


def parse_table(text: str) -> dict[str, dict[str, str]]:
    """Rows of the Markdown table printed by core_bench.py, keyed by their id column."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert set(lines[1].replace("|", "").replace("-", "")) == set(), "second line is a rule"
    rows: dict[str, dict[str, str]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        row = dict(zip(header, cells, strict=True))
        assert row["id"] not in rows, f"duplicate row {row['id']}"
        rows[row["id"]] = row
    return rows


def test_core_bench_ours_only_prints_every_scenario(tmp_path: Path) -> None:
    raw = tmp_path / "raw.json"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--ours-only",
            "--steps=2,4",
            "--adds=300",
            "--hub-agents=3",
            "--fanout=4",
            "--sleep=0.02",
            "--repeats=1",
            "--import-runs=1",
            f"--json={raw}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    rows = parse_table(done.stdout)
    expected = {
        "steps.N2",
        "steps.N4",
        "steps_noformat.N2",
        "steps_noformat.N4",
        "flatness",
        "flatness.noformat",
        "flatness.cpu",
        "steps_cpu.N2",
        "steps_cpu.N4",
        "memory.adds",
        "hub.round",
        "fanout.wall",
        "fanout.single",
        "import",
    }
    assert set(rows) == expected
    for row_id, row in rows.items():
        assert float(row["ascope_nb"].replace(",", "")) > 0, row_id
        assert row["AgentScope 1.0.21"] == "-", row_id  # --ours-only: no AgentScope figures
        assert row["result"] in RESULTS, row_id
    # Targets that need no AgentScope figure get a verdict even in --ours-only mode.
    for row_id in ("memory.adds", "fanout.wall", "flatness"):
        assert rows[row_id]["result"] in {"PASS", "FAIL"}, row_id
    # The fanout of 4 agents sleeping 0.02 s runs concurrently: well under 4 × 0.02 s.
    assert float(rows["fanout.wall"]["ascope_nb"]) < 4 * 0.02
    assert raw.exists() and raw.stat().st_size > 0
