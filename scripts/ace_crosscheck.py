"""Replay ACEBench's ground-truth calls through AgentScope 1.0.21's ACE simulators and through
ascope_nb's, and compare what each tool answered, the end states and the metric results.

Usage (needs ACEBench's ``data_zh`` files and a Python with ``agentscope==1.0.21``)::

    python scripts/ace_crosscheck.py DATA_DIR --agentscope-python /path/to/venv/bin/python

Each side runs in its own interpreter (``--side PACKAGE``) and prints JSON; the driver prints
the differences and one summary line, and exits 1 when a tool answer or an end state differs.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import json
import os
import subprocess
import sys
from typing import Any


def _calls(milestone: str) -> list[tuple[str, dict[str, Any]]]:
    node = ast.parse(milestone.strip(), mode="eval").body
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    return [
        (c.func.id, {k.arg: ast.literal_eval(k.value) for k in c.keywords})  # type: ignore[attr-defined]
        for c in items
    ]


async def _side(package: str, data_dir: str) -> dict[str, Any]:
    evaluate = importlib.import_module(f"{package}.evaluate")
    out: dict[str, Any] = {}
    for task in evaluate.ACEBenchmark(data_dir=data_dir):
        tools = {fn.__name__: fn for fn, _ in task.metadata["tools"]}
        stones = task.ground_truth["mile_stone"]
        if stones and isinstance(stones[0], list):
            stones = stones[0]  # the first of the alternative paths
        answers, trajectory = [], []
        for stone in stones:
            for name, arguments in _calls(stone):
                trajectory.append(
                    {
                        "type": "tool_use",
                        "id": str(len(trajectory)),
                        "name": name,
                        "input": arguments,
                    }
                )
                if name not in tools:
                    answers.append(f"(no tool {name})")
                    continue
                try:
                    answers.append(tools[name](**arguments).content[0]["text"])
                except Exception as exc:  # a simulator that raises: part of the comparison
                    answers.append(f"(raised {type(exc).__name__})")
        state = task.metadata["phone"].get_current_state()
        solution = evaluate.SolutionOutput(success=True, output=state, trajectory=trajectory)
        results = []
        for metric in task.metrics:
            try:
                results.append((await metric(solution)).result)
            except Exception as exc:
                results.append(f"(raised {type(exc).__name__})")
        out[str(task.id)] = {
            "answers": answers,
            "state": json.loads(json.dumps(state, ensure_ascii=False, default=str)),
            "metrics": results,
        }
    return out


def _run_side(python: str, package: str, data_dir: str, pythonpath: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.run(
        [python, __file__, data_dir, "--side", package],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{package} side failed: {proc.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--agentscope-python", default=None)
    parser.add_argument("--side", default=None)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(asyncio.run(_side(args.side, args.data_dir)), ensure_ascii=False))
        return 0
    if not args.agentscope_python:
        parser.error("--agentscope-python is required")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    theirs = _run_side(args.agentscope_python, "agentscope", args.data_dir, None)
    ours = _run_side(sys.executable, "ascope_nb", args.data_dir, root)
    differ = 0
    for task_id, mine in ours.items():
        other = theirs.get(task_id)
        if other is None:
            print(f"{task_id}: only in ascope_nb")
            differ += 1
            continue
        for index, (a, b) in enumerate(zip(other["answers"], mine["answers"], strict=False)):
            if a != b:
                print(f"{task_id} call {index}: agentscope {a!r} / ascope_nb {b!r}")
                differ += 1
        if other["state"] != mine["state"]:
            print(f"{task_id}: end states differ")
            differ += 1
    missing = sorted(set(theirs) - set(ours))
    differ += len(missing)
    for task_id in missing:
        print(f"{task_id}: only in agentscope")

    def passed(side: dict[str, Any], index: int) -> int:
        return sum(1 for r in side.values() if r["metrics"][index] == 1)

    print(
        f"{len(ours)} tasks; {differ} differences in tool answers or end states; "
        f"accuracy of the replays: agentscope {passed(theirs, 0)}, ascope_nb {passed(ours, 0)}; "
        f"process_accuracy: agentscope {passed(theirs, 1)}, ascope_nb {passed(ours, 1)}"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
