"""Every export format fed to its real consumer: TRL's data utilities and trainers, datasets
(newest and 4.7), inspect_ai's log reader and analysis frames, Trinity-RFT's formatter keys
and LLaMA-Factory's sharegpt rules. The runs are made through the public API
(``tests/support/export_corpus.py``); each test fails if its consumer rejects the data.

The tokenizer and the model are built here (no download): a WordLevel tokenizer wrapped in
``PreTrainedTokenizerFast`` with a chat template that renders tools and tool calls, and a
randomly initialised one-layer Llama with hidden size 16; one training step each runs on
the CPU in seconds.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.export import export
from ascope_nb.export.hf import to_hf_dataset
from ascope_nb.store import RunStore
from tests.support.export_corpus import ZH_ANSWER, Corpus, build_corpus

TEMPLATE = (
    "{%- set ns = namespace(start=0) -%}"
    "{%- if messages and messages[0].role == 'system' -%}"
    "<|system|>{{ messages[0].content }}"
    "{%- set ns.start = 1 -%}"
    "{%- endif -%}"
    "{%- if tools -%}<|tools|>{%- for tool in tools %} {{ tool | tojson }}{%- endfor -%}<|end|>"
    "{%- elif ns.start -%}<|end|>{%- endif -%}"
    "{%- for message in messages[ns.start:] -%}"
    "{%- if message.role == 'assistant' -%}<|assistant|>{{ message.content or '' }}"
    '{%- for tc in message.tool_calls or [] %} <tool_call>{"name": "{{ tc.function.name }}", '
    '"arguments": {% if tc.function.arguments is string %}{{ tc.function.arguments }}'
    "{% else %}{{ tc.function.arguments | tojson }}{% endif %}}</tool_call>"
    "{%- endfor -%}<|end|>"
    "{%- else -%}<|{{ message.role }}|>{{ message.content }}<|end|>"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)
SPECIALS = ["[PAD]", "[UNK]", "<s>", "</s>", "<|system|>", "<|tools|>", "<|user|>"]
SPECIALS += ["<|assistant|>", "<|tool|>", "<|end|>", "<tool_call>", "</tool_call>"]
WORDS = ["the", "a", "is", "add", "search", "tea", "coffee", "name", "arguments", "{", "}"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    store = RunStore(str(tmp_path_factory.mktemp("corpus") / "runs.sqlite"))
    return asyncio.run(build_corpus(store))


@pytest.fixture(scope="module")
def out(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    for fmt in ("openai", "openai-dpo", "trl-sft", "trl-dpo", "trl-kto", "sharegpt"):
        export(corpus.store, fmt, folder / f"{fmt}.jsonl")
    export(corpus.store, "trinity", folder / "trinity-sft.jsonl")
    export(corpus.store, "trinity", folder / "trinity-dpo.jsonl", mode="dpo")
    return folder


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate(SPECIALS + WORDS)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="[PAD]",
        unk_token="[UNK]",
        additional_special_tokens=SPECIALS[4:],
    )
    tok.chat_template = TEMPLATE
    return tok


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tiny_model(tokenizer: Any) -> Any:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return LlamaForCausalLM(config)


def train_args(kind: str, folder: Path) -> Any:
    import trl

    config = {"sft": trl.SFTConfig, "dpo": trl.DPOConfig, "kto": trl.KTOConfig}[kind]
    return config(
        output_dir=str(folder),
        max_steps=1,
        per_device_train_batch_size=2,
        learning_rate=1e-3,
        report_to="none",
        save_strategy="no",
        logging_steps=1,
        use_cpu=True,
        bf16=False,
        dataloader_num_workers=0,
    )


# --------------------------------------------------------------------------- TRL data utilities


@pytest.mark.parametrize("fmt", ["trl-sft", "trl-dpo", "trl-kto"])
def test_trl_data_utilities_accept_every_row(fmt: str, out: Path, tokenizer: Any) -> None:
    from trl.data_utils import apply_chat_template, is_conversational, maybe_apply_chat_template

    data = rows(out / f"{fmt}.jsonl")
    assert data, f"{fmt} wrote no rows"
    for row in data:
        assert is_conversational(row)
        tools = json.loads(row["tools"])
        example = {k: v for k, v in row.items() if k != "tools"}
        rendered = maybe_apply_chat_template(example, tokenizer, tools=tools)
        assert rendered == apply_chat_template(example, tokenizer, tools=tools)
        assert rendered["prompt"].strip()
        for key in ("completion", "chosen", "rejected"):
            if key in rendered:
                assert rendered[key].endswith("<|end|>"), rendered[key]
        text = "".join(str(v) for v in rendered.values())
        assert "null" not in text  # no argument gained another row's keys
        if tools:
            assert "<|tools|>" in rendered["prompt"]


def test_tool_calls_render_with_their_own_arguments(out: Path, tokenizer: Any) -> None:
    from trl.data_utils import apply_chat_template

    seen = []
    for row in rows(out / "trl-sft.jsonl"):
        rendered = apply_chat_template(
            {"prompt": row["prompt"], "completion": row["completion"]},
            tokenizer,
            tools=json.loads(row["tools"]),
        )
        for call in row["completion"][0]["tool_calls"] or []:
            args = json.loads(call["function"]["arguments"])
            expected = json.dumps(
                {"name": call["function"]["name"], "arguments": args}, ensure_ascii=False
            )
            assert expected in rendered["completion"].replace("<tool_call>", "")
            seen.append(call["function"]["name"])
    assert {"search", "add", "flaky"} <= set(seen)


# --------------------------------------------------------------------------- TRL trainers


def _load(path: Path) -> Any:
    from datasets import load_dataset

    return load_dataset("json", data_files=str(path), split="train")


def test_sft_trainer_takes_one_step(out: Path, tokenizer: Any, tmp_path: Path) -> None:
    from trl import SFTTrainer

    trainer = SFTTrainer(
        model=tiny_model(tokenizer),
        args=train_args("sft", tmp_path),
        train_dataset=_load(out / "trl-sft.jsonl"),
        processing_class=tokenizer,
    )
    result = trainer.train()
    assert result.global_step == 1 and math.isfinite(result.training_loss)


def test_dpo_trainer_takes_one_step(out: Path, tokenizer: Any, tmp_path: Path) -> None:
    from trl import DPOTrainer

    trainer = DPOTrainer(
        model=tiny_model(tokenizer),
        ref_model=tiny_model(tokenizer),
        args=train_args("dpo", tmp_path),
        train_dataset=_load(out / "trl-dpo.jsonl"),
        processing_class=tokenizer,
    )
    result = trainer.train()
    assert result.global_step == 1 and math.isfinite(result.training_loss)


def test_kto_trainer_takes_one_step(out: Path, tokenizer: Any, tmp_path: Path) -> None:
    from trl import KTOTrainer

    dataset = _load(out / "trl-kto.jsonl")
    assert set(dataset["label"]) == {True, False}
    trainer = KTOTrainer(
        model=tiny_model(tokenizer),
        ref_model=tiny_model(tokenizer),
        args=train_args("kto", tmp_path),
        train_dataset=dataset,
        processing_class=tokenizer,
    )
    result = trainer.train()
    assert result.global_step == 1 and math.isfinite(result.training_loss)


# --------------------------------------------------------------------------- datasets


JSONL = ["openai", "openai-dpo", "trl-sft", "trl-dpo", "trl-kto", "sharegpt"]
JSONL += ["trinity-sft", "trinity-dpo"]


@pytest.mark.parametrize("name", JSONL)
def test_newest_datasets_loads_every_jsonl_as_written(name: str, out: Path) -> None:
    data = rows(out / f"{name}.jsonl")
    loaded = _load(out / f"{name}.jsonl")
    assert loaded.num_rows == len(data) > 0
    keys = {tuple(r) for r in data}
    assert len(keys) == 1, f"{name}: rows with different keys {keys}"
    if name not in ("openai", "openai-dpo"):  # OpenAI's tool schemas are objects by its spec
        assert loaded.to_list() == data  # nothing gained keys or nulls


def test_hf_conversations_render_like_the_trl_sft_rows(
    corpus: Corpus, out: Path, tokenizer: Any
) -> None:
    dataset = to_hf_dataset(corpus.store, kind="conversations")
    data = rows(out / "trl-sft.jsonl")
    assert dataset.num_rows == len(data)
    for from_hf, from_jsonl in zip(dataset, data, strict=True):
        tools = json.loads(from_jsonl["tools"])
        a = tokenizer.apply_chat_template(
            from_hf["prompt"] + from_hf["completion"], tools=tools, tokenize=False
        )
        b = tokenizer.apply_chat_template(
            from_jsonl["prompt"] + from_jsonl["completion"], tools=tools, tokenize=False
        )
        assert a == b and "null" not in a


# --------------------------------------------------------------------------- Trinity-RFT


def test_trinity_rows_have_the_keys_its_formatters_read_by_default(
    out: Path, tokenizer: Any
) -> None:
    # Trinity-RFT FormatConfig defaults: messages_key "message", tools_key "tools",
    # chosen_key "chosen", rejected_key "rejected"; DPO responses exclude the prompt.
    sft = rows(out / "trinity-sft.jsonl")
    assert sft
    for row in sft:
        messages, tools = row["message"], json.loads(row["tools"])
        assert messages[-1]["role"] == "assistant"
        full = tokenizer.apply_chat_template(messages, tools=tools, tokenize=True)
        prompt = tokenizer.apply_chat_template(
            messages[:-1], tools=tools, add_generation_prompt=True, tokenize=True
        )
        ids = full["input_ids"] if isinstance(full, dict) or hasattr(full, "keys") else full
        pids = prompt["input_ids"] if hasattr(prompt, "keys") else prompt
        assert 0 < len(pids) < len(ids)  # SFTFormatter trains on the last message
    dpo = rows(out / "trinity-dpo.jsonl")
    assert dpo
    for row in dpo:
        prompt, chosen, rejected = row["message"], row["chosen"], row["rejected"]
        assert [m["role"] for m in chosen] == ["assistant"] == [m["role"] for m in rejected]
        p = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
        c = tokenizer.apply_chat_template(prompt + chosen, tokenize=False)
        r = tokenizer.apply_chat_template(prompt + rejected, tokenize=False)
        assert c.startswith(p) and r.startswith(p) and c != r
        assert c.count(prompt[-1]["content"]) == 1  # the prompt once, not twice


# --------------------------------------------------------------------------- LLaMA-Factory


def check_llamafactory_sharegpt(row: dict[str, Any]) -> None:
    """LLaMA-Factory's sharegpt converter rules (``data/converter.py``, SharegptDatasetConverter):
    prompt-side tags (human, observation) at even positions, answer-side (gpt,
    function_call) at odd ones, an even number of turns; tools a JSON string."""
    turns = row["conversations"]
    assert turns and len(turns) % 2 == 0, "odd number of turns is dropped"
    for i, turn in enumerate(turns):
        assert set(turn) == {"from", "value"} and isinstance(turn["value"], str)
        allowed = ("human", "observation") if i % 2 == 0 else ("gpt", "function_call")
        assert turn["from"] in allowed, (i, turn["from"])
        if turn["from"] == "function_call":
            calls = json.loads(turn["value"])
            for call in calls if isinstance(calls, list) else [calls]:
                assert set(call) == {"name", "arguments"} and isinstance(call["arguments"], dict)
    assert isinstance(row["system"], str) and isinstance(row["tools"], str)
    if row["tools"]:
        assert all("name" in t for t in json.loads(row["tools"]))


def test_sharegpt_rows_follow_llamafactory_rules(out: Path) -> None:
    data = rows(out / "sharegpt.jsonl")
    assert data
    for row in data:
        check_llamafactory_sharegpt(row)


# --------------------------------------------------------------------------- inspect_ai


def test_inspect_log_reads_back_and_all_four_frames_build(corpus: Corpus, tmp_path: Path) -> None:
    from inspect_ai.analysis import evals_df, events_df, messages_df, samples_df
    from inspect_ai.log import read_eval_log

    result = export(corpus.store, "inspect", tmp_path / "logs")
    assert result.path is not None and result.path.endswith(".eval")
    log = read_eval_log(result.path)
    assert log.samples is not None and len(log.samples) == len(corpus.runs)
    kinds = {e.event for s in log.samples for e in s.events}
    assert {"model", "tool"} <= kinds
    logs = str(tmp_path / "logs")
    assert len(evals_df(logs)) == 1
    assert len(samples_df(logs)) == len(corpus.runs)
    messages = messages_df(logs)
    assert "message_id" in messages.columns and len(messages) > 0
    events = events_df(logs)
    assert {"event_id", "event"} <= set(events.columns)
    assert {"model", "tool"} <= set(events["event"])


def test_inspect_json_log_is_named_so_evals_df_finds_it(corpus: Corpus, tmp_path: Path) -> None:
    from inspect_ai.analysis import evals_df

    result = export(corpus.store, "inspect", tmp_path / "runs.json")
    assert result.path is not None
    assert re.match(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}.*_runs\.json$", Path(result.path).name)
    assert len(evals_df(str(tmp_path))) == 1


# --------------------------------------------------------------------------- the corpus itself


def test_the_chinese_answer_survives_every_format(out: Path) -> None:
    for name in ("openai", "trl-sft", "sharegpt", "trinity-sft"):
        assert ZH_ANSWER in (out / f"{name}.jsonl").read_text(encoding="utf-8"), name


# --------------------------------------------------------------------------- datasets 4.7

OLD_DATASETS = "4.7.0"  # TRL's declared minimum when the exports were checked
LOAD_EACH = """
import json, sys
import datasets
assert datasets.__version__ == sys.argv[1], datasets.__version__
for path in sys.argv[2:]:
    n = sum(1 for line in open(path, encoding="utf-8") if line.strip())
    loaded = datasets.load_dataset("json", data_files=path, split="train")
    assert loaded.num_rows == n, (path, loaded.num_rows, n)
print("ok", len(sys.argv) - 2)
"""


@pytest.fixture(scope="module")
def old_datasets_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small venv with datasets 4.7 alone (``--no-deps``); its other imports come from
    this environment through a ``.pth`` line placed after its own site-packages."""
    import site
    import subprocess
    import sys

    venv = tmp_path_factory.mktemp("datasets-old") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         f"datasets=={OLD_DATASETS}"],
        check=True,
    )  # fmt: skip
    own = subprocess.run(
        [python, "-c", "import site; print(site.getsitepackages()[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(own, "zz_parent_env.pth").write_text(site.getsitepackages()[0] + "\n")
    return python


def test_datasets_4_7_loads_every_jsonl(out: Path, old_datasets_python: str) -> None:
    import subprocess

    files = [str(out / f"{name}.jsonl") for name in JSONL]
    done = subprocess.run(
        [old_datasets_python, "-c", LOAD_EACH, OLD_DATASETS, *files],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith(f"ok {len(files)}")
