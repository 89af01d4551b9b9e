"""Run AgentScope v1.0.21's own tests for the modules ascope_nb covers; print passed / total.

Usage: ``python scripts/agentscope_compat.py PATH`` where ``PATH/tests`` holds AgentScope's
tests at tag v1.0.21 (kept outside this repository). The in-scope files are listed in
``scripts/agentscope_compat_files.txt``. Each file is copied to a temporary folder and
rewritten mechanically (see ``REWRITES``), then run with pytest against this checkout.

The rewrite is the one the README promises, and nothing else:

- ``agentscope.`` becomes ``ascope_nb.`` (imports and dotted strings such as ``patch()``
  targets), ``from agentscope import`` becomes ``from ascope_nb import``;
- ``MODULE_MAP`` renames AgentScope's private module paths to ours, where only the file
  name differs (e.g. ``formatter._formatter_base`` is ``formatter._base`` here).

- ``PLACEHOLDERS``: classes for backends we do not ship (Redis, SQLAlchemy) that a listed
  file imports at its top are defined as placeholders in a ``conftest.py`` of the temporary
  folder, so the file loads; the tests using them are not in the selection.

``COMPAT_ONLY=a.py,b.py`` runs only those listed files. Each listed target runs in its own
pytest process. The total comes from the listed files themselves (their ``test*`` methods), so a file that
fails to import counts all its tests as failed.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = Path(__file__).with_name("agentscope_compat_files.txt")

# AgentScope private path -> ascope_nb path (same job, different file or name), applied in order.
MODULE_MAP: dict[str, str] = {
    # private helpers patched by tests -> the function that does the same job here
    "ascope_nb.formatter._formatter_base._save_base64_data": "ascope_nb.formatter._media.save_base64",
    "ascope_nb.formatter._formatter_base": "ascope_nb.formatter._base",
    "ascope_nb.formatter._openai_formatter": "ascope_nb.formatter._openai",
    "ascope_nb.formatter._dashscope_formatter": "ascope_nb.formatter._dashscope",
    "ascope_nb.model._dashscope_model": "ascope_nb.model._dashscope",
    "ascope_nb.model._ollama_model": "ascope_nb.model._ollama",
    "ascope_nb.model._openai_model": "ascope_nb.model._openai",
    # plans (issue 29): the hint class lives in its own module
    "ascope_nb.plan._plan_notebook": "ascope_nb.plan._hint",
    # issue 30 (dbmem): database memories
    "ascope_nb.memory._working_memory._tablestore_memory": "ascope_nb.memory._tablestore",
    "ascope_nb.memory._long_term_memory._mem0._mem0_utils": "ascope_nb.memory._mem0_utils",
    # issue 31 (models): the other model families
    "ascope_nb.formatter._openai_response_formatter": "ascope_nb.formatter._openai_response",
    "ascope_nb.formatter._anthropic_formatter": "ascope_nb.formatter._anthropic",
    "ascope_nb.formatter._gemini_formatter": "ascope_nb.formatter._gemini",
    "ascope_nb.formatter._deepseek_formatter": "ascope_nb.formatter._deepseek",
    "ascope_nb.formatter._ollama_formatter": "ascope_nb.formatter._ollama",
    "ascope_nb.model._openai_response_model": "ascope_nb.model._openai_response",
    "ascope_nb.model._anthropic_model": "ascope_nb.model._anthropic",
    "ascope_nb.model._gemini_model": "ascope_nb.model._gemini",
    # issue 30 (dbmem2): Mem0LongTermMemory
    "ascope_nb.memory._long_term_memory._mem0._mem0_long_term_memory": "ascope_nb.memory._mem0",
    # issue 34 (tuner): the signature checks live in their own module
    "ascope_nb.tuner._config": "ascope_nb.tuner._signature",
    # issue 32 (voice): TTS and realtime modules
    "ascope_nb.tts._dashscope_cosyvoice_realtime_tts_model": "ascope_nb.tts._cosyvoice_realtime",
    "ascope_nb.realtime._openai_realtime_model": "ascope_nb.realtime._openai",
    "ascope_nb.realtime._dashscope_realtime_model": "ascope_nb.realtime._dashscope",
}

# Out-of-scope backends imported at the top of in-scope files: module -> names.
PLACEHOLDERS: dict[str, list[str]] = {}

# Issue 28: files written for a2a-sdk 0.3's pydantic types, which a2a-sdk 1.x (our `a2a` extra)
# no longer has. They run unchanged with the interpreter named by $ASCOPE_A2A03_PYTHON when
# it is set (scripts/a2a03_env.sh makes one: our environment with a2a-sdk 0.3 in front).
# model_openai_test.py runs there too: three of its tests build openai errors from a Mock
# response, which openai >= 3.60 rejects (see scripts/a2a03_env.sh).
A2A03_FILES = {
    "a2a_agent_test.py",
    "a2a_resolver_test.py",
    "formatter_a2a_test.py",
    "model_openai_test.py",
}

# Environment for one test file. plan_test.py builds a DashScopeChatModel without a key and
# never calls it; AgentScope checks the key at the first call, ascope_nb when the model is
# made (configuration is validated when given), so the file gets a key that is never sent.
FILE_ENV: dict[str, dict[str, str]] = {
    "plan_test.py": {"DASHSCOPE_API_KEY": "compat-key-never-sent"},
}

# files outside tests/ that listed tests read, relative to the AgentScope checkout
EXAMPLE_DATA = ["examples/functionality/rag/example.pdf"]

CONFTEST = """# Written by scripts/agentscope_compat.py: placeholders for backends ascope_nb lacks.
import importlib


