"""The export defects users reported (issue 12), one test each, met the way a user meets them:
runs made through the public API, exported with ``export(...)``, read back as files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.export import export, load_runs, preference_pairs
from ascope_nb.export._calls import normalise
from ascope_nb.export._write import ExportError
from ascope_nb.export.hf import to_hf_dataset
from ascope_nb.run import start
from ascope_nb.store import RunStore
from tests.support.export_corpus import Corpus, agent, build_corpus

CANNED = "I noticed that you have interrupted me"
SFT_FILES = ("openai", "trl-sft", "sharegpt", "trinity")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    store = RunStore(str(tmp_path_factory.mktemp("corpus") / "runs.sqlite"))
    return asyncio.run(build_corpus(store))


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def targets(fmt: str, path: Path) -> list[str]:
    """The text of every message a trainer learns from, as JSON, per format."""
    out: list[str] = []
    for row in rows(path):
        if fmt == "openai":
            out += [json.dumps(m) for m in row["messages"] if m.get("weight") == 1]
        elif fmt == "trl-sft":
            out += [json.dumps(m) for m in row["completion"]]
        elif fmt == "sharegpt":
            out += [
                json.dumps(t, ensure_ascii=False)
                for t in row["conversations"]
                if t["from"] in ("gpt", "function_call")
            ]
        elif fmt == "trinity":
            out.append(json.dumps(row["message"][-1], ensure_ascii=False))
    return out


def export_one(corpus: Corpus, name: str, fmt: str, path: Path, **options: Any) -> Path:
    export(corpus.store, fmt, path, run_ids=[corpus.run_id(name)], **options)
    return path


# --------------------------------------------------------------------------- the bullets


def test_kto_prompt_of_a_hub_run_with_an_announcement_is_not_empty(
    corpus: Corpus, tmp_path: Path
) -> None:
    path = export_one(corpus, "hub", "trl-kto", tmp_path / "kto.jsonl")
    data = rows(path)
    assert data  # the thumbs-up labels each speaker's call
    for row in data:
        assert row["prompt"], "an empty prompt breaks maybe_apply_chat_template"
        prompt_text = " ".join(m["content"] for m in row["prompt"])
        assert "Tea or coffee?" in prompt_text and "Debate" in prompt_text
        assert "Tea or coffee?" not in json.dumps(row["completion"])


def test_hf_conversations_keep_each_calls_own_arguments(corpus: Corpus) -> None:
    dataset = to_hf_dataset(corpus.store, kind="conversations")
    seen = 0
    for row in dataset:
        for msg in row["prompt"] + row["completion"]:
            for call in msg["tool_calls"] or []:
                args = json.loads(call["function"]["arguments"])
                assert None not in args.values(), args
                seen += 1
    assert seen > 5


def test_trinity_dpo_rows_hold_responses_only(corpus: Corpus, tmp_path: Path) -> None:
    path = export_one(corpus, "deny", "trinity", tmp_path / "dpo.jsonl", mode="dpo")
    (row,) = rows(path)
    assert {"message", "chosen", "rejected"} <= set(row)
    assert [m["role"] for m in row["chosen"]] == ["assistant"]
    assert [m["role"] for m in row["rejected"]] == ["assistant"]
    assert row["message"][-1]["content"] == "Clean up my disk."
    assert "Clean up my disk." not in json.dumps(row["chosen"] + row["rejected"])


def test_a_follow_up_record_carries_the_turns_the_model_saw(corpus: Corpus, tmp_path: Path) -> None:
    path = export_one(corpus, "followup", "trl-sft", tmp_path / "sft.jsonl")
    (row,) = rows(path)
    sent = corpus.models["followup"].calls[-1].messages  # what the model received
    assert len(sent) == 6
    assert [(m["role"], m["content"]) for m in row["prompt"]] == [
        (m["role"], m["content"]) for m in normalise(sent)
    ]
    assert row["completion"][0]["content"] == "And 4 + 4 = 8."
    openai = rows(export_one(corpus, "followup", "openai", tmp_path / "o.jsonl"))[0]
    weights = [m.get("weight") for m in openai["messages"] if m["role"] == "assistant"]
    assert weights == [0, 0, 1]  # the earlier turn is context, learnt in its own run


def test_a_stopped_run_never_teaches_partial_or_canned_text(corpus: Corpus, tmp_path: Path) -> None:
    for fmt in SFT_FILES:
        for name in ("stop", "deny_then_stop"):
            path = export_one(corpus, name, fmt, tmp_path / f"{fmt}-{name}.jsonl")
            learnt = " ".join(targets(fmt, path))
            assert CANNED not in learnt, (fmt, name)
            assert "word0" not in learnt, (fmt, name)
            assert "slow_search" not in learnt, (fmt, name)
    kto = rows(export_one(corpus, "stop", "trl-kto", tmp_path / "kto.jsonl"))
    assert not [r for r in kto if r["label"]]


@pytest.mark.parametrize("fmt", SFT_FILES)
def test_corrected_actions_are_never_sft_targets(fmt: str, corpus: Corpus, tmp_path: Path) -> None:
    for name, bad in (
        ("deny", "/etc/passwd"),
        ("deny_and_edit", "/home"),
        ("steer", "steering_search"),
        ("edit", '\\"b\\": 2'),  # the model's original input (the person edited it to 5)
    ):
        path = export_one(corpus, name, fmt, tmp_path / f"{name}.jsonl")
        learnt = targets(fmt, path)
        if fmt != "sharegpt":  # sharegpt cuts a reply before its first correction
            assert learnt, (fmt, name)  # the acceptable actions are still learnt
        assert not [t for t in learnt if bad in t], (fmt, name, learnt)


def test_sharegpt_hub_keeps_each_speakers_tool_call_a_call(corpus: Corpus, tmp_path: Path) -> None:
    data = rows(export_one(corpus, "hub", "sharegpt", tmp_path / "hub.jsonl"))
    assert len(data) == 3  # one row per speaker's reply
    calls = [t for r in data for t in r["conversations"] if t["from"] == "function_call"]
    assert [json.loads(t["value"])["name"] for t in calls] == ["search"]
    for row in data:
        for turn in row["conversations"]:
            if turn["from"] == "gpt":
                assert '"name"' not in turn["value"] and "search" not in turn["value"]
    bob = next(r for r in data if r["system"].startswith("You are Bob"))
    assert "Alice: I prefer tea." in bob["conversations"][0]["value"]


def test_a_denial_followed_by_a_stopped_action_gives_no_pair(corpus: Corpus) -> None:
    (record,) = load_runs(corpus.store, run_ids=[corpus.run_id("deny_then_stop")])
    assert preference_pairs(record) == []


def test_a_denial_and_an_edit_in_one_message_both_give_pairs(corpus: Corpus) -> None:
    (record,) = load_runs(corpus.store, run_ids=[corpus.run_id("deny_and_edit")])
    pairs = {p.kinds: p for p in preference_pairs(record)}
    assert set(pairs) == {("edited",), ("denied",)}
    edited = [b for b in pairs[("edited",)].chosen["content"] if b["type"] == "tool_use"]
    assert [(b["name"], b["input"]) for b in edited] == [("add", {"a": 1, "b": 2})]
    denied_chosen = [
        b["name"] for b in pairs[("denied",)].chosen["content"] if b["type"] == "tool_use"
    ]
    assert denied_chosen == ["search"]
    rejected = [
        b["name"] for b in pairs[("denied",)].rejected["content"] if b["type"] == "tool_use"
    ]
    assert rejected == ["delete_file", "add"]


@pytest.mark.parametrize(
    "fmt", ["openai", "openai-dpo", "trl-sft", "trl-dpo", "trl-kto", "sharegpt", "trinity"]
)
def test_every_row_has_a_tools_key_and_the_same_keys(
    fmt: str, corpus: Corpus, tmp_path: Path
) -> None:
    path = tmp_path / f"{fmt}.jsonl"
    export(corpus.store, fmt, path)
    data = rows(path)
    assert data
    keys = {tuple(sorted(r if fmt != "openai-dpo" else r["input"])) for r in data}
    assert len(keys) == 1 and "tools" in next(iter(keys)), keys


async def test_a_run_handle_and_its_events_are_redacted_like_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascope_nb import store as store_mod
    from ascope_nb.testing import tool_call

    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    store_mod.set_default_store(None)
    secret = "sk-" + "Zq9" * 10

    def login(api_key: str) -> str:
        """Log in.

        Args:
            api_key: The key.
        """
        return "logged in"

    bot = agent(
        "Friday",
        [[tool_call("login", api_key="hunter2-plain-value")], f"Your key is {secret}."],
        tools=(login,),
    )
    run = start(bot, "Log me in.")
    await run
    try:
        for label, source in (("handle", run), ("events", list(run.events))):
            for fmt in ("openai", "trl-sft", "sharegpt", "trinity", "openai-dpo", "trl-kto"):
                path = tmp_path / f"{label}-{fmt}.jsonl"
                export(source, fmt, path)
                text = path.read_text()
                assert secret not in text, (label, fmt)
                assert "hunter2-plain-value" not in text, (label, fmt)
            export(source, "parquet", tmp_path / f"{label}.parquet")
            data = (tmp_path / f"{label}.parquet").read_bytes()
            assert secret.encode() not in data and b"hunter2-plain-value" not in data
    finally:
        store_mod.set_default_store(None)


def test_a_failed_export_leaves_the_previous_file_intact(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    export(corpus.store, "trl-sft", path)
    before = path.read_bytes()

    def broken_runs() -> Any:
        yield corpus.events("parallel")
        raise RuntimeError("the source failed mid-export")

    with pytest.raises(RuntimeError, match="mid-export"):
        export(broken_runs(), "trl-sft", path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.jsonl"]  # no temp left
    export(corpus.store, "hf", tmp_path / "ds", kind="conversations")
    with pytest.raises(RuntimeError):
        export(broken_runs(), "hf", tmp_path / "ds", kind="conversations")
    from datasets import load_from_disk

    assert load_from_disk(str(tmp_path / "ds")).num_rows > 0


def test_an_unwritable_target_is_one_error_naming_the_path(corpus: Corpus, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    target = blocker / "train.jsonl"
    with pytest.raises(ExportError, match="not-a-folder/train.jsonl"):
        export(corpus.store, "openai", target)
    for fmt, name in (("inspect", "log.eval"), ("parquet", "m.parquet")):
        with pytest.raises(ExportError, match=f"not-a-folder/{name}"):
            export(corpus.store, fmt, blocker / name)
