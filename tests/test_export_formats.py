"""Every export format: read back by its consumer's own loader, strict schema, golden records.

Golden records live in ``tests/fixtures/runs_golden.json`` (ids and timestamps replaced by
placeholders); regenerate them with ``ASCOPE_REGEN_GOLDEN=1 pytest tests/test_export_formats.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from synthetic_runs import demo_runs

from ascope_nb.events import event_from_dict
from ascope_nb.exceptions import ConfigError
from ascope_nb.export import FORMATS, export, load_runs

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS_FILE = FIXTURES / "runs_events.json"
GOLDEN_FILE = FIXTURES / "runs_golden.json"
REGEN = os.environ.get("ASCOPE_REGEN_GOLDEN") == "1"


# --------------------------------------------------------------------------- fixtures


def _stored_runs() -> list[list[dict[str, Any]]]:
    """The demo runs in wire form, as a store kept them (written once: the file also stands
    for runs stored before later event fields existed, see test_fold_model_input)."""
    if not EVENTS_FILE.exists():
        FIXTURES.mkdir(exist_ok=True)
        wire = [[e.to_dict() for e in run] for run in demo_runs()]
        EVENTS_FILE.write_text(json.dumps(wire, indent=1, ensure_ascii=False) + "\n")
    return json.loads(EVENTS_FILE.read_text())


@pytest.fixture(scope="module")
def runs() -> list[list[Any]]:
    return [[event_from_dict(d) for d in run] for run in _stored_runs()]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


_ID = re.compile(r"run-[a-z]+-(?:m|call)\d+")


def placeholders(value: Any, seen: dict[str, str] | None = None) -> Any:
    """Replace generated ids by ``<id:N>`` (numbered by first appearance) and times by ``<ts>``."""
    seen = {} if seen is None else seen
    if isinstance(value, str):
        return _ID.sub(lambda m: seen.setdefault(m.group(0), f"<id:{len(seen)}>"), value)
    if isinstance(value, dict):
        return {
            k: "<ts>" if k in ("timestamp", "created") else placeholders(v, seen)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [placeholders(v, seen) for v in value]
    return value


# --------------------------------------------------------------------------- strict schemas


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class OAIFunction(Strict):
    name: str
    arguments: str

    @field_validator("arguments")
    @classmethod
    def _json_object(cls, v: str) -> str:
        assert isinstance(json.loads(v), dict)
        return v


class OAIToolCall(Strict):
    id: str
    type: Literal["function"]
    function: OAIFunction


class OAIMessage(Strict):
    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: list[OAIToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None
    weight: Literal[0, 1] | None = None

    @model_validator(mode="after")
    def _roles(self) -> OAIMessage:
        assert (self.tool_call_id is not None) == (self.role == "tool")
        assert self.tool_calls is None or self.role == "assistant"
        assert self.weight is None or self.role == "assistant"
        return self


class ToolSchemaFn(Strict):
    name: str
    description: str
    parameters: dict[str, Any]


class ToolSchema(Strict):
    type: Literal["function"]
    function: ToolSchemaFn


class OpenAISFT(Strict):
    messages: list[OAIMessage]
    tools: list[ToolSchema]
    parallel_tool_calls: bool

    @model_validator(mode="after")
    def _answers(self) -> OpenAISFT:
        assert self.messages[-1].role == "assistant"
        assert all(m.weight is not None for m in self.messages if m.role == "assistant")
        return self


class OpenAIDPOInput(Strict):
    messages: list[OAIMessage]
    tools: list[ToolSchema]


class OpenAIDPO(Strict):
    input: OpenAIDPOInput
    preferred_output: list[OAIMessage]
    non_preferred_output: list[OAIMessage]

    @model_validator(mode="after")
    def _outputs(self) -> OpenAIDPO:
        for out in (self.preferred_output, self.non_preferred_output):
            assert len(out) == 1 and out[0].role == "assistant"
        assert self.preferred_output != self.non_preferred_output
        return self


class TRLToolCall(Strict):
    id: str
    type: Literal["function"]
    function: OAIFunction


class TRLMessage(Strict):
    """Fixed keys in every message (None when unused): one ``datasets`` schema for all rows."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    name: str | None
    tool_calls: list[TRLToolCall] | None
    tool_call_id: str | None


