"""The run store when a real kernel shuts down: the main ``runs.sqlite`` alone (copied
without its ``-wal``) holds every run of the session."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module", params=["ipykernel7", "ipykernel6"])
def python(request: pytest.FixtureRequest) -> str:
    if request.param == "ipykernel6":
        return str(request.getfixturevalue("ipk6_python"))
    return sys.executable


def test_kernel_shutdown_leaves_every_run_in_the_main_file(python: str, tmp_path: Path) -> None:
    path = tmp_path / "store" / "runs.sqlite"
    driver = KernelDriver(python, extra_env={"ASCOPE_STORE": str(path)})
    try:
        loaded = driver.execute("%load_ext ascope_nb")
        assert loaded.stderr == "", loaded.stderr
        driver.ok(SETUP + "\nimport ascope_nb")
        driver.ok('m1 = ScriptedModel(["first answer"])\nm2 = ScriptedModel(["second answer"])')
        driver.ok("%%agent Ada --model m1\nYou answer.")
        driver.ok("%%agent Bob --model m2\nYou answer too.")
        driver.ok("%%ask Ada --out r1\nHello?")
        driver.ok("%%ask Bob --out r2\nHello?")
        expected = driver.ok(
            "await r1\nawait r2\n"
            "json.dumps({r.run_id: [e.to_dict() for e in r.events] for r in (r1, r2)})"
        ).value()
    finally:
        driver.kc.stop_channels()
        driver.km.shutdown_kernel(now=False)  # a shutdown request, as the notebook sends
        driver._specs.cleanup()
    assert not Path(f"{path}-wal").exists(), "the kernel exited without merging the -wal"

    copy = tmp_path / "shared" / "runs.sqlite"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = raw.execute("SELECT run_id, data FROM events ORDER BY run_id, seq").fetchall()
        status = dict(raw.execute("SELECT run_id, status FROM runs").fetchall())
    stored: dict[str, list[dict[str, object]]] = {}
    for run_id, data in rows:
        stored.setdefault(run_id, []).append(json.loads(data))
    assert stored == expected
    assert status == {run_id: "completed" for run_id in expected}
