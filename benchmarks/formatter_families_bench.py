"""Per-step overhead of each model family's formatter + reply parser, ascope_nb beside
AgentScope 1.0.21 (same classes, same scenario, one run).

A conversation grows by one ReAct step (a tool call and its result) per step, N steps; a
step formats the whole history with the family's chat formatter and, for Anthropic,
Gemini and the OpenAI Responses API, runs the model against a zero-latency fake client
(building the request and parsing a canned reply). DeepSeek and Ollama: formatter only.
See ``_formatter_side.py``. AgentScope runs in ``benchmarks/.venv-agentscope`` (created
on first use, with google-genai and ollama for its Gemini and Ollama classes).

Example:
    $ python benchmarks/formatter_families_bench.py --steps 50 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from core_bench import AGENTSCOPE_REQS, OURS, THEIRS, _env, agentscope_python  # noqa: E402

SIDE = HERE / "_formatter_side.py"
EXTRA = ["google-genai", "ollama>=0.5.4"]


def measure(python: str, framework: str, steps: int, repeats: int) -> dict[str, float]:
    done = subprocess.run(
        [
            python,
            str(SIDE),
            "--framework",
            framework,
            "--steps",
            str(steps),
            "--repeats",
            str(repeats),
        ],
        capture_output=True,
        text=True,
        env=_env(framework),
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{framework}: {done.stderr[-1500:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--venv", type=Path, default=HERE / ".venv-agentscope")
    parser.add_argument("--ours-only", action="store_true")
    args = parser.parse_args()
    ours = measure(sys.executable, OURS, args.steps, args.repeats)
    theirs: dict[str, float] = {}
    if not args.ours_only:
        python = agentscope_python(args.venv)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *EXTRA], check=True)
        theirs = measure(str(python), THEIRS, args.steps, args.repeats)
    print(f"per-step formatter + parser overhead, N={args.steps} steps (median of {args.repeats})")
    print(f"{'family':<18}{'ascope_nb µs':>14}{'AgentScope µs':>15}{'ratio':>8}")
    for family, value in ours.items():
        other = theirs.get(family)
        ratio = f"{value / other:.2f}" if other else "-"
        print(f"{family:<18}{value:>14.0f}{(f'{other:.0f}' if other else '-'):>15}{ratio:>8}")
    _ = AGENTSCOPE_REQS  # the AgentScope venv's requirements (core_bench installs them)


if __name__ == "__main__":
    main()
