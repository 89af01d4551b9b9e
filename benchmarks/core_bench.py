"""Core engine benchmarks: ascope_nb beside AgentScope 1.0.21, same scenarios, one run.

Scenarios (each built identically in both frameworks by ``_bench_side.py``):

1. a zero-latency model making N tool calls to a trivial tool, one ReAct step per call
   (per-step overhead in µs, and its flatness from the smallest to the largest N);
2. 100,000 ``memory.add`` calls plus one ``get_memory``;
3. an 8-agent MsgHub round (announcement + ``sequential_pipeline``);
4. ``fanout_pipeline`` over 16 agents whose model sleeps 0.2 s;
5. import time of what a first cell needs, in fresh processes.

AgentScope 1.0.21 is installed on first use into ``benchmarks/.venv-agentscope`` (pip
only). Repetitions alternate the two frameworks, each in a fresh process; the table shows
medians. Targets are printed as PASS/FAIL, never asserted.

Example:
    $ python benchmarks/core_bench.py                 # full run, both frameworks
    $ python benchmarks/core_bench.py --ours-only --steps 5,10 --adds 1000 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIDE = HERE / "_bench_side.py"
AGENTSCOPE_VERSION = "1.0.21"
AGENTSCOPE_REQS = [f"agentscope=={AGENTSCOPE_VERSION}", "mcp<2", "greenlet", "tqdm"]
OURS, THEIRS = "ascope_nb", "agentscope"
IMPORTS = {
    OURS: "import ascope_nb.agent, ascope_nb.pipeline",
    THEIRS: "import agentscope, agentscope.agent, agentscope.pipeline",
}
_IMPORT_TIMER = "import time; _t = time.perf_counter(); {stmt}; print(time.perf_counter() - _t)"


@dataclass
class Row:
    """One line of the results table; ``target`` is met when ``ok`` is True."""

    id: str
    scenario: str
    ours: float
    theirs: float | None
    unit: str
    target: str = ""
    ok: bool | None = None
    theirs_note: str = ""  # e.g. "stopped at 11,000 adds": ``theirs`` is then a lower bound

    @property
    def ratio(self) -> float | None:
        if self.theirs is None or self.theirs == 0:
            return None
        return self.ours / self.theirs


# ----------------------------------------------------------------------- environments
def agentscope_python(venv_dir: Path) -> Path:
    """The virtualenv's interpreter, creating the venv and installing AgentScope if needed."""
    python = venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    probe = f"import agentscope, sys; sys.exit(agentscope.__version__ != {AGENTSCOPE_VERSION!r})"
    if python.exists() and _ok([str(python), "-c", probe]):
        return python
    print(f"installing AgentScope {AGENTSCOPE_VERSION} into {venv_dir} ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=python.exists()).create(venv_dir)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *AGENTSCOPE_REQS],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not _ok([str(python), "-c", probe]):
        raise SystemExit(f"AgentScope {AGENTSCOPE_VERSION} does not import in {venv_dir}")
    return python


def _ok(cmd: list[str]) -> bool:
    done = subprocess.run(cmd, capture_output=True)
    return done.returncode == 0


def _env(framework: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if framework == OURS:
        env["PYTHONPATH"] = str(ROOT)
    return env


# ----------------------------------------------------------------------- measuring
def run_side(python: str, framework: str, args: argparse.Namespace) -> dict[str, Any]:
    """One fresh process running every in-process scenario once; its JSON result."""
    cmd = [
        python,
        str(SIDE),
        f"--framework={framework}",
        f"--steps={args.steps}",
        f"--adds={args.adds}",
        f"--add-budget={args.add_budget}",
        f"--hub-agents={args.hub_agents}",
        f"--fanout={args.fanout}",
        f"--sleep={args.sleep}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=_env(framework), cwd=HERE)
    if done.returncode != 0:
        raise SystemExit(f"{framework} side failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_import(python: str, framework: str) -> float:
    """Seconds to import what a first cell needs, in a fresh interpreter."""
    code = _IMPORT_TIMER.format(stmt=IMPORTS[framework])
    done = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=_env(framework), cwd=HERE
    )
    if done.returncode != 0:
        raise SystemExit(f"importing {framework} failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def collect(args: argparse.Namespace, pythons: dict[str, str]) -> dict[str, list[Any]]:
    """Interleaved repetitions: the frameworks alternate who goes first."""
    runs: dict[str, list[Any]] = {name: [] for name in pythons}
    imports: dict[str, list[float]] = {name: [] for name in pythons}
    order = list(pythons)
    for rep in range(args.repeats):
        for name in order if rep % 2 == 0 else order[::-1]:
            print(f"  repetition {rep + 1}/{args.repeats}: {name}", file=sys.stderr)
            runs[name].append(run_side(pythons[name], name, args))
    for rep in range(args.import_runs):
        for name in order if rep % 2 == 0 else order[::-1]:
            imports[name].append(time_import(pythons[name], name))
    return {"runs": runs, "imports": imports}  # type: ignore[dict-item]


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _pick(runs: list[dict[str, Any]], *path: str) -> float:
    values = []
    for run in runs:
        value: Any = run
        for key in path:
            value = value[key]
        values.append(float(value))
    return _median(values)


# ----------------------------------------------------------------------- the table
def build_rows(data: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    ours_runs = data["runs"][OURS]
    theirs_runs = data["runs"].get(THEIRS)

    def both(*path: str) -> tuple[float, float | None]:
        return _pick(ours_runs, *path), (_pick(theirs_runs, *path) if theirs_runs else None)

    rows: list[Row] = []
    sizes = [s for s in args.steps.split(",") if s]
    mid = "50" if "50" in sizes else sizes[len(sizes) // 2]
    for n in sizes:
        ours, theirs = both("steps", n, "us_per_step")
        row = Row(f"steps.N{n}", f"ReAct step, N={n} tool calls", ours, theirs, "µs/step")
        if n == mid:
            row.target = "≤ 1/4 of AgentScope"
            row.ok = None if theirs is None else ours <= theirs / 4
        rows.append(row)
    for n in sizes:
        ours, theirs = both("steps", n, "us_per_step_excl_format")
        rows.append(
            Row(f"steps_noformat.N{n}", f"  same, excl. formatter, N={n}", ours, theirs, "µs/step")
        )
    for n in sizes:
        ours, theirs = both("steps", n, "cpu_us_per_step")
        rows.append(Row(f"steps_cpu.N{n}", f"  same, CPU time, N={n}", ours, theirs, "µs/step"))
    first, last = sizes[0], sizes[-1]
    for suffix, key, label in (
        ("", "us_per_step", ""),
        (".noformat", "us_per_step_excl_format", ", excl. formatter"),
        (".cpu", "cpu_us_per_step", ", CPU time"),
    ):
        ours_flat = _pick(ours_runs, "steps", last, key) / _pick(ours_runs, "steps", first, key)
        theirs_flat = (
            _pick(theirs_runs, "steps", last, key) / _pick(theirs_runs, "steps", first, key)
            if theirs_runs
            else None
        )
        rows.append(
            Row(
                "flatness" + suffix,
                f"per-step N={last} / N={first}{label}",
                ours_flat,
                theirs_flat,
                "×",
                target="≤ 1.25 (flat)",
                ok=ours_flat <= 1.25,
            )
        )
    ours_mem = _pick(ours_runs, "memory", "seconds")
    ours_done = _pick(ours_runs, "memory", "done")
    mem = Row(
        "memory.adds",
        f"{args.adds:,} memory.add + get_memory",
        ours_mem,
        None,
        "s",
        target="< 2 s",
        ok=ours_mem < 2.0 and ours_done == args.adds,
    )
    if theirs_runs:
        theirs_done = _pick(theirs_runs, "memory", "done")
        theirs_s = _pick(theirs_runs, "memory", "seconds")
        mem.theirs = theirs_s
        if theirs_done < args.adds:
            # Stopped at the time budget: the measured time is a lower bound for all adds.
            mem.theirs_note = f"stopped after {int(theirs_done):,} adds"
    rows.append(mem)
    ours, theirs = both("hub", "ms_per_round")
    rows.append(Row("hub.round", f"MsgHub round, {args.hub_agents} agents", ours, theirs, "ms"))
    ours, theirs = both("fanout", "wall_s")
    rows.append(
        Row(
            "fanout.wall",
            f"fanout, {args.fanout} agents × {args.sleep:g} s model",
            ours,
            theirs,
            "s",
            target=f"≤ 1.1 × {args.sleep:g} s",
            ok=ours <= 1.1 * args.sleep,
        )
    )
    ours, theirs = both("fanout", "single_agent_s")
    rows.append(Row("fanout.single", "  one agent, same model", ours, theirs, "s"))
    ours_imp = _median(data["imports"][OURS]) * 1e3
    theirs_imp = _median(data["imports"][THEIRS]) * 1e3 if THEIRS in data["imports"] else None
    rows.append(
        Row(
            "import",
            "import for a first cell (fresh process)",
            ours_imp,
            theirs_imp,
            "ms",
            target="≤ 1/3 of AgentScope",
            ok=None if theirs_imp is None else ours_imp <= theirs_imp / 3,
        )
    )
    return rows


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def render(rows: list[Row]) -> str:
    """A Markdown table: id | scenario | unit | ascope_nb | AgentScope | ratio | target | result."""
    head = ["id", "scenario", "unit", OURS, f"AgentScope {AGENTSCOPE_VERSION}", "ratio", "target"]
    lines = ["| " + " | ".join([*head, "result"]) + " |", "|" + "---|" * (len(head) + 1)]
    for row in rows:
        theirs, ratio = _fmt(row.theirs), _fmt(row.ratio)
        if row.theirs_note:
            theirs, ratio = f"> {theirs} ({row.theirs_note})", f"< {ratio}"
        result = {True: "PASS", False: "FAIL", None: ""}[row.ok]
        cells = [row.id, row.scenario, row.unit, _fmt(row.ours), theirs, ratio, row.target, result]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ascope_nb vs AgentScope core benchmarks")
    parser.add_argument("--ours-only", action="store_true", help="skip AgentScope")
    parser.add_argument("--steps", default="10,50,200", help="tool calls per run, smallest first")
    parser.add_argument("--adds", type=int, default=100_000)
    parser.add_argument(
        "--add-budget", type=float, default=20.0, help="seconds before memory.add stops early"
    )
    parser.add_argument("--hub-agents", type=int, default=8)
    parser.add_argument("--fanout", type=int, default=16)
    parser.add_argument("--sleep", type=float, default=0.2)
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per framework")
    parser.add_argument("--import-runs", type=int, default=7)
    parser.add_argument("--venv", type=Path, default=HERE / ".venv-agentscope")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    pythons = {OURS: sys.executable}
    if not args.ours_only:
        pythons[THEIRS] = str(agentscope_python(args.venv))
    data = collect(args, pythons)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1))
    print(render(build_rows(data, args)))


if __name__ == "__main__":
    main()
