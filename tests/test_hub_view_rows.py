"""The hub view at nine agents: every message is one row with the agents that saw it (Python
fold and saved HTML), and the who-talks-to-whom turns are the same in Python and fold.js."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.fold import RunFold
from ascope_nb.views._html import hub_html, run_html
from ascope_nb.views.hub_graph import hub_edges, hub_graph_html, hub_nodes, hub_turns

JS_DIR = Path(__file__).parent / "js"
EVENTS: list[dict[str, Any]] = json.loads((JS_DIR / "fixture_hub9.json").read_text())["events"]
PLAYERS = [f"P{i}" for i in range(1, 10)]


def test_the_opening_is_one_row_each_with_its_observers() -> None:
    fold = RunFold().extend(EVENTS)
    rows = [i for i in fold.items if i["type"] != "step"]
    assert [(r["type"], r["msg"]["name"], r["observers"]) for r in rows] == [
        ("input", "Host", PLAYERS),
        ("input", "user", PLAYERS),
    ]
    steps = fold.steps()
    assert len(steps) == 18
    assert steps[0]["observers"] == PLAYERS[1:]


def test_saved_html_shows_each_message_once() -> None:
    for render in (hub_html, run_html):
        text = re.sub(r"<style>.*?</style>", "", render(EVENTS), flags=re.S)
        assert text.count("Night falls.") == 1, render.__name__
        assert text.count("Who is the werewolf?") == 1, render.__name__
        assert f"(seen by {', '.join(PLAYERS)})" in text
    assert hub_html(EVENTS).count("P1 round 1") == 1


def test_a_broadcast_from_outside_is_one_row_however_many_see_it() -> None:
    msg = {"id": "m9", "name": "moderator", "role": "assistant", "content": "Day breaks."}
    events = [{"kind": "run_started", "input": []}] + [
        {"kind": "message_observed", "observer": p, "msg": msg} for p in ("A", "B", "A")
    ]
    fold = RunFold().extend(events)
    assert [(i["type"], i["observers"]) for i in fold.items] == [("observed", ["A", "B"])]


def test_turns_edges_and_rounds() -> None:
    turns = hub_turns(EVENTS)
    assert [(t["speaker"], t["round"]) for t in turns[:3]] == [("Host", 0), ("user", 0), ("P1", 1)]
    assert [t["round"] for t in turns[2:]] == [1] * 9 + [2] * 9
    assert hub_nodes(turns) == ["Host", *PLAYERS, "user"]
    assert len(hub_edges(turns, upto_round=0)) == 18
    edges = hub_edges(turns)
    assert len(edges) == 18 + 72 and edges[("P1", "P2")] == 2 and edges[("Host", "P9")] == 1
    assert ("P1", "P1") not in edges


def test_saved_graph_has_one_svg_per_round_plus_the_whole() -> None:
    html = hub_graph_html(EVENTS)
    assert html.count("<svg") == 4  # the whole run, rounds 0, 1, 2
    assert "11 agents · 20 messages · 2 rounds" in html
    assert "<script" not in html
    assert "Who talks to whom" in hub_html(EVENTS)
    assert hub_graph_html([]) == ""


def js_turns(events: list[dict[str, Any]], tmp_path: Path) -> Any:
    """``hubTurns`` of fold.js over ``events`` (node)."""
    node = shutil.which("node")
    assert node, "node is required (Node 20+)"
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": events}), encoding="utf-8")
    script = (
        'import { readFileSync } from "node:fs";'
        'import { createFold } from "../../ascope_nb/views/static/fold.js";'
        'import { hubTurns } from "../../ascope_nb/views/static/hub_graph.js";'
        f"const {{ events }} = JSON.parse(readFileSync({json.dumps(str(path))}, 'utf8'));"
        "const f = createFold(); for (const e of events) f.add(e);"
        "console.log(JSON.stringify(hubTurns(f.items)));"
    )
    out = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_fold_js_gives_the_same_turns(tmp_path: Path) -> None:
    assert js_turns(EVENTS, tmp_path) == json.loads(json.dumps(hub_turns(EVENTS)))


def test_a_broadcast_structured_vote_is_one_row(tmp_path: Path) -> None:
    """fanout votes with structured output, broadcast afterwards (Werewolf): the returned Msg
    is not the model's message, yet each vote is one row, seen by the hub."""
    import asyncio

    from pydantic import BaseModel

    import ascope_nb
    from ascope_nb.agent import ReActAgent
    from ascope_nb.message import Msg
    from ascope_nb.pipeline import MsgHub, fanout_pipeline
    from ascope_nb.testing import ScriptedModel, tool_call

    class Vote(BaseModel):
        vote: str

    async def main() -> list[dict[str, Any]]:
        wolves = [
            ReActAgent(
                n,
                "x",
                ScriptedModel(
                    [[f"{n} votes C", tool_call("generate_response", vote="C")]], stream=False
                ),
            )
            for n in ("A", "B")
        ]

        async def play() -> None:
            async with MsgHub(wolves, enable_auto_broadcast=False) as den:
                votes = await fanout_pipeline(
                    wolves, Msg("Moderator", "vote", "assistant"), structured_model=Vote
                )
                await den.broadcast(votes)

        run = ascope_nb.start_hub(wolves, play=play, store=False)
        await run
        return [e.to_dict() for e in run.events]

    events = asyncio.run(main())
    turns = hub_turns(events)
    assert [(t["speaker"], t["observers"], t["text"]) for t in turns] == [
        ("A", ["A", "B"], "A votes C"),
        ("B", ["A", "B"], "B votes C"),
    ]
    assert js_turns(events, tmp_path) == json.loads(json.dumps(turns))
    text = hub_html(events)
    assert text.count("A votes C</pre>") == 1


@pytest.mark.parametrize("n", [1, 3])
def test_hub_of_live_agents_has_no_duplicate_rows(n: int) -> None:
    import asyncio

    import ascope_nb
    from ascope_nb.agent import ReActAgent
    from ascope_nb.testing import ScriptedModel

    async def main() -> list[dict[str, Any]]:
        agents = [
            ReActAgent(f"A{i}", "x", ScriptedModel([f"hi from A{i}"], stream=False))
            for i in range(n)
        ]
        run = ascope_nb.start_hub(agents, "topic", announcement="welcome", store=False)
        await run
        return [e.to_dict() for e in run.events]

    events = asyncio.run(main())
    text = hub_html(events)
    assert text.count("welcome</pre>") == 1 and text.count("topic</pre>") == 1
