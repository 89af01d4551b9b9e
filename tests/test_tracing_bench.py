"""The tracing benchmark runs end to end (tiny sizes) and, with tracing off, loads no OTel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_tracing_smoke() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_tracing.py"), "--steps=4", "--repeats=1"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    rows = {
        cells[0]: cells
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| id")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert set(rows) == {"step_cpu", "step_wall", "import"}
    assert rows["import"][2] == "0" and rows["import"][-1] == "PASS"
    assert int(rows["import"][3]) > 0  # with tracing on, OpenTelemetry is really used
    assert "spans per traced reply: 10" in done.stdout  # 1 invoke_agent, 5 chat, 4 execute_tool
