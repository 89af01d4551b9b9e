"""Saved run transcripts: a long run's saved notebook output is bounded (the first and last
steps, a note of what was left out and how to open the whole run from the store with
``%runs --open ID``), and a UserAgent's answer is shown once.

Example:
    python -m pytest tests/test_saved_output_bounded.py -q
"""

from __future__ import annotations

import json
from typing import Any

from fixture_runs import react_run, wire

from ascope_nb.views import RunView
from ascope_nb.views._saved import HEAD_STEPS, TAIL_STEPS, bounded_events
from ascope_nb.views.run_view import RUN_MIME


def long_run(steps: int) -> list[dict[str, Any]]:
    """The fixture ReAct run with its first step (a tool call and its result) repeated."""
    events = wire(react_run(run_id="long1"))
    first = next(i for i, e in enumerate(events) if e["kind"] == "step_started")
    end = next(i for i, e in enumerate(events) if e["kind"] == "step_ended") + 1
    last = max(i for i, e in enumerate(events) if e["kind"] == "step_started")
    segment = json.dumps(events[first:end])
    middle = []
    for n in range(steps - 1):
        text = segment.replace('"call_1"', f'"call_{n}x"').replace('"m1"', f'"m{n}x"')
        text = text.replace('"m_r1"', f'"mr{n}x"')
        for ev in json.loads(text):
            if ev.get("step") is not None:
                ev["step"] = n
            middle.append(ev)
    tail = events[last:]
    for ev in tail:
        if ev.get("step") is not None:
            ev["step"] = steps - 1
    return events[:first] + middle + tail


def test_a_10000_step_run_saves_under_1_mb_with_a_pointer_to_the_store() -> None:
    events = long_run(10_000)
    assert sum(e["kind"] == "step_started" for e in events) == 10_000
    full = len(json.dumps(events))
    assert full > 20_000_000, "the unbounded run would be tens of MB"
    view = RunView(events=events, title="Friday")
    assert view.ended
    data, _ = view._repr_mimebundle_()
    size = len(json.dumps(data))
    assert size < 1_000_000, f"saved output is {size:,} bytes"
    payload = data[RUN_MIME]
    kept_steps = sum(e["kind"] == "step_started" for e in payload["events"])
    assert kept_steps == HEAD_STEPS + TAIL_STEPS
    assert payload["truncated"]["steps_omitted"] == 10_000 - HEAD_STEPS - TAIL_STEPS
    assert payload["truncated"]["open"] == "%runs --open long1"
    assert [e["kind"] for e in payload["events"]][-1] == "run_ended"
    html = data["text/html"]
    assert "9,960 of 10,000 steps are not saved" in html and "%runs --open long1" in html
    assert "It is sunny in Paris" in html  # the last step (the answer) is there
    assert data["text/plain"] == "Friday: completed, 10000 steps"


def test_a_short_run_is_saved_whole() -> None:
    events = wire(react_run())
    kept, note = bounded_events(events)
    assert kept == events and note is None
    data, _ = RunView(events=events)._repr_mimebundle_()
    assert "truncated" not in data[RUN_MIME] and "not saved" not in data["text/html"]


async def test_a_user_agent_transcript_shows_the_answer_once() -> None:
    import re

    import ascope_nb
    from ascope_nb.agent import ScriptedUserInput, UserAgent
    from ascope_nb.views._html import run_html

    you = UserAgent(name="user")
    you.override_instance_input_method(ScriptedUserInput(["exit"]))
    run = ascope_nb.start(you, "Friday: anything else I can do?")
    await run
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", run_html([e.to_dict() for e in run.events]))
    assert text.split().count("exit") == 1
