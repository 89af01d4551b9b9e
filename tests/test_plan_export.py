"""Plan edits as preference data: the model's plan against the plan the person wanted, in the
DPO export; no pair when the person changed nothing the agent went on to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ascope_nb.events import event_from_dict
from ascope_nb.export._pairs import preference_pairs
from ascope_nb.export._record import RunRecord
from ascope_nb.export.openai_dpo import export_openai_dpo
from tests.plan_golden import FIXTURES


def _record(name: str) -> RunRecord:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return RunRecord.from_events([event_from_dict(e) for e in data["events"]])


def _plan_input(msg: dict[str, Any]) -> list[str]:
    (call,) = [b for b in msg["content"] if b.get("type") == "tool_use"]
    assert call["name"] == "create_plan"
    return [t["name"] for t in call["input"]["subtasks"]]


def test_an_edited_plan_is_a_pair_of_the_model_plan_and_the_person_plan() -> None:
    pairs = preference_pairs(_record("approved_edits"))
    assert [p.kinds for p in pairs] == [("plan",)]  # the edit's hint is not also "guidance"
    pair = pairs[0]
    assert _plan_input(pair.rejected) == ["Pick dates", "Book train", "Book hotel"]
    assert _plan_input(pair.chosen) == ["Pick dates", "Book a night train", "Pack bags"]
    assert pair.step == 0
    assert "Plan a trip." in json.dumps(pair.prompt)


def test_a_run_without_human_plan_edits_gives_no_plan_pair() -> None:
    for name in ("finished", "midway", "replaced"):
        assert preference_pairs(_record(name)) == []


def test_the_dpo_export_carries_the_plan_pair(tmp_path: Path) -> None:
    out = tmp_path / "dpo.jsonl"
    result = export_openai_dpo([_record("approved_edits")], out)
    assert result.records == 1
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    chosen = row["preferred_output"][0]["tool_calls"][0]["function"]
    rejected = row["non_preferred_output"][0]["tool_calls"][0]["function"]
    assert chosen["name"] == rejected["name"] == "create_plan"
    assert "Book a night train" in chosen["arguments"]
    assert "Book a night train" not in rejected["arguments"]
