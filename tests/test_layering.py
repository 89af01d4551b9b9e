"""Production code never imports the test doubles: ``testing`` depends on ``model``, never the
reverse (the demo model's replaying core lives in ``model/_replay.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "ascope_nb"


def _imports_testing(path: Path, source: str | None = None) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(parts[: len(parts) - node.level])
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [n for n in names if n.startswith("ascope_nb.testing")]
    return found


def test_production_modules_never_import_testing() -> None:
    offenders = {}
    for path in PKG.rglob("*.py"):
        if "testing" in path.relative_to(PKG).parts:
            continue
        hits = _imports_testing(path)
        if hits:
            offenders[str(path.relative_to(PKG))] = hits
    assert offenders == {}


def test_the_scan_sees_a_relative_import_of_testing() -> None:
    assert "from ._replay import" in (PKG / "model" / "_demo.py").read_text(encoding="utf-8")
    probe = PKG / "model" / "_demo.py"
    found = _imports_testing(probe, "from ..testing._models import Reply\n")
    assert found == ["ascope_nb.testing._models.Reply"]