def _tools_json(v: str) -> str:
    tools = json.loads(v)
    assert isinstance(tools, list)
    for tool in tools:
        ToolSchema.model_validate(tool)
    return v


class TRLSFT(Strict):
    prompt: list[TRLMessage]
    completion: list[TRLMessage]
    tools: str

    _tools = field_validator("tools")(classmethod(lambda cls, v: _tools_json(v)))

    @model_validator(mode="after")
    def _one_answer(self) -> TRLSFT:
        assert self.prompt and self.prompt[-1].role in ("user", "tool")
        assert len(self.completion) == 1 and self.completion[0].role == "assistant"
        return self


class TRLDPO(Strict):
    prompt: list[TRLMessage]
    chosen: list[TRLMessage]
    rejected: list[TRLMessage]
    tools: str


class TRLKTO(Strict):
    prompt: list[TRLMessage]
    completion: list[TRLMessage]
    label: bool
    tools: str

    @model_validator(mode="after")
    def _prompt(self) -> TRLKTO:
        assert self.prompt, "a KTO prompt is never empty"
        return self


class ShareGPTTurn(Strict):
    from_: Literal["human", "gpt", "function_call", "observation"]
    value: str
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    def __init__(self, **data: Any) -> None:
        super().__init__(from_=data.pop("from"), **data)


class ShareGPT(Strict):
    conversations: list[ShareGPTTurn]
    system: str
    tools: str

    @model_validator(mode="after")
    def _alternates(self) -> ShareGPT:
        # LLaMA-Factory: prompt side at even positions, answer side at odd ones, ends answered
        for i, turn in enumerate(self.conversations):
            prompt_side = turn.from_ in ("human", "observation")
            assert prompt_side == (i % 2 == 0), (i, turn.from_)
        assert len(self.conversations) % 2 == 0
        if self.tools:
            assert all("name" in t and "parameters" in t for t in json.loads(self.tools))
        for turn in self.conversations:
            if turn.from_ == "function_call":
                call = json.loads(turn.value)
                assert {"name", "arguments"} <= set(call if isinstance(call, dict) else call[0])
        return self


class TrinityInfo(Strict):
    run_id: str
    agent: str
    model: str
    status: str
    feedback_label: str | None
    feedback_comment: str | None
    step: int | None
    pair_kinds: list[str]


class TrinitySFT(Strict):
    """Trinity-RFT's SFTFormatter defaults: ``message`` (last one trained) and ``tools``."""

    message: list[TRLMessage]
    tools: str
    reward: float | None
    info: TrinityInfo
    metrics: dict[str, float]

    @model_validator(mode="after")
    def _last(self) -> TrinitySFT:
        assert self.message[-1].role == "assistant"
        return self


SCHEMAS: dict[str, type[BaseModel]] = {
    "openai": OpenAISFT,
    "openai-dpo": OpenAIDPO,
    "trl-sft": TRLSFT,
    "trl-dpo": TRLDPO,
    "trl-kto": TRLKTO,
    "sharegpt": ShareGPT,
    "trinity": TrinitySFT,
}
JSONL_FORMATS = list(SCHEMAS)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("fmt", JSONL_FORMATS)
def test_jsonl_format_strict_schema_and_datasets_loader(
    fmt: str, runs: Any, tmp_path: Path
) -> None:
    from datasets import load_dataset

    path = tmp_path / f"{fmt}.jsonl"
    result = export(runs, fmt, path)
    rows = read_jsonl(path)
    assert result.records == len(rows) > 0
    assert result.runs == len(runs)
    for row in rows:
        SCHEMAS[fmt].model_validate(row)
    loaded = load_dataset("json", data_files=str(path), split="train")
    assert loaded.num_rows == len(rows)
    first_key = next(iter(rows[0]))
    assert first_key in loaded.column_names


