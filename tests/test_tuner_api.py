"""ascope_nb.tuner: AgentScope 1.x's tuner API, its checks and its one-line errors."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.exceptions import ConfigError
from ascope_nb.tuner import (
    AlgorithmConfig,
    DatasetConfig,
    JudgeOutput,
    TinkerConfig,
    TunerBackendError,
    TunerModelConfig,
    WorkflowOutput,
    check_judge_function,
    check_workflow_function,
    trinity_available,
    tune,
)

TUNER = Path(__file__).resolve().parent.parent / "ascope_nb" / "tuner"


async def good_workflow(task: dict[str, Any], model: Any) -> WorkflowOutput:
    return WorkflowOutput(reward=1.0)


async def full_workflow(task: dict, model: Any, auxiliary_models: Any = None, logger: Any = None):
    return WorkflowOutput(response=task)


async def good_judge(task: dict, response: Any) -> JudgeOutput:
    return JudgeOutput(reward=0.5)


def _one_line(err: BaseException) -> str:
    text = str(err)
    assert "\n" not in text, text
    return text


# -- signature checks ---------------------------------------------------------------------------


def test_valid_signatures_pass_in_any_order_and_with_defaults() -> None:
    async def reordered(logger, model, task): ...  # noqa: ANN001, ANN202

    for func in (good_workflow, full_workflow, reordered):
        check_workflow_function(func)

    async def judge_all(task, response, auxiliary_models=None, logger=None): ...  # noqa: ANN001, ANN202

    check_judge_function(good_judge)
    check_judge_function(judge_all)


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("async def wf(task): ...", "lacks parameter 'model'"),
        ("async def wf(model): ...", "lacks parameter 'task'"),
        ("async def wf(task, model, aux_model): ...", "parameter 'aux_model' that is not allowed"),
        ("async def wf(task, model, *rest): ...", "'*rest'"),
        ("async def wf(task, model, **options): ...", "'**options'"),
        ("async def wf(task, response): ...", "parameter 'response' that is not allowed"),
    ],
)
def test_bad_workflow_is_one_line_naming_function_and_parameter(source: str, bad: str) -> None:
    scope: dict[str, Any] = {}
    exec(source, scope)  # noqa: S102 - builds a function with the signature under test
    with pytest.raises(ConfigError) as info:
        check_workflow_function(scope["wf"])
    line = _one_line(info.value)
    assert line.startswith("workflow function 'wf' ")
    assert bad in line
    assert isinstance(info.value, ValueError)  # AgentScope raises ValueError


def test_bad_judge_names_the_judge_and_its_parameter() -> None:
    async def grade(wrong_name, response): ...  # noqa: ANN001, ANN202

    with pytest.raises(ValueError, match=r"^judge function '.*grade' has parameter 'wrong_name'"):
        check_judge_function(grade)

    async def grade_response_only(response): ...  # noqa: ANN001, ANN202

    with pytest.raises(ValueError, match="lacks parameter 'task'") as info:
        check_judge_function(grade_response_only)
    _one_line(info.value)
    # a workflow signature is not a judge signature
    with pytest.raises(ValueError, match="'model' that is not allowed"):
        check_judge_function(good_workflow)


def test_not_callable_is_one_line() -> None:
    with pytest.raises(ConfigError, match="^workflow function must be callable, got int$"):
        check_workflow_function(3)  # type: ignore[arg-type]


# -- typed configs and outputs ------------------------------------------------------------------


def test_configs_keep_agentscope_defaults_and_trinity_keys() -> None:
    model = TunerModelConfig(model_path="m", max_model_len=2048, inference_engine_num=2)
    assert model.get_config() == {
        "model_path": "m",
        "max_model_len": 2048,
        "tensor_parallel_size": 1,
        "engine_num": 2,
        "tool_call_parser": "hermes",
        "reasoning_parser": "deepseek_r1",
        "enable_openai_api": True,
        "enable_auto_tool_choice": True,
    }
    assert (model.temperature, model.top_p, model.max_tokens) == (1.0, 1.0, 8192)
    assert TinkerConfig(seed=3).get_config()["seed"] == 3
    algo = AlgorithmConfig()
    assert (algo.algorithm_type, algo.learning_rate, algo.group_size, algo.batch_size) == (
        "multi_step_grpo",
        1e-6,
        8,
        32,
    )
    data = DatasetConfig(path="d")
    assert (data.name, data.split, data.total_epochs, data.total_steps) == (None, "train", 1, None)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: AlgorithmConfig(group_size=0), "AlgorithmConfig.group_size: "),
        (lambda: AlgorithmConfig(learning_rate=-1), "AlgorithmConfig.learning_rate: "),
        (
            lambda: TunerModelConfig(model_path="m"),
            "TunerModelConfig.max_model_len: Field required",
        ),
        (lambda: TunerModelConfig(model_path="m", max_model_len="lots"), "(got 'lots')"),
        (lambda: DatasetConfig(path="d", total_steps=0), "DatasetConfig.total_steps: "),
        (lambda: JudgeOutput(metrics={"acc": 1.0}), "JudgeOutput.reward: Field required"),
        (lambda: WorkflowOutput(metrics={"acc": "high"}), "WorkflowOutput.metrics.acc: "),
    ],
)
def test_bad_field_is_one_config_error_line(build: Any, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        build()
    assert expected in _one_line(info.value)


def test_outputs_round_trip_through_json() -> None:
    out = WorkflowOutput(response={"answer": "4"}, metrics={"turns": 2})
    assert WorkflowOutput.model_validate_json(out.model_dump_json()) == out
    assert JudgeOutput(reward=1).model_dump() == {"reward": 1.0, "metrics": None}


# -- DatasetConfig.preview on a real local dataset ----------------------------------------------


def _write_rows(folder: Path, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (folder / "train.jsonl").write_text(lines, encoding="utf-8")


def test_preview_reads_rows_and_sees_changes_between_runs(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("datasets", reason="extra hf")
    folder = tmp_path / "tasks"
    _write_rows(folder, [{"q": "1+1", "a": "2"}, {"q": "2+2", "a": "4"}, {"q": "3+3", "a": "6"}])
    config = DatasetConfig(path=str(folder))
    assert config.preview(n=2) == [{"q": "1+1", "a": "2"}, {"q": "2+2", "a": "4"}]
    assert json.loads(capsys.readouterr().out)[1]["a"] == "4"
    _write_rows(folder, [{"q": "9+9", "a": "18"}])
    assert config.preview(n=5) == [{"q": "9+9", "a": "18"}]


def test_preview_of_missing_path_or_split_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("datasets", reason="extra hf")
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as info:
        DatasetConfig(path=str(missing)).preview()
    assert repr(str(missing)) in _one_line(info.value)
    folder = tmp_path / "tasks"
    _write_rows(folder, [{"q": "x"}])
    with pytest.raises(ConfigError) as bad_split:
        DatasetConfig(path=str(folder), split="validation").preview()
    line = _one_line(bad_split.value)
    assert "split 'validation'" in line and repr(str(folder)) in line


# -- tune(): checks first, then the backend -----------------------------------------------------


def test_tune_without_trinity_or_the_train_extra_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ascope_nb.tuner import _tune

    assert not trinity_available()
    monkeypatch.setattr(_tune, "missing_train_packages", lambda: ["peft"])
    with pytest.raises(TunerBackendError) as info:
        tune(workflow_func=good_workflow, train_dataset=DatasetConfig(path="tasks"))
    line = _one_line(info.value)
    assert "Trinity-RFT is not installed" in line
    assert "the CPU backend lacks peft: pip install 'ascope-nb[train]'" in line
    assert isinstance(info.value, ImportError)  # AgentScope raises ImportError


def test_tune_checks_everything_before_looking_for_a_backend(tmp_path: Path) -> None:
    async def bad(task): ...  # noqa: ANN001, ANN202

    with pytest.raises(ConfigError, match="workflow function '.*bad' lacks parameter 'model'"):
        tune(workflow_func=bad)
    with pytest.raises(ConfigError, match="judge function '.*good_workflow' has parameter 'model'"):
        tune(workflow_func=good_workflow, judge_func=good_workflow)
    with pytest.raises(
        ConfigError, match=r"^tune\(\): model must be a TunerModelConfig, got dict$"
    ):
        tune(workflow_func=good_workflow, model={"model_path": "m"})  # type: ignore[arg-type]
    with pytest.raises(
        ConfigError, match=r"auxiliary_models\['judge'\] must be a TunerModelConfig"
    ):
        tune(workflow_func=good_workflow, auxiliary_models={"judge": "qwen"})  # type: ignore[dict-item]
    missing = tmp_path / "trinity.yaml"
    with pytest.raises(ConfigError, match="config_path .*trinity.yaml' is not a file"):
        tune(workflow_func=good_workflow, config_path=str(missing))


def test_another_package_named_trinity_is_not_trinity_rft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "trinity").mkdir()
    (tmp_path / "trinity" / "__init__.py").write_text("ETHEREUM = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "trinity", raising=False)
    try:
        assert not trinity_available()
        # not Trinity: the job goes to the CPU backend, which asks for the model to train
        with pytest.raises(ConfigError, match="the CPU backend needs model=TunerModelConfig"):
            tune(workflow_func=good_workflow)
    finally:
        sys.modules.pop("trinity", None)


# -- layering: the tuner never imports the notebook layer (DESIGN.md §9) ------------------------


def _absolute_imports(path: Path) -> list[str]:
    parts = path.relative_to(TUNER.parent.parent).with_suffix("").parts
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = list(parts[: len(parts) - node.level]) if node.level else []
            found.append(".".join([*base, *([node.module] if node.module else [])]))
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_tuner_never_imports_notebook_or_views() -> None:
    imports = {p.name: _absolute_imports(p) for p in TUNER.glob("*.py")}
    assert "ascope_nb.exceptions" in imports["_tune.py"]  # the scan resolves relative imports
    upward = {
        name: [m for m in found if m.startswith(("ascope_nb.notebook", "ascope_nb.views"))]
        for name, found in imports.items()
    }
    assert all(not hits for hits in upward.values()), upward


def test_import_is_light() -> None:
    code = (
        "import sys, ascope_nb.tuner; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('datasets', 'torch', 'trl', 'trinity', 'yaml') or m.startswith('ascope_nb.notebook')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
