"""Runs the JavaScript unit tests of the shared renderer (node's test runner) under pytest,
so the README's one test command covers them too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

JS_DIR = Path(__file__).parent / "js"


def test_renderer_js_unit_tests() -> None:
    node = shutil.which("node")
    assert node, "node is required for the JS unit tests (Node 20+)"
    assert (JS_DIR / "node_modules" / "linkedom").exists(), (
        "tests/js/node_modules is missing: run `cd tests/js && npm install` (scripts/test.sh does)"
    )
    result = subprocess.run(
        [node, "--test"], cwd=JS_DIR, capture_output=True, text=True, timeout=600
    )
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, tail
    assert "# fail 0" in result.stdout, tail


def test_lab_extension_js_unit_tests() -> None:
    """The lab extension's renderer over fixture runs (built from the real views)."""
    ext = JS_DIR.parent.parent / "labextension"
    npm = shutil.which("npm")
    assert npm, "npm is required to build and test the lab extension (Node 20+)"
    assert (ext / "node_modules").exists(), (
        "labextension/node_modules is missing: run `npm ci` in labextension/ (scripts/test.sh does)"
    )
    result = subprocess.run([npm, "test"], cwd=ext, capture_output=True, text=True, timeout=900)
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, tail
    assert "# fail 0" in result.stdout, tail