def _golden(name: str, value: Any) -> None:
    data = json.loads(GOLDEN_FILE.read_text()) if GOLDEN_FILE.exists() else {}
    if REGEN or name not in data:
        data[name] = value
        GOLDEN_FILE.write_text(
            json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        )
        if not REGEN:
            pytest.fail(f"golden {name!r} was missing and has been written; review and rerun")
    assert value == data[name]


@pytest.mark.parametrize("fmt", JSONL_FORMATS)
def test_jsonl_golden_records(fmt: str, runs: Any, tmp_path: Path) -> None:
    path = tmp_path / f"{fmt}.jsonl"
    export(runs, fmt, path)
    _golden(fmt, placeholders(read_jsonl(path)))


def test_openai_sft_round_trip_keeps_calls_results_names_order(runs: Any, tmp_path: Path) -> None:
    records = load_runs(runs)
    export(records, "openai", tmp_path / "sft.jsonl")
    rows = read_jsonl(tmp_path / "sft.jsonl")
    by_run = {r.run_id: r for r in records}
    plain = rows[0]["messages"]
    record = by_run["run-plain"]
    expected_calls = [
        (c.id, c.name, c.input) for c in record.tool_calls.values()
    ]  # in emission order
    got_calls = [
        (tc["id"], tc["function"]["name"], json.loads(tc["function"]["arguments"]))
        for m in plain
        if m["role"] == "assistant"
        for tc in m.get("tool_calls", [])
    ]
    assert got_calls == expected_calls
    # every tool message answers the call right before it, with the stored output
    for i, msg in enumerate(plain):
        if msg["role"] == "tool":
            call_ids = [tc["id"] for tc in plain[i - 1].get("tool_calls", [])] or [
                plain[i - 1]["tool_call_id"]
            ]
            assert msg["tool_call_id"] in call_ids or plain[i - 1]["role"] == "tool"
            assert msg["content"] == record.tool_calls[msg["tool_call_id"]].output[0]["text"]  # type: ignore[index]
    assert [m["role"] for m in plain] == [
        "system", "user", "assistant", "tool", "assistant", "tool", "assistant",
    ]  # fmt: skip
    parallel = rows[1]
    assert parallel["parallel_tool_calls"] is True
    assert rows[0]["parallel_tool_calls"] is False  # every row has the same keys


def test_trl_rows_are_model_calls_with_json_arguments(runs: Any, tmp_path: Path) -> None:
    export(runs, "trl-sft", tmp_path / "trl.jsonl")
    rows = [
        r
        for r in read_jsonl(tmp_path / "trl.jsonl")
        if "Paris" in r["prompt"][-1]["content"]
        or any(m["role"] == "tool" and m["content"] == "Sunny" for m in r["prompt"])
    ]
    first, answer = rows[0], rows[-1]  # the parallel call, then the answer after the results
    calls = first["completion"][0]["tool_calls"]
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [
        {"query": "Paris weather"},
        {"query": "Rome weather"},
    ]
    tools = [m for m in answer["prompt"] if m["role"] == "tool"]
    assert [(t["name"], t["content"]) for t in tools] == [
        ("search", "Sunny"),
        ("search", "Timeout"),
    ]
    export(runs, "trl-sft", tmp_path / "dict.jsonl", arguments="dict")
    row = read_jsonl(tmp_path / "dict.jsonl")[rows and 0]
    assert all(
        isinstance(c["function"]["arguments"], dict)
        for m in row["prompt"] + row["completion"]
        for c in m["tool_calls"] or []
    )


