"""The README's run command starts JupyterLab on the tutorials, as written (also as root).

CI (``.ci/run``) runs the README's test command itself in a fresh venv, so only the run
command is checked here: its ``jupyter lab ...`` part is started with extra options for a
free port and no browser, and must serve ``/api`` (the install part is what
``scripts/test.sh`` does already).

Example:
    python -m pytest tests/test_readme_commands.py -q
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _marked_command(marker: str) -> str:
    lines = (REPO / "README.md").read_text().splitlines()
    start = lines.index(f"<!-- {marker} -->")
    assert lines[start + 1].startswith("```"), f"no code block after <!-- {marker} -->"
    return lines[start + 2].strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_command_installs_all_and_starts_lab_on_the_tutorials(tmp_path: Path) -> None:
    *installs, run = _marked_command("run-command").split(" && ")
    assert installs and shlex.split(installs[0])[:3] == ["pip", "install", "-e"], installs
    assert all(shlex.split(i)[:2] == ["pip", "install"] for i in installs), installs
    argv = shlex.split(run)
    assert argv[:2] == ["jupyter", "lab"] and "notebooks/" in argv, run
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(Path(sys.prefix) / "share" / "jupyter"),
    }
    extra = [f"--port={port}", "--port-retries=0", "--no-browser", "--ServerApp.ip=127.0.0.1"]
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", *argv[1:], *extra],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        version = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as r:
                    version = json.loads(r.read())["version"]
                break
            except OSError:
                time.sleep(0.5)
        assert version, f"`{run}` did not start (exit {proc.poll()}):\n{log.read_text()[-2000:]}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
