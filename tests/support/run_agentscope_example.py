"""Run one AgentScope example program against ascope_nb, offline; print its outcome.

Usage: ``python run_agentscope_example.py PATH/TO/main.py``. The source is read from the
AgentScope checkout and rewritten as the README promises (``agentscope`` -> ``ascope_nb``);
the example's folder is importable (its helper modules are rewritten the same way on
import). Remote model requests are blocked, every API key is a dummy, ``input()`` answers
"exit". The last stdout line is JSON: ``{"outcome": ..., "detail": ...}`` where outcome is

- ``ran``: the program finished;
- ``stopped``: it built its agents and stopped where it needs a server (a blocked model
  request, a refused connection, an MCP server), a person, or would start serving HTTP
  itself (a Quart app's ``run()``);
- ``gap``: ascope_nb lacks something it imports or calls (the detail names it).
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import re
import sys
import traceback
from pathlib import Path

REWRITES = [
    (r"\bfrom agentscope(?=[\s.])", "from ascope_nb"),
    (r"\bimport agentscope\b(?!\.)", "import ascope_nb as agentscope"),
    (r"\bagentscope\.(?=[A-Za-z_])", "ascope_nb."),
]
KEYS = (
    "DASHSCOPE_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
    "DEEPSEEK_API_KEY", "GAODE_API_KEY", "TAVILY_API_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "MODELSCOPE_API_KEY", "BAILIAN_API_KEY",
)  # fmt: skip
SERVER_SIGNS = (
    "remote model requests are blocked", "cannot reach", "connection refused", "connecterror",
    "connection error", "name or service not known", "failed to resolve", "timed out",
    "all connection attempts failed", "nodename nor servname", "errno 111", "errno -2",
    "exit", "eoferror", "address already in use", "errno 98",
)  # fmt: skip


def rewrite(source: str) -> str:
    for pattern, repl in REWRITES:
        source = re.sub(pattern, repl, source)
    return source


class _ExampleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the example's own helper modules from its folder, rewritten."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        rel = Path(*name.split("."))
        for candidate in (self.folder / rel.with_suffix(".py"), self.folder / rel / "__init__.py"):
            if candidate.is_file():
                is_pkg = candidate.name == "__init__.py"
                spec = importlib.util.spec_from_file_location(
                    name,
                    candidate,
                    loader=self,
                    submodule_search_locations=[str(candidate.parent)] if is_pkg else None,
                )
                return spec
        if (self.folder / rel).is_dir():  # a folder without __init__.py: a namespace package
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [str(self.folder / rel)]
            return spec
        return None

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        source = rewrite(Path(module.__spec__.origin).read_text(encoding="utf-8"))
        exec(compile(source, module.__spec__.origin, "exec"), module.__dict__)  # noqa: S102


def classify(exc: BaseException) -> tuple[str, str]:
    text = f"{type(exc).__name__}: {exc}"
    chain = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 6:
        chain.append(f"{type(cur).__name__}: {cur}".lower())
        cur = cur.__cause__ or cur.__context__
    joined = " | ".join(chain)
    if (
        isinstance(exc, (ImportError, AttributeError, NotImplementedError))
        or "ascope_nb" in joined
        and ("not supported by ascope_nb" in joined or "has no attribute" in joined)
    ):
        return "gap", text
    if "not supported by ascope_nb" in joined or "is not part of ascope_nb" in joined:
        return "gap", text
    server_error = type(exc).__name__ in ("MCPConnectionError", "ModelCallError")
    if server_error and "ascope_nb" not in joined:
        return "stopped", text
    if isinstance(exc, (EOFError, KeyboardInterrupt)) or any(s in joined for s in SERVER_SIGNS):
        return "stopped", text
    return "gap", text


def _stop_at_serving() -> None:
    """A web app's ``run()`` stops the program where it would start serving (it built
    everything it serves; requests never come here)."""
    try:
        import quart
    except ImportError:
        return

    def run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit(f"serving HTTP (port {kwargs.get('port', 5000)})")

    quart.Quart.run = run  # type: ignore[method-assign]


def main(path: str) -> None:
    main_py = Path(path).resolve()
    folder = main_py.parent
    for key in KEYS:
        os.environ.setdefault(key, "sk-dummy-example-key-000000000000")
    os.environ["ASCOPE_BLOCK_REMOTE_MODELS"] = "1"
    builtins.input = lambda *a, **k: "exit"  # type: ignore[assignment]
    _stop_at_serving()
    sys.meta_path.insert(0, _ExampleFinder(folder))
    sys.argv = [str(main_py)]
    os.chdir(folder)
    source = rewrite(main_py.read_text(encoding="utf-8"))
    outcome, detail = "ran", ""
    try:
        exec(
            compile(source, str(main_py), "exec"),
            {"__name__": "__main__", "__file__": str(main_py)},
        )  # noqa: S102
    except SystemExit as exc:
        outcome, detail = ("ran", "") if exc.code in (0, None) else ("stopped", f"exit {exc.code}")
    except BaseException as exc:  # noqa: BLE001 - classified and reported
        outcome, detail = classify(exc)
        traceback.print_exc()
    print(json.dumps({"outcome": outcome, "detail": " ".join(detail.split())[:300]}))
    sys.stdout.flush()
    os._exit(0)  # background threads of a half-built program must not keep it alive


if __name__ == "__main__":
    main(sys.argv[1])
