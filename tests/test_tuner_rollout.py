"""One rollout as every tuner backend runs it: a real ReActAgent on a scripted model, judged."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import Any

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, ToolResponse
from ascope_nb.tuner import JudgeOutput, WorkflowOutput, check_workflow_function
from ascope_nb.tuner._rollout import run_rollout
from ascope_nb.tuner._trinity import ADAPTER_WORKFLOW

PKG = Path(__file__).resolve().parent.parent


def add(a: int, b: int) -> ToolResponse:
    """Add two integers.

    Args:
        a: first
        b: second
    """
    from ascope_nb.message import TextBlock

    return ToolResponse(content=[TextBlock(type="text", text=str(a + b))])


async def math_workflow(task: dict[str, Any], model: Any, logger: Any) -> WorkflowOutput:
    toolkit = Toolkit()
    toolkit.register_tool_function(add)
    agent = ReActAgent(
        name="Solver",
        sys_prompt="Solve it.",
        model=model,
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    reply = await agent(Msg("user", task["question"], "user"))
    logger.info("answered %s", task["question"])
    return WorkflowOutput(response=reply.get_text_content(), metrics={"calls": 1})


seen: dict[str, Any] = {}


async def exact_judge(task: dict[str, Any], response: Any, auxiliary_models: Any) -> JudgeOutput:
    seen["auxiliary_models"] = auxiliary_models
    return JudgeOutput(reward=float(response.strip() == task["answer"]), metrics={"exact": 1.0})


@pytest.mark.parametrize(("final", "reward"), [("4", 1.0), ("5", 0.0)])
async def test_agent_rollout_is_judged(final: str, reward: float, caplog: Any) -> None:
    model = ScriptedModel([[tool_call("add", a=2, b=2)], final])
    helper = ScriptedModel(["unused"])
    log = logging.getLogger("tuner-test")
    with caplog.at_level(logging.INFO, logger="tuner-test"):
        got, metrics, output = await run_rollout(
            {"question": "2+2?", "answer": "4"},
            workflow_func=math_workflow,
            judge_func=exact_judge,
            model=model,
            auxiliary_models={"judge": helper},
            logger=log,
        )
    assert (got, metrics, output.response) == (reward, {"calls": 1.0, "exact": 1.0}, final)
    assert seen["auxiliary_models"] == {"judge": helper}  # declared by the judge: passed
    assert "answered 2+2?" in caplog.text  # logger declared by the workflow: passed
    assert len(model.calls) == 2  # the tool round and the answer


async def test_workflow_reward_is_used_without_judge_and_undeclared_extras_are_not_passed() -> None:
    async def scored(task, model):  # noqa: ANN001, ANN202
        return WorkflowOutput(reward=task["r"])

    got, metrics, _ = await run_rollout(
        {"r": 0.25}, workflow_func=scored, model=None, auxiliary_models={"x": 1}, logger=object()
    )
    assert (got, metrics) == (0.25, {})


async def test_no_reward_and_wrong_return_types_are_one_line() -> None:
    async def unscored(task, model):  # noqa: ANN001, ANN202
        return WorkflowOutput(response="hi")

    async def returns_dict(task, model):  # noqa: ANN001, ANN202
        return {"reward": 1.0}

    async def judge_returns_float(task, response):  # noqa: ANN001, ANN202
        return 1.0

    cases = [
        (
            dict(workflow_func=unscored),
            "'.*unscored' returned no reward and there is no judge_func",
        ),
        (dict(workflow_func=returns_dict), "'.*returns_dict' returned dict, not WorkflowOutput"),
        (
            dict(workflow_func=unscored, judge_func=judge_returns_float),
            "'.*judge_returns_float' returned float, not JudgeOutput",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(ConfigError, match=message) as info:
            await run_rollout({}, model=None, **kwargs)
        assert "\n" not in str(info.value)


async def test_a_failing_workflow_raises_its_own_error() -> None:
    async def broken(task, model):  # noqa: ANN001, ANN202
        raise RuntimeError(f"task {task['id']} broke")

    with pytest.raises(RuntimeError, match="task 7 broke"):
        await run_rollout({"id": 7}, workflow_func=broken, model=None)


def test_positional_only_parameters_are_refused() -> None:
    async def positional(task, model, /): ...  # noqa: ANN001, ANN202

    with pytest.raises(ConfigError, match="parameter 'task' is positional-only"):
        check_workflow_function(positional)


def test_trinity_is_pointed_at_our_adapter_class() -> None:
    module, _, cls = ADAPTER_WORKFLOW.rpartition(".")
    source = PKG / (module.replace(".", "/") + ".py")
    tree = ast.parse(source.read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    assert cls in classes
    methods = {node.name for node in classes[cls].body if isinstance(node, ast.AsyncFunctionDef)}
    assert "run_async" in methods
