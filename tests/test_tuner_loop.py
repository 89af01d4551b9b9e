"""The learning loop on a tiny model, on the CPU, offline: export runs -> train a LoRA ->
load the adapter -> run an experiment, and the adapter changes the answers it was trained on.

The base model is built here (``tests/support/tiny_lm.py``: a random 2-layer Qwen2 with a
word-level tokenizer over the words of the runs), saved as a ``transformers`` folder and
loaded by the tuner like any base model. Also: DPO and KTO steps, stop then resume, the GRPO
loop and ``tune()`` on the CPU backend, the GGUF LoRA file, and every bad dataset as one
line before any model loads.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from synthetic_runs import SyntheticRun, demo_runs

from ascope_nb.exceptions import ConfigError
from ascope_nb.export import export
from ascope_nb.tuner import (
    AlgorithmConfig,
    DatasetConfig,
    TinkerConfig,
    TRLBackend,
    TunerBackendError,
    TunerModelConfig,
    WorkflowOutput,
    tune,
)
from ascope_nb.tuner._progress import TrainProgress
from tests.support.tiny_lm import save_tiny_lm

SYSTEM = "You are a helpful assistant."
QA = [("Which drink is hot ?", "tea please"), ("Which drink is cold ?", "iced coffee")]
_WORD = re.compile(r"\w+|[^\w\s]+")


def _qa_runs() -> list[Any]:
    runs = []
    for i, (question, answer) in enumerate(QA):
        run = SyntheticRun(f"run-qa{i}", user=question, sys_prompt=SYSTEM)
        run.answer(answer)
        run.feedback(label="up")
        runs.append(run.finish())
    return runs


def _texts(path: Path) -> list[str]:
    """Every message text and tool name of an export (the tiny tokenizer's vocabulary)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for key in ("prompt", "completion", "chosen", "rejected", "messages"):
            for message in row.get(key) or []:
                out.append(str(message.get("content") or ""))
                for call in message.get("tool_calls") or []:
                    out.append(call["function"]["name"])
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    export(_qa_runs(), "trl-sft", folder / "sft.jsonl")
    for fmt in ("trl-sft", "trl-dpo", "trl-kto"):
        export(demo_runs() + _qa_runs(), fmt, folder / f"demo-{fmt}.jsonl")
    texts = [t for f in folder.glob("*.jsonl") for t in _texts(f)] + ["tea", "coffee"]
    save_tiny_lm(folder / "base", texts)
    return folder


def _backend(data: Path, **options: Any) -> TRLBackend:
    settings: dict[str, Any] = {"max_steps": 20, "learning_rate": 2e-2, "batch_size": 2}
    return TRLBackend(data / "base", **{**settings, **options})


def _greedy(model: Any, tokenizer: Any, question: str) -> str:
    from ascope_nb.tuner import TransformersChatModel

    chat = TransformersChatModel(model, tokenizer, max_new_tokens=6)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]
    response = asyncio.run(chat(messages))
    return str(response.content[0]["text"])  # type: ignore[index, union-attr]


# --------------------------------------------------------------------------- the whole loop