class _NotShipped:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{{type(self).__name__}} is not part of ascope_nb")


for _module, _names in {placeholders!r}.items():
    _mod = importlib.import_module(_module)
    for _name in _names:
        if not hasattr(_mod, _name):
            setattr(_mod, _name, type(_name, (_NotShipped,), {{}}))
"""

REWRITES: list[tuple[str, str]] = [
    (r"\bfrom agentscope import\b", "from ascope_nb import"),
    (r"\bimport agentscope\b(?!\.)", "import ascope_nb, ascope_nb as agentscope"),
    (r"\bagentscope\.(?=[A-Za-z_])", "ascope_nb."),
]


def rewrite(source: str) -> str:
    """Apply the documented mechanical rewrite to one AgentScope test file."""
    for pattern, repl in REWRITES:
        source = re.sub(pattern, repl, source)
    for old, new in MODULE_MAP.items():
        source = re.sub(re.escape(old) + r"\b", new, source)
    return source


def selection() -> list[str]:
    """The listed pytest targets: ``file`` or ``file::Class``, comments and blanks dropped."""
    lines = (line.split("#", 1)[0].strip() for line in LIST.read_text().splitlines())
    return [line for line in lines if line]


def count_tests(path: Path, cls: str) -> int:
    """Number of ``test*`` methods in ``path`` (only class ``cls`` when given; ``Class::test``
    counts one)."""
    if "::" in cls:
        return 1
    tree = ast.parse(path.read_text())
    funcs = (ast.FunctionDef, ast.AsyncFunctionDef)
    total = 0
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and (not cls or node.name == cls):
            total += sum(isinstance(b, funcs) and b.name.startswith("test") for b in node.body)
        elif not cls and isinstance(node, funcs) and node.name.startswith("test"):
            total += 1
    return total


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not (Path(argv[1]) / "tests").is_dir():
        print("usage: agentscope_compat.py PATH  (PATH/tests: AgentScope v1.0.21 tests)")
        return 2
    src = Path(argv[1]) / "tests"
    targets = selection()
    only = [n for n in os.environ.get("COMPAT_ONLY", "").split(",") if n]
    if only:  # COMPAT_ONLY=plan_test.py,a2a_agent_test.py: run just those listed files
        targets = [t for t in targets if t.split("::")[0] in only]
    missing = sorted({t.split("::")[0] for t in targets} - {p.name for p in src.iterdir()})
    if missing:
        print(f"not in {src}: {', '.join(missing)}")
        return 2
    total = sum(count_tests(src / t.split("::")[0], t.partition("::")[2]) for t in targets)
    with tempfile.TemporaryDirectory(prefix="agentscope_compat_") as tmp:
        work = Path(tmp) / "tests"  # tests read "../tests/test.docx" and "../examples/..."
        work.mkdir()
        for data in EXAMPLE_DATA:
            if (Path(argv[1]) / data).is_file():
                (Path(tmp) / data).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(Path(argv[1]) / data, Path(tmp) / data)
        for name in {t.split("::")[0] for t in targets}:
            (work / name).write_text(rewrite((src / name).read_text()))
        for extra in src.iterdir():  # data files some tests read (e.g. test.docx)
            if extra.is_file() and not extra.name.endswith(".py"):
                shutil.copy(extra, work / extra.name)
        (work / "conftest.py").write_text(CONFTEST.format(placeholders=PLACEHOLDERS))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        passed = 0
        for i, target in enumerate(targets):
            report = work / f"report{i}.xml"
            python = sys.executable
            if target.split("::")[0] in A2A03_FILES:
                python = os.path.abspath(os.environ.get("ASCOPE_A2A03_PYTHON") or python)
            cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            cmd += ["-o", "addopts=", "--rootdir", tmp, f"--junitxml={report}", target]
            file_env = {**env, **FILE_ENV.get(target.split("::")[0], {})}
            subprocess.run([*cmd, *argv[2:]], cwd=work, env=file_env, check=False)
            if report.exists():
                passed += sum(
                    not any(c.tag in ("failure", "error", "skipped") for c in case)
                    for case in ET.parse(report).iter("testcase")
                )
    print(f"AgentScope v1.0.21 tests passed: {passed} / {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
