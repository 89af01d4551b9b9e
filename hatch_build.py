"""Hatch build hook: build the JupyterLab extension (``labextension/``) into the wheel.

When a wheel (standard or editable) or an sdist is built, the prebuilt extension in
``ascope_nb/labextension/`` is reused if its source hash still matches; otherwise it is
rebuilt offline from the npm lock file: ``npm ci``, ``tsc``, then the ``@jupyter/builder``
script that ``jupyter-builder build .`` runs, with ``@jupyterlab/core-meta`` from
``node_modules`` (no GitHub access). The output is mapped to
``share/jupyter/labextensions/ascope-nb`` so JupyterLab and Notebook 7 find it.

Without Node.js the Python package still builds (with a warning) and notebooks fall back to
the ``text/html`` transcript; set ``ASCOPE_NB_REQUIRE_LABEXTENSION=1`` to make that an error.

Example (what the README's install runs)::

    pip install -e '.[notebook,test]'
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXT_NAME = "ascope-nb"
SHARE_DIR = f"share/jupyter/labextensions/{EXT_NAME}"
STAMP = "source.sha256"
_SOURCES = ("package.json", "package-lock.json", "tsconfig.json", "src", "style")


def _inputs(root: Path) -> Iterator[Path]:
    ext = root / "labextension"
    for name in _SOURCES:
        path = ext / name
        yield from sorted(path.rglob("*")) if path.is_dir() else [path]
    yield from sorted((root / "ascope_nb" / "views" / "static").glob("*"))


def source_hash(root: Path) -> str:
    """A hash of every input of the extension build (its sources and the shared renderer)."""
    digest = hashlib.sha256()
    for path in _inputs(root):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def is_fresh(root: Path) -> bool:
    """Whether ``ascope_nb/labextension`` was built from the current sources."""
    out = root / "ascope_nb" / "labextension"
    stamp = out / STAMP
    if not (out / "package.json").is_file() or not stamp.is_file():
        return False
    if not (root / "labextension" / "src").is_dir():
        return True  # an sdist or wheel source without the TypeScript: trust the prebuilt
    return stamp.read_text().strip() == source_hash(root)


def build_labextension(root: Path, *, log: Callable[[str], Any] = print) -> Path:
    """Build the extension into ``ascope_nb/labextension`` (offline, from the lock file)."""
    ext = root / "labextension"
    out = root / "ascope_nb" / "labextension"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise RuntimeError("Node.js (node and npm) is needed to build the JupyterLab extension")
    modules = ext / "node_modules"
    lock, installed = ext / "package-lock.json", modules / ".package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        log("ascope-nb: npm ci (labextension)")
        subprocess.run(
            [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"], cwd=ext, check=True
        )
    log("ascope-nb: tsc + jupyter-builder build (labextension)")
    subprocess.run(
        [node, str(modules / "typescript" / "bin" / "tsc"), "-p", "."], cwd=ext, check=True
    )
    builder = modules / "@jupyter" / "builder" / "lib" / "build-labextension.js"
    core = modules / "@jupyterlab" / "core-meta" / "core.package.json"
    subprocess.run([node, str(builder), "--core-package-file", str(core), "."], cwd=ext, check=True)
    (out / STAMP).write_text(source_hash(root) + "\n")
    return out


class LabextensionBuildHook(BuildHookInterface):
    """Builds (if stale) and ships the JupyterLab extension."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        out = root / "ascope_nb" / "labextension"
        if not is_fresh(root):
            try:
                build_labextension(root, log=self.app.display_info)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                if os.environ.get("ASCOPE_NB_REQUIRE_LABEXTENSION") == "1":
                    raise
                self.app.display_warning(f"ascope-nb: JupyterLab extension not built: {exc}")
        if not (out / "package.json").is_file():
            return
        if self.target_name == "wheel":
            build_data["shared_data"][str(out)] = SHARE_DIR
            install = root / "labextension" / "install.json"
            if install.is_file():
                build_data["shared_data"][str(install)] = f"{SHARE_DIR}/install.json"
        elif self.target_name == "sdist":
            build_data["force_include"][str(out)] = "ascope_nb/labextension"
