"""Kernel fixtures: a real ipykernel 7 (this environment) and ipykernel 6.31 (``.venv-ipk6``).

The ipykernel 6 environment is a plain venv (no system site-packages) whose ``.pth`` file
adds this environment's site directories *after* its own, with ipykernel 6.31 installed in
it; so it sees exactly the packages of the environment running the tests (a fresh venv, or
not), with ipykernel 6 first. It is built once (the only download, from PyPI) and kept in
``.venv-ipk6`` at the repository root (git-ignored).
"""

from __future__ import annotations

import site
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kernel_driver import REPO, KernelDriver

IPK6_DIR = REPO / ".venv-ipk6"
IPK6_REQUIREMENT = "ipykernel==6.31.*"
OUTER_PTH = "_ascope_outer_env.pth"

SETUP = """
import asyncio, datetime, json
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import ToolResponse

async def until(predicate, timeout=20.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)
"""


def _ipykernel_version(python: Path) -> str:
    out = subprocess.run(
        [str(python), "-c", "import ipykernel; print(ipykernel.__version__)"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() if out.returncode == 0 else ""


def _purelib(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def _outer_site_line() -> str:
    """A ``.pth`` line adding this environment's site directories (their ``.pth`` files too)."""
    dirs = [d for d in site.getsitepackages() if Path(d).is_dir()]
    return f"import site; list(map(site.addsitedir, {dirs!r}))\n"


def ipykernel6_python() -> str:
    """The Python of ``.venv-ipk6`` (made on first use) with ipykernel 6.31."""
    python = IPK6_DIR / "bin" / "python"
    pth_line = _outer_site_line()
    if python.exists():
        pth = _purelib(python) / OUTER_PTH
        if (
            pth.exists()
            and pth.read_text() == pth_line
            and _ipykernel_version(python).startswith("6.31")
        ):
            return str(python)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(IPK6_DIR)], check=True)
    (_purelib(python) / OUTER_PTH).write_text(pth_line)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            IPK6_REQUIREMENT,
        ],
        check=True,
    )
    version = _ipykernel_version(python)
    assert version.startswith("6.31"), f".venv-ipk6 has ipykernel {version!r}, not 6.31"
    return str(python)


@pytest.fixture(scope="session")
def ipk6_python() -> str:
    return ipykernel6_python()


@pytest.fixture(scope="module", params=["ipykernel7", "ipykernel6"])
def kernel(request: pytest.FixtureRequest) -> Iterator[KernelDriver]:
    """A started kernel with ``%load_ext ascope_nb`` and the test helpers; one per module."""
    if request.param == "ipykernel6":
        python = request.getfixturevalue("ipk6_python")
    else:
        python = sys.executable
    driver = KernelDriver(python)
    try:
        major = driver.ok("import ipykernel; ipykernel.__version__").result
        assert major is not None and major["text/plain"].strip("'").startswith(
            "7." if request.param == "ipykernel7" else "6.31"
        ), major
        driver.ok("%load_ext ascope_nb")
        driver.ok(SETUP)
        yield driver
    finally:
        driver.shutdown()
