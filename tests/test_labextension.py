"""The JupyterLab extension: built by the hatch hook, installed where Jupyter finds it,
listed as enabled, and fed payloads in the shape the Python views write.

The JS renderer itself is tested in ``labextension/test`` (``npm test``) and in the browser
(``tests/ui/specs/saved_run_renderer.spec.ts``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

import ascope_nb

ROOT = Path(__file__).resolve().parents[1]
EXT_SRC = ROOT / "labextension"
MIME_TYPES = {
    "application/vnd.ascope.run+json",
    "application/vnd.ascope.hub+json",
    "application/vnd.ascope.memory+json",
}


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _installed_dir() -> Path:
    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("labextensions"):
        candidate = Path(base) / "ascope-nb"
        if (candidate / "package.json").is_file():
            return candidate
    pytest.fail("ascope-nb is not installed in any labextensions dir: run pip install -e .")


def test_labextension_list_shows_ascope_nb_enabled_and_ok() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    lines = [line.split() for line in text.splitlines() if line.strip().startswith("ascope-nb ")]
    assert len(lines) == 1, text
    name, version, enabled, ok, *source = lines[0]
    assert (name, version, enabled, ok) == (
        "ascope-nb",
        f"v{ascope_nb.__version__}",
        "enabled",
        "OK",
    )
    assert source == ["(python,", "ascope-nb)"]


def test_installed_extension_is_the_built_one_with_matching_metadata() -> None:
    installed = _installed_dir()
    meta = json.loads((installed / "package.json").read_text())
    source = json.loads((EXT_SRC / "package.json").read_text())
    assert meta["name"] == source["name"] == "ascope-nb"
    assert meta["version"] == source["version"] == ascope_nb.__version__
    assert meta["jupyterlab"]["_build"]["mimeExtension"] == "./mimeExtension"
    entry = installed / meta["jupyterlab"]["_build"]["load"]
    assert entry.is_file()
    chunks = list((installed / "static").glob("*.js"))
    # the shared renderer of the live widget is bundled (its step markup and search box)
    bundled = "".join(p.read_text(encoding="utf-8") for p in chunks)
    for marker in ("ascope-step-head", "Search steps", "application/vnd.ascope.memory+json"):
        assert marker in bundled
    install = json.loads((installed / "install.json").read_text())
    assert install == {**install, "packageManager": "python", "packageName": "ascope-nb"}


def test_labextension_paths_point_at_the_build_output() -> None:
    paths = ascope_nb._jupyter_labextension_paths()
    assert paths == [{"src": "labextension", "dest": "ascope-nb"}]
    built = Path(ascope_nb.__file__).parent / paths[0]["src"] / "package.json"
    assert json.loads(built.read_text())["name"] == paths[0]["dest"]


def test_source_hash_follows_the_shared_renderer(tmp_path: Path) -> None:
    hook = _load(ROOT / "hatch_build.py", "_ascope_hatch_build")
    for sub in ("src", "style"):
        shutil.copytree(EXT_SRC / sub, tmp_path / "labextension" / sub)
    for name in ("package.json", "package-lock.json", "tsconfig.json"):
        shutil.copy(EXT_SRC / name, tmp_path / "labextension" / name)
    static = tmp_path / "ascope_nb" / "views" / "static"
    shutil.copytree(ROOT / "ascope_nb" / "views" / "static", static)
    out = tmp_path / "ascope_nb" / "labextension"
    out.mkdir()
    (out / "package.json").write_text("{}")
    before = hook.source_hash(tmp_path)
    assert before == hook.source_hash(ROOT)  # same inputs, same hash
    assert not hook.is_fresh(tmp_path)  # no stamp yet
    (out / hook.STAMP).write_text(before)
    assert hook.is_fresh(tmp_path)
    with (static / "render.js").open("a") as f:
        f.write("\n// changed\n")
    assert hook.source_hash(tmp_path) != before
    assert not hook.is_fresh(tmp_path)  # an edit of render.js makes the build stale


@pytest.mark.timeout(600)
def test_wheel_ships_the_extension_as_shared_data(tmp_path: Path) -> None:
    assert shutil.which("npm"), "Node.js 20+ with npm is needed to build the extension"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        env={**os.environ, "ASCOPE_NB_REQUIRE_LABEXTENSION": "1"},
    )
    (wheel,) = tmp_path.glob("ascope_nb-*.whl")
    prefix = f"ascope_nb-{ascope_nb.__version__}.data/data/share/jupyter/labextensions/ascope-nb/"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = json.loads(zf.read(prefix + "package.json"))
    assert prefix + meta["jupyterlab"]["_build"]["load"] in names
    assert prefix + "install.json" in names
    assert {n for n in names if n.startswith(prefix + "static/") and n.endswith(".js")}


def test_fixtures_match_what_the_views_write() -> None:
    """The JS and browser tests read fixtures; they must be what the Python views emit now."""
    make = _load(EXT_SRC / "test" / "make_fixtures.py", "_ascope_make_fixtures")
    fresh = make.bundles()
    for name, bundle in fresh.items():
        saved = json.loads((EXT_SRC / "test" / "fixtures" / f"{name}.json").read_text())
        mime = {k for k in bundle if k in MIME_TYPES}
        assert len(mime) == 1
        assert {k: saved[k] for k in mime} == {k: bundle[k] for k in mime}, (
            f"{name}.json is stale: run python labextension/test/make_fixtures.py"
        )
    notebook = json.loads(make.NOTEBOOK.read_text())
    outputs = [c["outputs"][0]["data"] for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [{k: o[k] for k in o if k in MIME_TYPES} for o in outputs] == [
        {k: b[k] for k in b if k in MIME_TYPES} for b in fresh.values()
    ]


def test_built_extension_draws_the_hub_graph_of_a_saved_hub() -> None:
    """The saved-hub renderer wraps the chat with ``hub_graph.js`` (as the live HubView does):
    the installed bundle carries the graph's code, and the source names it."""
    shared = (EXT_SRC / "src" / "shared.ts").read_text()
    assert "withHubGraph(render.createHubRenderer)" in shared
    built = ROOT / "ascope_nb" / "labextension" / "static"  # this checkout's build
    bundles = [p.read_text(errors="replace") for p in built.glob("*.js")]
    marker = "ascope-hub-graph-canvas"  # a class only static/hub_graph.js creates
    assert marker in (ROOT / "ascope_nb" / "views" / "static" / "hub_graph.js").read_text()
    assert any(marker in text for text in bundles), (
        f"no bundle in {built} carries the hub graph: rebuild the extension (pip install -e .)"
    )