def test_export_train_load_and_experiment_the_adapter_changes_trained_answers(
    data: Path, tmp_path: Path
) -> None:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.evaluate import experiment
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.tuner import TransformersChatModel, load_adapter, read_manifest
    from ascope_nb.tuner._manifest import file_sha256
    from ascope_nb.tuner._student import load_student

    seen: list[TrainProgress] = []
    result = _backend(data).train(
        data / "sft.jsonl", method="sft", output_dir=tmp_path / "v1", on_progress=seen.append
    )
    assert [p.step for p in seen] == list(range(1, 21))  # every step, in order
    assert all(p.total_steps == 20 and p.loss is not None and math.isfinite(p.loss) for p in seen)
    assert seen[-1].loss < seen[0].loss  # type: ignore[operator]
    assert seen[0].eta_s is not None and seen[-1].eta_s == 0.0
    assert result.steps == 20 and not result.stopped and result.checkpoint_dir is None
    assert (tmp_path / "v1" / "adapter_model.safetensors").is_file()
    manifest = read_manifest(tmp_path / "v1")
    assert manifest["base_model"] == str(data / "base") and manifest["method"] == "sft"
    assert manifest["dataset_sha256"] == file_sha256(data / "sft.jsonl")
    assert manifest["steps"] == 20 and manifest["final_loss"] == pytest.approx(seen[-1].loss)

    base, tokenizer = load_student(data / "base")
    tuned, _ = load_adapter(tmp_path / "v1")
    for question, answer in QA:
        assert _greedy(base, tokenizer, question) != answer
        assert _greedy(tuned, tokenizer, question) == answer  # the trained target, exactly

    def agent(model: Any) -> ReActAgent:
        chat = TransformersChatModel(model, tokenizer, max_new_tokens=6)
        return ReActAgent(
            name="Friday", sys_prompt=SYSTEM, model=chat, formatter=OpenAIChatFormatter()
        )

    rows = [{"input": q, "target": a} for q, a in QA]

    async def score(model: Any, name: str) -> float:
        exp = experiment(
            agent=agent(model), dataset=rows, metrics=["exact"], name=name, concurrency=1
        )
        await exp
        frame = exp.to_dataframe()
        assert list(frame["status"]) == ["completed"] * len(QA)
        return float(frame["exact"].mean())

    assert asyncio.run(score(base, "tiny-before")) == 0.0
    assert asyncio.run(score(tuned, "tiny-after")) == 1.0


