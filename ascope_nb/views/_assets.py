"""Read the shipped JS/CSS and inline relative ES-module imports into one module.

anywidget loads ``_esm`` from a string (a blob URL), where ``import ... from "./x.js"``
cannot resolve. So the adapters keep real relative imports (node tests and the lab
extension's bundler use them as is) and this module inlines them, each file once.

Example:
    >>> "export default" in bundle_esm("run_view.js")
    True
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
_IMPORT = re.compile(r"""^import\s*\{[^}]*\}\s*from\s*["'](\./[\w./-]+)["'];?[ \t]*$""", re.M)


def read_static(name: str) -> str:
    """The text of ``ascope_nb/views/static/<name>``."""
    return (STATIC / name).read_text(encoding="utf-8")


def _inline(name: str, seen: set[str]) -> str:
    seen.add(name)
    text = read_static(name)
    parts: list[str] = []
    pos = 0
    for match in _IMPORT.finditer(text):
        parts.append(text[pos : match.start()])
        dep = str(Path(name).parent / match.group(1)).removeprefix("./")
        if dep not in seen:
            parts.append(_inline(dep, seen))
        pos = match.end()
    parts.append(text[pos:])
    return "".join(parts)


@cache
def bundle_esm(entry: str) -> str:
    """``entry`` with its relative imports inlined (one ES module, no import statements)."""
    return _inline(entry, set())


__all__ = ["bundle_esm", "read_static", "STATIC"]
