"""Write the fixtures of the lab extension's tests from the real Python views.

The outputs are what ``RunView`` / ``HubView`` / ``MemoryView`` put in a notebook
(``_repr_mimebundle_``), so the JS test and the browser test read exactly what a saved
notebook carries. Deterministic (ids, timestamps), so a rerun rewrites identical files:

    python labextension/test/make_fixtures.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTEBOOK = ROOT / "tests" / "ui" / "notebooks" / "saved_runs_ext.ipynb"


def saved_run_events() -> list[Any]:
    """A three-step ReAct run: two tool calls (one failing), then the answer."""
    sys.path.insert(0, str(ROOT / "tests"))
    from synthetic_runs import SyntheticRun, tool_schema

    run = SyntheticRun(
        "saved-run-1",
        agent="Friday",
        user="What is the weather in Paris and in Tokyo?",
        tools=[tool_schema("get_weather", city="City name"), tool_schema("convert", value="°C")],
    )
    run.step(
        thinking="I need the weather of both cities.",
        text="Looking up Paris first.",
        calls=[("get_weather", {"city": "Paris", "units": "metric"}, "Sunny, 21 °C")],
    )
    run.step(
        text="Now Tokyo.",
        calls=[
            ("get_weather", {"city": "Tokyo", "units": "metric"}, "Rain, 14 °C"),
            ("convert", {"value": 14, "to": "F"}, "ValueError: unknown unit 'F'", "error"),
        ],
    )
    run.answer("Paris: sunny, 21 °C. Tokyo: rain, 14 °C.")
    return run.finish()


def hub_events() -> list[Any]:
    """A MsgHub round (tests/fixture_runs.py) that ended."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixture_runs import hub_run

    from ascope_nb.events import RunEnded

    events = [e for e in hub_run() if e.kind != "input_requested"]
    end = RunEnded(status="completed")
    end.run_id, end.agent, end.seq, end.ts = "hub1", "hub", len(events), 2000.0 + len(events)
    return [*events, end]


def memory_msgs() -> list[Any]:
    from ascope_nb.message import Msg

    msgs = [
        Msg("user", "What is the weather in Paris?", "user"),
        Msg("Friday", "Paris: sunny, 21 °C.", "assistant"),
    ]
    for i, msg in enumerate(msgs):  # stable ids and times: the fixture is reproducible
        msg.id, msg.timestamp = f"msg-{i}", f"2025-01-01 12:00:0{i}.000"
    return msgs


def bundles() -> dict[str, dict[str, Any]]:
    """The saved outputs (MIME bundles) of a run, a hub and a memory view."""
    from ascope_nb.views import HubView, MemoryView, RunView

    views = {
        "run": RunView.from_events(saved_run_events(), title="weather"),
        "hub": HubView.from_events(hub_events(), title="dinner"),
        "memory": MemoryView(memory_msgs(), title="Friday's memory"),
    }
    out = {}
    for name, view in views.items():
        data, _ = view._repr_mimebundle_()
        widget = data.get("application/vnd.jupyter.widget-view+json")
        if widget:  # a kernel's widget id, dead once the notebook is saved; made stable
            widget["model_id"] = f"saved-{name}-model"
        out[name] = data
        view.close()
    return out


def _cell(i: int, source: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": i,
        "id": f"cell-{i}",
        "metadata": {},
        "source": source,
        "outputs": [{"output_type": "display_data", "data": data, "metadata": {}}],
    }


def notebook(data: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A saved notebook with the three outputs (as a kernel would have saved them), no kernel."""
    cells = [
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Saved runs"},
        _cell(
            1,
            "run = ascope_nb.start(agent, 'What is the weather in Paris and in Tokyo?')",
            data["run"],
        ),
        _cell(2, "hub", data["hub"]),
        _cell(3, "agent.memory.show()", data["memory"]),
    ]
    return {
        "cells": cells,
        # no kernelspec / language_info: JupyterLab opens it without starting a kernel
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_all() -> list[Path]:
    data = bundles()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    written = []
    for name, bundle in data.items():
        path = FIXTURES / f"{name}.json"
        path.write_text(json.dumps(bundle, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        written.append(path)
    NOTEBOOK.parent.mkdir(parents=True, exist_ok=True)
    NOTEBOOK.write_text(json.dumps(notebook(data), ensure_ascii=False, indent=1) + "\n")
    return [*written, NOTEBOOK]


if __name__ == "__main__":
    for path in write_all():
        print(path.relative_to(ROOT))