def test_inspect_eval_log_reads_back(runs: Any, tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    path = tmp_path / "runs.eval"
    result = export(runs, "inspect", path)
    log = read_eval_log(str(path))
    assert log.status == "success" and result.records == len(runs)
    samples = {s.id: s for s in log.samples or []}
    plain = samples["run-plain"]
    roles = [m.role for m in plain.messages]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant"]
    calls = [
        (c.function, c.arguments)
        for m in plain.messages
        if m.role == "assistant"
        for c in m.tool_calls or []
    ]
    assert calls == [("add", {"a": 1, "b": 2}), ("add", {"a": 3, "b": 4})]
    assert plain.scores is not None and plain.scores["feedback"].value == 1.0
    assert plain.scores["feedback"].explanation == "right"
    assert plain.output.completion == "The answer is 7."
    denied = samples["run-denied"]
    tool_msg = next(m for m in denied.messages if m.role == "tool")
    assert tool_msg.error is not None and tool_msg.error.type == "approval"
    assert "run-secret" in samples and samples["run-secret"].scores is None
    assert "sk-live" not in path.read_bytes().decode("latin-1")
    mean = log.results.scores[0].metrics["mean"].value  # type: ignore[union-attr]
    assert mean == pytest.approx((1.0 + 0.2 + 1.0) / 3)


def test_parquet_round_trip(runs: Any, tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "messages.parquet"
    result = export(runs, "parquet", path)
    frame = pd.read_parquet(path)
    assert len(frame) == result.records
    plain = frame[frame["run_id"] == "run-plain"]
    assert plain["index"].tolist() == list(range(len(plain)))
    assert plain["role"].tolist() == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert plain["step"].tolist()[1:] == [0, 0, 1, 1, 2]
    calls = json.loads(plain.iloc[1]["tool_calls"])
    assert [(c["name"], c["input"]) for c in calls] == [("add", {"a": 1, "b": 2})]
    assert plain.iloc[1]["thinking"] == "Add step by step."
    parallel = frame[(frame["run_id"] == "run-parallel") & (frame["role"] == "tool")]
    assert parallel["tool_state"].tolist() == ["success", "error"]
    hint = frame[frame["is_hint"]]
    assert hint["content"].tolist() == ["Use the add tool, not search."]


def test_hf_dataset_both_kinds(runs: Any, tmp_path: Path) -> None:
    from datasets import load_from_disk

    from ascope_nb.export.hf import to_hf_dataset

    flat = to_hf_dataset(runs)
    assert flat.num_rows == sum(1 for _ in flat) and "tool_calls" in flat.column_names
    conv = to_hf_dataset(runs, kind="conversations")
    export(runs, "trl-sft", tmp_path / "trl.jsonl")
    assert conv.to_list() == read_jsonl(tmp_path / "trl.jsonl")  # the same rows, one schema
    result = export(runs, "hf", tmp_path / "ds", kind="conversations", status="completed")
    assert load_from_disk(str(tmp_path / "ds")).num_rows == result.records > 0


def test_secrets_never_written(runs: Any, tmp_path: Path) -> None:
    for fmt in [*JSONL_FORMATS, "parquet"]:
        path = tmp_path / f"out.{fmt}"
        export(runs, fmt, path)
        data = path.read_bytes()
        for secret in (b"sk-live", b"sk-abcdefghij", b"abcdefgh123"):
            assert secret not in data, (fmt, secret)


def test_unknown_format_lists_known_ones(runs: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        export(runs, "alpaca", tmp_path / "x.jsonl")
    for name in FORMATS:
        assert name in str(info.value)


def test_filters_apply_to_exports(runs: Any, tmp_path: Path) -> None:
    result = export(runs, "trl-sft", tmp_path / "up.jsonl", feedback="up")
    assert result.runs == 2  # run-plain (thumb) and run-denied (thumb)
    rows = read_jsonl(tmp_path / "up.jsonl")
    assert rows[0]["prompt"][1]["content"] == "What is (1 + 2) + 4?"
    assert export(runs, "trinity", tmp_path / "t.jsonl", status="interrupted").runs == 1