def test_dpo_and_kto_take_steps_and_move_the_adapter(data: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    for method in ("dpo", "kto"):
        seen: list[TrainProgress] = []
        result = _backend(data, max_steps=2, learning_rate=1e-2).train(
            data / f"demo-trl-{method}.jsonl",
            method=method,  # type: ignore[arg-type]
            output_dir=tmp_path / method,
            on_progress=seen.append,
        )
        assert result.method == method and result.steps == 2 and [p.step for p in seen] == [1, 2]
        assert all(p.loss is not None and math.isfinite(p.loss) for p in seen)
        weights = load_file(str(tmp_path / method / "adapter_model.safetensors"))
        lora_b = [v for k, v in weights.items() if "lora_B" in k]
        assert lora_b and any(abs(v).max() > 0 for v in lora_b)  # B starts at zero: it moved


def test_stop_leaves_a_checkpoint_and_resume_finishes_where_it_left(
    data: Path, tmp_path: Path
) -> None:
    backend = _backend(data, max_steps=6)
    seen: list[int] = []
    stopped = backend.train(
        data / "sft.jsonl",
        method="sft",
        output_dir=tmp_path / "run",
        on_progress=lambda p: seen.append(p.step),
        should_stop=lambda: len(seen) >= 2,
    )
    assert stopped.stopped and stopped.steps == 2 and seen == [1, 2]
    assert stopped.checkpoint_dir is not None and stopped.checkpoint_dir.is_dir()
    assert (tmp_path / "run" / "adapter_model.safetensors").is_file()  # usable meanwhile
    resumed = backend.train(
        data / "sft.jsonl",
        method="sft",
        output_dir=tmp_path / "run",
        on_progress=lambda p: seen.append(p.step),
        resume_from=stopped.checkpoint_dir,
    )
    assert seen == [1, 2, 3, 4, 5, 6]  # continued from step 3, not from 1
    assert resumed.steps == 6 and not resumed.stopped
    with pytest.raises(ConfigError, match="is not a training checkpoint"):
        backend.train(
            data / "sft.jsonl", method="sft", output_dir=tmp_path / "x", resume_from=tmp_path
        )


# --------------------------------------------------------------------------- bad datasets


def _row(**keys: Any) -> str:
    return json.dumps(keys)


PROMPT = [{"role": "user", "content": "hi"}]
ANSWER = [{"role": "assistant", "content": "tea"}]
BAD = [
    ("sft", b"", r"empty dataset"),
    ("sft", b"\n  \n", r"empty dataset"),
    ("sft", (_row(prompt=PROMPT, completion=ANSWER) + "\n{oops\n").encode(), r"line 2: not JSON"),
    ("sft", b"\xff\xfe not utf-8", r"cannot be read"),
    ("sft", _row(prompt=PROMPT, completion=[{"role": "assistant", "content": " "}]).encode(),
     r"line 1: no assistant tokens in 'completion'"),
    ("sft", _row(prompt=PROMPT, completion=[{"role": "user", "content": "x"}]).encode(),
     r"line 1: no assistant tokens"),
    ("sft", _row(messages=[*PROMPT]).encode(), r"line 1: no assistant tokens"),
    ("sft", _row(prompt=PROMPT, chosen=ANSWER, rejected=ANSWER).encode(),
     r"line 1: a DPO sample \(chosen/rejected\) given to method 'sft'; export it with format 'trl-sft'"),
    ("dpo", _row(prompt=PROMPT, completion=ANSWER).encode(),
     r"line 1: a SFT sample .* given to method 'dpo'"),
    ("dpo", _row(prompt=PROMPT, chosen=ANSWER).encode(),
     r"line 1: method 'dpo' needs prompt/chosen/rejected; missing rejected"),
    ("kto", _row(prompt=PROMPT, completion=ANSWER, label="yes").encode(),
     r"line 1: 'label' must be true or false"),
    ("sft", b"[1, 2]", r"line 1: a sample is a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "content", "expected"), BAD)
def test_a_bad_dataset_is_one_line_before_any_model_loads(
    method: str, content: bytes, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascope_nb.tuner import TrainDataError, _trl_backend

    def no_loading(*_: Any) -> Any:
        raise AssertionError("the model was loaded before the dataset was checked")

    monkeypatch.setattr(_trl_backend, "load_student", no_loading)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(TrainDataError) as info:
        TRLBackend("no-such-model").train(path, method=method, output_dir=tmp_path / "o")  # type: ignore[arg-type]
    line = str(info.value)
    assert "\n" not in line and line.startswith(str(path)), line
    assert re.search(expected, line), line
    assert not (tmp_path / "o").exists()  # nothing written


def test_missing_dataset_file_and_unknown_method_are_one_line(tmp_path: Path) -> None:
    from ascope_nb.tuner import TrainDataError

    with pytest.raises(TrainDataError, match=r"nope.jsonl: no such dataset file$"):
        TRLBackend("m").train(tmp_path / "nope.jsonl", method="sft", output_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown method 'ppo'"):
        TRLBackend("m").train(tmp_path / "x.jsonl", method="ppo", output_dir=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="lora_r must be a positive integer, got 0"):
        TRLBackend("m", lora_r=0)


# --------------------------------------------------------------------------- GRPO


def test_group_advantages_normalise_within_each_group() -> None:
    from ascope_nb.tuner import group_advantages

    assert group_advantages([1.0, 0.0, 1.0, 0.0], group_size=2) == [1.0, -1.0, 1.0, -1.0]
    assert group_advantages([3.0, 3.0, 0.0, 2.0], group_size=2) == [0.0, 0.0, -1.0, 1.0]
    spread = group_advantages([0.0, 1.0, 2.0], group_size=3)
    assert spread[1] == 0.0 and spread[0] == -spread[2] and spread[2] == pytest.approx(1.2247, 1e-3)
    with pytest.raises(ValueError, match="do not split into groups of 2"):
        group_advantages([1.0, 2.0, 3.0], group_size=2)


def _tea_tasks(folder: Path, answer: str = "tea") -> Path:
    path = folder / "tasks.jsonl"
    rows = [{"question": "Which drink is hot ?", "answer": answer}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


async def _agent_workflow(task: dict[str, Any], model: Any) -> WorkflowOutput:
    from ascope_nb.agent import ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.message import Msg

    agent = ReActAgent(
        name="Friday", sys_prompt=SYSTEM, model=model, formatter=OpenAIChatFormatter()
    )
    reply = await agent(Msg("user", task["question"], "user"))
    return WorkflowOutput(response=reply.get_text_content() or "")


def _prompt_ids(model: Any, tokenizer: Any) -> list[int]:
    from ascope_nb.tuner import TransformersChatModel

    return TransformersChatModel(model, tokenizer).prompt_ids(
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Which drink is hot ?"}]
    )


def _first_token_logps(model: Any, tokenizer: Any) -> Any:
    import torch

    ids = _prompt_ids(model, tokenizer)
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0, -1]
    return torch.log_softmax(logits, -1)


def _said_rate(model: Any, tokenizer: Any, word: str, *, n: int = 200) -> float:
    """How often ``n`` sampled two-token answers contain ``word`` (the expected reward)."""
    import torch

    ids = _prompt_ids(model, tokenizer)
    torch.manual_seed(1)
    with torch.no_grad():
        out = model.generate(
            input_ids=torch.tensor([ids] * n),
            attention_mask=torch.ones(n, len(ids), dtype=torch.long),
            do_sample=True, top_k=0, max_new_tokens=2, pad_token_id=tokenizer.pad_token_id,
        )  # fmt: skip
    said = (out[:, len(ids) :] == tokenizer.convert_tokens_to_ids(word)).any(dim=1)
    return float(said.float().mean())


def _sometimes_said_word(model: Any, tokenizer: Any) -> str:
    """A plain word the base model starts its answer with now and then (p about 0.05-0.4):
    sampled groups then mix rewarded and unrewarded answers."""
    logps = _first_token_logps(model, tokenizer)
    for index in logps.argsort(descending=True).tolist():
        word = tokenizer.convert_ids_to_tokens(index)
        if word.isalpha() and 0.05 < float(logps[index].exp()) < 0.4:
            return str(word)
    raise AssertionError("no suitable word in the tiny model's first-token distribution")


def test_grpo_runs_agent_rollouts_scored_by_a_metric_and_rewards_what_scored(
    data: Path, tmp_path: Path
) -> None:
    from ascope_nb.tuner import load_adapter, metric_judge
    from ascope_nb.tuner._student import load_student

    base, tokenizer = load_student(data / "base")
    word = _sometimes_said_word(base, tokenizer)
    before = _said_rate(base, tokenizer, word)
    seen: list[TrainProgress] = []
    backend = TRLBackend(
        data / "base", workflow_func=_agent_workflow, judge_func=metric_judge("contains"),
        group_size=8, max_new_tokens=2, max_steps=8, learning_rate=2e-2, temperature=1.0,
    )  # fmt: skip
    result = backend.train(
        _tea_tasks(tmp_path, word),
        method="grpo",
        output_dir=tmp_path / "grpo",
        on_progress=seen.append,
    )
    assert (
        result.method == "grpo"
        and result.steps == 8
        and [p.step for p in seen] == list(range(1, 9))
    )
    rewards = [p.metrics["reward_mean"] for p in seen]
    assert all("reward_mean" in p.metrics and "rollout/contains" in p.metrics for p in seen)
    assert any(0.0 < p.metrics["reward_mean"] < 1.0 for p in seen)  # groups that teach
    assert sum(rewards[-3:]) > sum(rewards[:3]), (word, rewards)
    tuned, _ = load_adapter(tmp_path / "grpo")
    after = _said_rate(tuned, tokenizer, word)
    assert after > before + 0.3, (
        word,
        before,
        after,
        rewards,
    )  # the rewarded answer became likelier


def test_grpo_needs_a_workflow_and_tasks(data: Path, tmp_path: Path) -> None:
    from ascope_nb.tuner import TrainDataError

    with pytest.raises(ConfigError, match=r"method 'grpo' needs TRLBackend\(workflow_func=...\)"):
        TRLBackend(data / "base").train(_tea_tasks(tmp_path), method="grpo", output_dir=tmp_path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(TrainDataError, match="empty.jsonl: empty dataset"):
        TRLBackend(data / "base", workflow_func=_agent_workflow).train(
            empty, method="grpo", output_dir=tmp_path
        )


# --------------------------------------------------------------------------- tune() on the CPU


def test_tune_without_trinity_trains_on_the_cpu(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascope_nb.tuner import metric_judge

    monkeypatch.chdir(tmp_path)
    result = tune(
        workflow_func=_agent_workflow,
        judge_func=metric_judge("contains"),
        train_dataset=DatasetConfig(path=str(_tea_tasks(tmp_path)), total_steps=2),
        model=TunerModelConfig(
            model_path=str(data / "base"), max_model_len=256, max_tokens=3,
            tinker_config=TinkerConfig(rank=4),
        ),
        algorithm=AlgorithmConfig(group_size=2, batch_size=1, learning_rate=1e-2),
        project_name="tiny",
        experiment_name="grpo",
    )  # fmt: skip
    assert result.method == "grpo" and result.steps == 2
    assert result.adapter_dir == Path("checkpoints/tiny/grpo")
    config = json.loads((tmp_path / "checkpoints/tiny/grpo/adapter_config.json").read_text())
    assert config["r"] == 4
    sft = tune(
        workflow_func=_agent_workflow,
        train_dataset=DatasetConfig(path=str(data / "sft.jsonl"), total_steps=2),
        model=TunerModelConfig(model_path=str(data / "base"), max_model_len=256),
        algorithm=AlgorithmConfig(algorithm_type="sft", batch_size=2, learning_rate=1e-2),
        experiment_name="sft",
    )
    assert sft.method == "sft" and sft.steps == 2
    assert (tmp_path / "checkpoints/AgentScope/sft/adapter_model.safetensors").is_file()
    with pytest.raises(ConfigError, match="algorithm_type 'ppo' needs Trinity-RFT"):
        tune(
            workflow_func=_agent_workflow,
            algorithm=AlgorithmConfig(algorithm_type="ppo"),
            model=TunerModelConfig(model_path="m", max_model_len=8),
            train_dataset=DatasetConfig(path="t"),
        )
    with pytest.raises(ConfigError, match=r"needs model=TunerModelConfig\(model_path=...\)"):
        tune(workflow_func=_agent_workflow, train_dataset=DatasetConfig(path="t"))


def test_tune_without_the_train_extra_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ascope_nb.tuner import _tune

    monkeypatch.setattr(_tune, "missing_train_packages", lambda: ["peft", "trl"])
    with pytest.raises(TunerBackendError) as info:
        tune(workflow_func=_agent_workflow, train_dataset=DatasetConfig(path="tasks"))
    line = str(info.value)
    assert "\n" not in line and isinstance(info.value, ImportError)
    assert "Trinity-RFT is not installed" in line
    assert "lacks peft, trl: pip install 'ascope-nb[train]'" in line


# --------------------------------------------------------------------------- GGUF LoRA


def test_the_adapter_becomes_a_gguf_lora_llama_cpp_can_load(data: Path, tmp_path: Path) -> None:
    import gguf

    from ascope_nb.tuner import adapter_to_gguf

    _backend(data, max_steps=1, lora_r=4, lora_alpha=8).train(
        data / "sft.jsonl", method="sft", output_dir=tmp_path / "a"
    )
    path = adapter_to_gguf(tmp_path / "a", arch="qwen2")
    assert path == tmp_path / "a" / "adapter.gguf"
    reader = gguf.GGUFReader(str(path))

    def value(key: str) -> Any:
        return reader.get_field(key).contents()  # type: ignore[union-attr]

    assert value("general.type") == "adapter" and value("general.architecture") == "qwen2"
    assert value("adapter.type") == "lora" and value("adapter.lora.alpha") == 8.0
    shapes = {t.name: tuple(int(n) for n in t.shape) for t in reader.tensors}  # ggml order
    assert len(shapes) == 2 * 7 * 2  # 2 blocks x 7 projections x (a, b)
    # llama.cpp: a is ne=(in, rank), b is ne=(rank, out); q_proj is 32 -> 32, k_proj 32 -> 16
    assert shapes["blk.0.attn_q.weight.lora_a"] == (32, 4)
    assert shapes["blk.0.attn_q.weight.lora_b"] == (4, 32)
    assert shapes["blk.1.attn_k.weight.lora_b"] == (4, 16)
    assert shapes["blk.1.ffn_down.weight.lora_a"] == (64, 4)


def test_a_gguf_lora_for_another_base_model_is_one_line(data: Path, tmp_path: Path) -> None:
    import gguf
    import numpy as np

    from ascope_nb.tuner import adapter_to_gguf

    _backend(data, max_steps=1, lora_r=4).train(
        data / "sft.jsonl", method="sft", output_dir=tmp_path / "a"
    )
    other = tmp_path / "other.gguf"
    writer = gguf.GGUFWriter(str(other), "qwen2")
    writer.add_block_count(2)
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((48, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(ConfigError) as info:
        adapter_to_gguf(tmp_path / "a", base_gguf=other)
    line = str(info.value)
    assert "\n" not in line
    assert re.search(r"LoRA 'blk\.0\.attn_[a-z]+\.weight'", line), line
    with pytest.raises(ConfigError, match="no adapter_config.json"):
        adapter_to_gguf(tmp_path)


def test_local_model_takes_a_gguf_lora_and_names_it(tmp_path: Path) -> None:
    from ascope_nb.model._local import LocalModel

    lora = tmp_path / "v3" / "adapter.gguf"
    lora.parent.mkdir()
    lora.write_bytes(b"GGUF")
    model = LocalModel(size="0.5b", lora=lora)
    assert model.model_name == "qwen2.5-coder-0.5b-instruct+lora-v3"
    assert "lora=" in repr(model)
    with pytest.raises(ConfigError, match="lora '.*missing.gguf' is not a .gguf file"):
        LocalModel(size="0.5b", lora=tmp_path / "missing.gguf")


def test_an_answer_the_chat_template_drops_is_one_line_before_training(
    data: Path, tmp_path: Path
) -> None:
    from ascope_nb.tuner import TrainDataError
    from ascope_nb.tuner._train_data import check_tokens, read_samples
    from tests.support.tiny_lm import build_tokenizer

    tokenizer: Any = build_tokenizer(["hi tea"])
    samples = read_samples(data / "sft.jsonl", method="sft")
    check_tokens(samples, tokenizer, method="sft", where="sft.jsonl")  # the real template: fine
    tokenizer.chat_template = (  # a template that renders no assistant turn at all
        "{%- for m in messages if m.role != 'assistant' -%}<|{{ m.role }}|>{{ m.content }}"
        "{%- endfor -%}"
    )
    with pytest.raises(TrainDataError) as info:
        check_tokens(samples, tokenizer, method="sft", where="sft.jsonl")
    assert str(info.value) == (
        "sft.jsonl: sample 1: no assistant tokens in 'completion' after the chat template "
        "(the answer renders to nothing)"
    )


async def test_the_notebook_job_trains_stops_and_resumes_with_the_real_backend(
    data: Path, tmp_path: Path
) -> None:
    """``ascope_nb.tuner.train``/``resume`` (what ``%tune`` runs) with ``TRLBackend``:
    versions v1 (stopped, a checkpoint) and v2 (resumed to the same total, completed)."""
    from ascope_nb.tuner import load_adapter, prepare, resume, train

    backend = _backend(data, max_steps=4)
    adapters = tmp_path / "adapters"
    job = train(
        prepare(dataset=data / "sft.jsonl"), name="tiny", backend=backend, adapters=adapters
    )
    for _ in range(600):  # the backend runs in a thread; stop once a step is reported
        if job.step >= 1:
            break
        await asyncio.sleep(0.05)
    job.stop()
    first = await job
    assert first is not None and first.status == "stopped", first
    assert 1 <= first.manifest["steps"] < 4 and first.resumable
    second = await resume("tiny", backend=backend, adapters=adapters)
    assert second is not None and second.status == "completed"
    assert second.version == "v2" and second.manifest["parent"] == "v1"
    assert second.manifest["steps"] == 4 and second.adapter_dir is not None
    model, _ = load_adapter(second.adapter_dir)  # the adapter the job kept loads
    assert type(model).__name__ == "PeftModelForCausalLM"


def test_gguf_conversion_finds_the_base_in_the_adapters_manifest(tmp_path: Path) -> None:
    """``adapter_to_gguf(dir)`` with no ``base_gguf``: the manifest's GGUF base is used (the
    tutorial's real path failed with "architecture is unknown" without it)."""
    from ascope_nb.tuner._gguf_lora import _trained_on_gguf
    from ascope_nb.tuner._manifest import write_manifest

    base = tmp_path / "base.gguf"
    base.write_bytes(b"GGUF")
    folder = tmp_path / "adapter"
    folder.mkdir()
    assert _trained_on_gguf(folder) is None  # no manifest
    write_manifest(folder, base_model=str(base), method="sft", dataset_sha256="ab")
    assert _trained_on_gguf(folder) == base
    write_manifest(
        folder, base_model=str(tmp_path / "gone.gguf"), method="sft", dataset_sha256="ab"
    )
    assert _trained_on_gguf(folder) is None  # named but missing: fall back to arch=


# a template that writes tool-call arguments as Qwen's does (``arguments | tojson``)
_TOJSON_TEMPLATE = (
    "{%- for m in messages -%}<|{{ m.role }}|>{{ m.content or '' }}"
    "{%- for tc in m.tool_calls or [] %} <tool_call>"
    '{"name": "{{ tc.function.name }}", "arguments": {{ tc.function.arguments | tojson }}}'
    "</tool_call>{%- endfor -%}<|end|>{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


def test_tool_call_arguments_are_trained_as_the_object_the_model_writes(
    data: Path, tmp_path: Path
) -> None:
    """Exports keep OpenAI's arguments *string*; the model writes (and the server renders) an
    object. The trainer must see the object, not a quoted, escaped string."""
    from ascope_nb.tuner._chat_text import rendered_row
    from ascope_nb.tuner._student import load_student
    from ascope_nb.tuner._train_data import read_samples
    from tests.support.tiny_lm import build_tokenizer

    samples = read_samples(data / "demo-trl-sft.jsonl", method="sft")
    calls = [s for s in samples if any(m.get("tool_calls") for m in s["completion"])]
    assert calls, "the demo runs have a tool call"
    first = calls[0]["completion"][0]["tool_calls"][0]["function"]
    assert isinstance(first["arguments"], str)  # the export's (OpenAI) convention
    probe = build_tokenizer([""])
    probe.chat_template = _TOJSON_TEMPLATE  # type: ignore[attr-defined]
    rendered = rendered_row(calls[0], probe, keys=("completion",))
    call_json = rendered["completion"].split("<tool_call>")[1].split("</tool_call>")[0]
    assert json.loads(call_json)["arguments"] == json.loads(first["arguments"])
    assert calls[0]["completion"][0]["tool_calls"][0]["function"] is first  # row not changed
    assert isinstance(first["arguments"], str)

    texts = _texts(data / "demo-trl-sft.jsonl") + [rendered["prompt"], rendered["completion"]]
    texts += [first["arguments"], json.dumps(first["arguments"])]  # both forms are known words
    tokenizer: Any = build_tokenizer(texts)
    tokenizer.chat_template = _TOJSON_TEMPLATE
    model, _ = load_student(data / "base")
    trainer, _watch = _backend(data)._trainer(
        "sft", calls[:1], model, tokenizer, tmp_path, None, None
    )
    trained = trainer.train_dataset[0]["input_ids"]
    expected = tokenizer(rendered["prompt"] + rendered["completion"], add_special_tokens=False)
    assert trained == expected["input_ids"]
