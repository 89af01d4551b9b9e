"""The import graph of ``ascope_nb`` keeps the layers of ``docs/architecture.md``.

Every import counts: module level and inside functions, absolute and relative (resolved),
``TYPE_CHECKING`` blocks included. The layer table is read from the table in
``docs/architecture.md`` (one place), so the document and this check cannot drift apart.

Example (what a failure prints)::

    upward imports: [('store', 'run')]
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "ascope_nb"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# The documented exceptions: each a lazy or type-only import, named by the modules of its circle
# (the allowed upward import is listed in docs/architecture.md as well).
ALLOWED_CYCLES: list[frozenset[str]] = [
    # lazy: formatter_for_model looks a formatter class up by name in the package, at call time
    frozenset({"ascope_nb.formatter", "ascope_nb.formatter._default"}),
    # lazy and type-only: the meta planner (plan/_meta.py) makes ReAct worker agents inside a
    # function; ReActAgent's plan hooks (agent/_plan.py) import the plan notebook. Same layer.
    frozenset(
        {
            "ascope_nb.agent",
            "ascope_nb.agent._plan",
            "ascope_nb.agent._react",
            "ascope_nb.plan",
            "ascope_nb.plan._meta",
        }
    ),
]
ALLOWED_UPWARD: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = parts[:keep]
    return ".".join([*base, *(node.module.split(".") if node.module else [])])


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, *, type_only: bool) -> Iterable[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth; those under ``if TYPE_CHECKING:`` only when
    ``type_only`` (they never run, so they make no circle at run time)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node) and not type_only:
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def imports_of(
    name: str, source: str, *, is_package: bool, known: Iterable[str], type_only: bool = True
) -> set[str]:
    """The ``ascope_nb`` modules that ``source`` (the module ``name``) imports, anywhere in it
    (with ``type_only=False``, not counting the imports under ``if TYPE_CHECKING:``)."""
    known = set(known)
    found: set[str] = set()
    for node in _import_nodes(ast.parse(source), type_only=type_only):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, name, is_package)
            targets = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in known else base)
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("ascope_nb") and target != name:
                found.add(target)
    return found


def import_graph(*, type_only: bool = True) -> dict[str, set[str]]:
    """``{module: the ascope_nb modules it imports}`` (type-only imports too by default)."""
    modules = all_modules()
    return {
        name: imports_of(
            name,
            path.read_text(encoding="utf-8"),
            is_package=path.name == "__init__.py",
            known=modules,
            type_only=type_only,
        )
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def layer_table(text: str | None = None) -> dict[str, int]:
    """``{package: layer}`` from the table rows ``| n | name | `a`, `b` | ... |``."""
    text = ARCHITECTURE.read_text(encoding="utf-8") if text is None else text
    table: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|[^|]*\|([^|]*)\|", line)
        if match:
            for package in re.findall(r"`([\w.]+)`", match.group(2)):
                table[package] = int(match.group(1))
    return table


def unit_of(module: str, table: dict[str, int]) -> str:
    """The table's longest package name that ``module`` lies in (``ascope_nb.`` dropped)."""
    rest = module.removeprefix("ascope_nb").removeprefix(".")
    parts = rest.split(".") if rest else []
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in table:
            return candidate
    return rest or "ascope_nb"


def upward_imports(graph: dict[str, set[str]], table: dict[str, int]) -> set[tuple[str, str]]:
    found = set()
    for source, targets in graph.items():
        low = unit_of(source, table)
        if low not in table:
            continue
        for target in targets:
            high = unit_of(target, table)
            if high in table and table[high] > table[low]:
                found.add((low, high))
    return found


def sys_modules_lookups() -> list[str]:
    pattern = re.compile(r"sys\.modules(?:\.get\(|\[)\s*[\"']ascope_nb")
    return [
        f"{name}:{number}"
        for name, path in all_modules().items()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_every_module_has_a_layer() -> None:
    table = layer_table()
    top = {unit_of(name, table) for name in all_modules()} - {"ascope_nb"}
    assert sorted(top - set(table)) == []


def test_at_most_two_documented_cycles() -> None:
    found = cycles(import_graph())
    listed = [sorted(c) for c in found if c not in ALLOWED_CYCLES]
    assert listed == []
    assert len(found) <= 2


def test_at_most_one_documented_upward_import() -> None:
    found = upward_imports(import_graph(), layer_table())
    assert sorted(found - ALLOWED_UPWARD) == []
    assert len(found) <= 1


def test_no_sys_modules_lookup_of_an_ascope_nb_module() -> None:
    assert sys_modules_lookups() == []


# --- the checks can fail -------------------------------------------------------------------


def test_the_scan_sees_function_level_and_relative_imports() -> None:
    source = "def f():\n    from ..store import _frames\n    import ascope_nb.run\n"
    known = {"ascope_nb.store", "ascope_nb.store._frames", "ascope_nb.run", "ascope_nb.fold"}
    found = imports_of("ascope_nb.fold", source, is_package=True, known=known)
    assert found == {"ascope_nb.store._frames", "ascope_nb.run"}


def test_a_two_module_circle_and_an_upward_import_are_found() -> None:
    graph = {"ascope_nb.a": {"ascope_nb.b"}, "ascope_nb.b": {"ascope_nb.a"}, "ascope_nb.c": set()}
    assert cycles(graph) == [frozenset({"ascope_nb.a", "ascope_nb.b"})]
    table = layer_table("| 0 | low | `a`, `c` | |\n| 1 | high | `b` | |\n")
    assert table == {"a": 0, "c": 0, "b": 1}
    assert upward_imports(graph, table) == {("a", "b")}


@pytest.mark.parametrize("line", ['sys.modules.get("ascope_nb.run")', "sys.modules['ascope_nb.x']"])
def test_the_lookup_pattern_matches(line: str) -> None:
    assert re.search(r"sys\.modules(?:\.get\(|\[)\s*[\"']ascope_nb", line)


def test_hook_providers_are_the_documented_two() -> None:
    """A hook's ``provider`` is a higher layer named by a string: only the two documented."""
    from ascope_nb import hooks

    providers = {
        name: hook.provider
        for name, hook in vars(hooks).items()
        if isinstance(hook, hooks.Hook) and hook.provider is not None
    }
    assert providers == {"live_view": "ascope_nb.views", "fork_run": "ascope_nb.whatif"}
    documented = ARCHITECTURE.read_text(encoding="utf-8")
    assert all(f"`{name}(" in documented for name in providers)
