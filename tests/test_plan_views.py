"""The plan in the views: the Python plan fold gives the golden plan views (``plan_fold.js``
is checked on the same fixtures by ``tests/js/plan.test.js``); the saved HTML transcript and
the live view's saved output show the final plan without a kernel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ascope_nb
from ascope_nb.views._html import run_html
from tests.plan_golden import FIXTURES, expected
from tests.support.plan_runs import planner, planning_script

GOLDEN = sorted(FIXTURES.glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_python_plan_fold_gives_the_golden_view(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert expected(data["events"]) == data["view"]


def test_the_golden_set_covers_the_plan_cases() -> None:
    views = {p.stem: json.loads(p.read_text(encoding="utf-8"))["view"] for p in GOLDEN}
    assert views["finished"]["open"] is False and views["finished"]["state"] == "done"
    assert views["replaced"]["finished"][0]["state"] == "abandoned"
    assert views["approved_edits"]["approved"] is True
    states = {t["state"] for v in views.values() for t in v["subtasks"]}
    assert states == {"todo", "in_progress", "done", "abandoned"}


def test_the_saved_transcript_shows_the_final_plan() -> None:
    data = json.loads((FIXTURES / "finished.json").read_text(encoding="utf-8"))
    html = run_html(data["events"])
    assert '<div class="plan"><b>Plan</b> Trip <span class="badge">done</span>' in html
    assert html.count('data-state="done"') == 3
    assert "→ Hotel Nord" in html and "Outcome: Trip booked" in html
    no_plan = [e for e in data["events"] if e["kind"] != "plan_changed"]
    assert 'class="plan"' not in run_html(no_plan)


def test_a_plan_name_is_escaped_in_the_transcript() -> None:
    data = json.loads((FIXTURES / "midway.json").read_text(encoding="utf-8"))
    for ev in data["events"]:
        if ev["kind"] == "plan_changed" and ev["plan"]:
            ev["plan"]["subtasks"][0]["name"] = "<script>x</script>"
    html = run_html(data["events"])
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


async def test_a_finished_run_output_carries_its_plan_for_a_saved_notebook() -> None:
    agent, _, _ = planner(planning_script())
    run = ascope_nb.start(agent, "Plan a trip.")
    await run
    bundle = run._repr_mimebundle_()
    if isinstance(bundle, tuple):  # (data, metadata)
        bundle = bundle[0]
    assert "Trip booked" in bundle["text/html"]
    payload = bundle.get("application/vnd.ascope.run+json")
    assert payload is not None
    kinds = [e["kind"] for e in payload["events"]]
    assert kinds.count("plan_changed") == 6
