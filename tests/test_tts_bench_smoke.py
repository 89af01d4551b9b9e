"""The TTS benchmark runs end to end at its smallest size and prints every row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = {
    "local.rtf",
    "local.rtf.cpu",
    "local.rtf.1thread",
    "local.cold",
    "local.ttfa.push",
    "local.ttfa.stream",
    "local.stt.rtf",
    "fake.first_chunk",
    "fake.ttfa.first_token",
    "fake.rtf",
}


def test_tts_bench_quick_prints_every_row(tmp_path: Path) -> None:
    raw = tmp_path / "tts.json"
    done = subprocess.run(
        [sys.executable, "benchmarks/tts_bench.py", "--repeats=1", "--quick", f"--json={raw}"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    rows = {
        cells[0]: cells
        for cells in ([c.strip() for c in line.strip("|").split("|")] for line in lines[1:])
    }
    assert set(rows) == ROWS
    for row_id, cells in rows.items():
        assert float(cells[1]) > 0, row_id
    numbers = json.loads(raw.read_text())
    assert numbers["words"] == 9 and len(numbers["rtf"]) == 1
    # a real voice: a few seconds of speech for nine words
    assert 1.5 < numbers["audio_s"] < 8
