"""A fork judged up against its parent's step judged down is a preference pair in the
openai-dpo, trl-dpo and trinity dpo exports (read back with ``datasets``)."""

from __future__ import annotations

import json
from pathlib import Path

import ascope_nb
from ascope_nb.export import export
from ascope_nb.store import default_store
from tests.test_export_formats import SCHEMAS
from tests.whatif_support import add, counting_model, make_agent


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def _parent_and_fork() -> tuple[str, str]:
    parent = ascope_nb.start(make_agent(counting_model()), "Add things up.")
    await parent
    fork = ascope_nb.load_run(parent.run_id).fork(
        1, edit={"a": 40, "b": 2}, model=counting_model(), tools={"add": add}
    )
    await fork
    return parent.run_id, fork.run_id


async def test_a_liked_fork_of_a_disliked_step_is_a_pair_in_every_dpo_export(
    tmp_path: Path,
) -> None:
    from datasets import load_dataset

    parent, fork = await _parent_and_fork()
    store = default_store()
    store.add_feedback(parent, label="down", step=1)
    store.add_feedback(fork, label="up")
    store.flush()
    for fmt, options in (("openai-dpo", {}), ("trl-dpo", {}), ("trinity", {"mode": "dpo"})):
        path = tmp_path / f"{fmt}.jsonl"
        export(store, fmt, path, run_ids=[parent, fork], **options)
        rows = _rows(path)
        assert len(rows) == 1, (fmt, rows)
        if fmt == "trinity":  # Trinity-RFT's DPO keys: responses only in chosen / rejected
            assert set(rows[0]) == {
                "message",
                "chosen",
                "rejected",
                "tools",
                "reward",
                "info",
                "metrics",
            }
            assert [m["role"] for m in rows[0]["chosen"]] == ["assistant"]
        else:
            SCHEMAS[fmt].model_validate(rows[0])
        assert load_dataset("json", data_files=str(path), split="train").num_rows == 1
        text = json.dumps(rows[0]).replace('\\"', '"')  # arguments as dicts or JSON strings
        assert '"a": 40' in text and '"a": 1,' in text, text  # chosen, rejected
    row = _rows(tmp_path / "openai-dpo.jsonl")[0]
    chosen = row["preferred_output"][0]["tool_calls"][0]["function"]["arguments"]
    rejected = row["non_preferred_output"][0]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(chosen) == {"a": 40, "b": 2} and json.loads(rejected) == {"a": 1, "b": 1}
    prompt = row["input"]["messages"]
    assert [m["role"] for m in prompt] == ["system", "user", "assistant", "tool"]
    trinity = _rows(tmp_path / "trinity.jsonl")[0]
    assert trinity["info"]["pair_kinds"] == ["fork"] and trinity["info"]["step"] == 1


async def test_no_pair_without_both_judgements(tmp_path: Path) -> None:
    parent, fork = await _parent_and_fork()
    store = default_store()
    store.add_feedback(fork, label="up")  # the parent step was never judged bad
    store.flush()
    path = tmp_path / "dpo.jsonl"
    assert export(store, "openai-dpo", path, run_ids=[parent, fork]).records == 0
    store.add_feedback(parent, label="down", step=2)  # another step
    assert export(store, "openai-dpo", path, run_ids=[parent, fork]).records == 0
    store.add_feedback(parent, label="down", step=1)
    assert export(store, "openai-dpo", path, run_ids=[parent, fork]).records == 1
