"""Runs the Galata (Playwright) browser suite of ``tests/ui/specs`` under pytest.

JupyterLab 4.6 is started by Playwright on a free 127.0.0.1 port, token-less, in a temp root
dir; Chromium is Debian's ``/usr/bin/chromium``. Screenshots, traces and the HTML / JSON
reports are kept in ``test-artifacts/ui/``. Nothing is installed here: ``scripts/test.sh``
installs chromium and runs ``npm install`` in ``tests/ui``; a missing piece is a failure.

Example:
    python -m pytest tests/ui -q
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

UI_DIR = Path(__file__).parent
REPO = UI_DIR.parent.parent
ARTIFACTS = REPO / "test-artifacts" / "ui"
CHROMIUM = os.environ.get("ASCOPE_UI_CHROMIUM", "/usr/bin/chromium")
PLAYWRIGHT_CLI = UI_DIR / "node_modules" / "@playwright" / "test" / "cli.js"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUITE_TIMEOUT = 3300  # seconds for the whole suite (each spec has its own limit too;
# tutorials.spec.ts runs the real local model twice)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check_prerequisites() -> str:
    node = shutil.which("node")
    assert node, "node (20+) is required for the browser tests"
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `apt-get install chromium` (scripts/test.sh does)"
    )
    assert (
        PLAYWRIGHT_CLI.exists() and (UI_DIR / "node_modules" / "@jupyterlab" / "galata").exists()
    ), "tests/ui/node_modules is missing: run `cd tests/ui && npm install` (scripts/test.sh does)"
    import jupyterlab

    assert jupyterlab.__version__.startswith("4.6."), (
        f"the browser tests need JupyterLab 4.6 (Galata 5.6), found {jupyterlab.__version__}"
    )
    return node


def _checkout_labextension(tmp_path: Path) -> str:
    """A JUPYTER_PATH dir whose ``labextensions/ascope-nb`` is this checkout's build (so the
    specs test the extension built from these sources, not one installed from elsewhere)."""
    built = REPO / "ascope_nb" / "labextension"
    assert (built / "package.json").is_file(), (
        f"{built} is missing: build the lab extension (pip install -e . does)"
    )
    data = tmp_path / "jupyter-data"
    (data / "labextensions").mkdir(parents=True)
    (data / "labextensions" / "ascope-nb").symlink_to(built, target_is_directory=True)
    return str(data)


def _failures(report: dict) -> list[str]:
    """Titles and first error lines of the specs that did not pass."""
    out: list[str] = []

    def walk(suite: dict, trail: list[str]) -> None:
        for child in suite.get("suites", []):
            walk(child, [*trail, child.get("title", "")])
        for spec in suite.get("specs", []):
            for test in spec.get("tests", []):
                if test.get("status") != "expected":
                    errors = [
                        ANSI.sub("", e.get("message") or "").strip().splitlines()[0]
                        for r in test.get("results", [])
                        for e in r.get("errors", [])
                    ]
                    out.append(
                        f"{' › '.join([*trail, spec['title']])}: {errors[0] if errors else test.get('status')}"
                    )

    for suite in report.get("suites", []):
        walk(suite, [suite.get("title", "")])
    return out


@pytest.mark.timeout(SUITE_TIMEOUT + 120)
def test_galata_suite(tmp_path: Path) -> None:
    node = _check_prerequisites()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report_file = ARTIFACTS / "report.json"
    report_file.unlink(missing_ok=True)
    root = tmp_path / "lab-root"
    root.mkdir()
    env = {
        **os.environ,
        "ASCOPE_UI_PORT": str(_free_port()),
        "ASCOPE_UI_PYTHON": sys.executable,
        "ASCOPE_UI_CHROMIUM": CHROMIUM,
        "ASCOPE_UI_ARTIFACTS": str(ARTIFACTS),
        "JUPYTERLAB_GALATA_ROOT_DIR": str(root),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "FORCE_COLOR": "0",
        "NO_COLOR": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),  # no user settings leak in
        "JUPYTER_PATH": os.pathsep.join(
            filter(None, [_checkout_labextension(tmp_path), os.environ.get("JUPYTER_PATH")])
        ),
    }
    log_path = ARTIFACTS / "playwright.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            # ASCOPE_UI_SPECS="stop experiment" runs only those spec files (while developing)
            [node, str(PLAYWRIGHT_CLI), "test", *os.environ.get("ASCOPE_UI_SPECS", "").split()],
            cwd=UI_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so a timeout ends JupyterLab and chromium too
        )
        try:
            rc = proc.wait(timeout=SUITE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
    lines = log_path.read_text(errors="replace").splitlines()
    tail = "\n".join(line for line in lines if not line.startswith("[WebServer]"))[-6000:]
    assert rc is not None, f"the browser suite ran over {SUITE_TIMEOUT}s\n{tail}"
    assert report_file.exists(), f"Playwright wrote no report (exit {rc})\n{tail}"
    report = json.loads(report_file.read_text())
    stats = report["stats"]
    failures = _failures(report)
    assert stats["expected"] > 0, f"no browser spec ran\n{tail}"
    assert not failures and stats["unexpected"] == 0 and rc == 0, (
        f"{len(failures)} browser spec(s) failed (screenshots and traces in {ARTIFACTS}):\n"
        + "\n".join(failures)
        + f"\n--- Playwright output (tail) ---\n{tail}"
    )
