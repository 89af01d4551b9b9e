"""A tiny offline demo benchmark shipped with the package: arithmetic questions (answerable
in the head) and tool-use questions (big numbers: better computed with Python), each with
its numeric answer.

Example:
    >>> rows = demo_dataset()
    >>> len(rows), rows[0]["question"], rows[0]["answer"]
    (20, 'What is 7 + 5?', 12)
"""

from __future__ import annotations

from typing import Any

from ._benchmark import TaskList
from ._task import Task
from .metrics import Numeric, ToolCalled

_ARITHMETIC = [
    (7, "+", 5),
    (9, "*", 8),
    (100, "-", 37),
    (144, "/", 12),
    (6, "*", 7),
    (15, "+", 27),
    (81, "/", 9),
    (50, "-", 18),
    (11, "*", 11),
    (64, "+", 36),
]
_TOOL = [
    (1234, "*", 5678),
    (98765, "-", 43210),
    (2**20, "+", 3**10),
    (987654, "/", 321),
    (4567, "*", 8901),
    (123456, "+", 654321),
    (99991, "*", 7),
    (31415926, "-", 27182818),
    (7777, "*", 9999),
    (1048576, "/", 4096),
]


def _value(a: int, op: str, b: int) -> float | int:
    result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op]
    return int(result) if float(result).is_integer() else round(result, 4)


def demo_dataset() -> list[dict[str, Any]]:
    """20 rows: ``id``, ``question``, ``answer`` (a number) and ``kind`` (arithmetic/tool)."""
    rows = []
    for i, (a, op, b) in enumerate(_ARITHMETIC):
        rows.append(
            {
                "id": f"arith-{i}",
                "question": f"What is {a} {op} {b}?",
                "answer": _value(a, op, b),
                "kind": "arithmetic",
            }
        )
    for i, (a, op, b) in enumerate(_TOOL):
        rows.append(
            {
                "id": f"tool-{i}",
                "question": f"Use Python to compute {a} {op} {b}.",
                "answer": _value(a, op, b),
                "kind": "tool",
            }
        )
    return rows


def demo_benchmark() -> TaskList:
    """The demo rows as an AgentScope-style benchmark (numeric metric; tool_called for tool rows)."""
    tasks = []
    for row in demo_dataset():
        metrics: list[Any] = [Numeric(row["answer"])]
        if row["kind"] == "tool":
            metrics.append(ToolCalled("execute_python_code"))
        tasks.append(
            Task(
                id=row["id"],
                input=row["question"],
                ground_truth=row["answer"],
                metrics=metrics,
                tags={"kind": row["kind"]},
            )
        )
    return TaskList(
        tasks,
        name="ascope-demo",
        description="arithmetic and tool-use questions with numeric answers",
    )


__all__ = ["demo_dataset", "demo_benchmark"]
