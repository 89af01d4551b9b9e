"""Check the tuner's Trinity-RFT hand-over against Trinity-RFT's real classes, without a GPU.

CI has no Trinity-RFT (it needs verl, Ray and a GPU). Its config, task and workflow-registry
classes import with only ``omegaconf`` and ``ray`` beside them, so this script unpacks the
wheel without dependencies and checks: ``_trinity_config`` fills Trinity's ``Config`` fields;
Trinity's registry loads our adapter by its dotted path; the adapter runs a ``ReActAgent``
rollout, judged, on a fake OpenAI server, through a stand-in for Trinity's vLLM model wrapper
(the only part that needs a GPU). Usage::

    pip download trinity-rft==0.6.0 --no-deps -d /tmp/trinity && cd /tmp/trinity && unzip -q *.whl
    pip install --target /tmp/omega omegaconf
    PYTHONPATH=.:/tmp/trinity:/tmp/omega python scripts/tuner_trinity_check.py
"""

from __future__ import annotations

import asyncio
import types
from typing import Any

import openai

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.testing import FakeOpenAIServer, FakeReply
from ascope_nb.tuner import (
    AlgorithmConfig,
    DatasetConfig,
    JudgeOutput,
    TinkerConfig,
    TunerModelConfig,
    WorkflowOutput,
    trinity_available,
)
from ascope_nb.tuner._trinity import ADAPTER_WORKFLOW, _trinity_config


async def workflow(task: dict[str, Any], model: Any, auxiliary_models: Any) -> WorkflowOutput:
    agent = ReActAgent(name="A", sys_prompt="Answer.", model=model, formatter=OpenAIChatFormatter())
    agent.set_console_output_enabled(False)
    reply = await agent(Msg("user", task["q"], "user"))
    return WorkflowOutput(response=reply.get_text_content(), metrics={"aux": len(auxiliary_models)})


async def judge(task: dict[str, Any], response: Any) -> JudgeOutput:
    return JudgeOutput(reward=float(response == task["a"]))


class StandInWrapper:
    """Trinity's ModelWrapper, as far as the adapter uses it, on an OpenAI-compatible URL."""

    def __init__(self, url: str, name: str | None) -> None:
        self.url = url
        self.config = types.SimpleNamespace(name=name)
        self.generate_kwargs: dict[str, Any] = {}

    def get_openai_async_client(self) -> Any:
        client: Any = openai.AsyncOpenAI(base_url=self.url, api_key="EMPTY")
        client.model_path = "fake-model"
        return client

    def extract_experience_from_history(self) -> list[Any]:
        return [types.SimpleNamespace(reward=None, metrics=None) for _ in range(2)]


def check_config() -> None:
    cfg = _trinity_config(
        config_path=None,
        workflow_args={"workflow_func": workflow, "judge_func": judge},
        model=TunerModelConfig(
            model_path="/m", max_model_len=4096, max_tokens=512, tinker_config=TinkerConfig(rank=8)
        ),
        auxiliary_models={"judge": TunerModelConfig(model_path="/j", max_model_len=2048)},
        train_dataset=DatasetConfig(path="/data", total_steps=5),
        eval_dataset=DatasetConfig(path="/eval", split="test"),
        algorithm=AlgorithmConfig(group_size=4, batch_size=2, learning_rate=1e-5),
        project_name="P",
        experiment_name=None,
        monitor_type="wandb",
    )
    tasks = cfg.buffer.explorer_input
    assert (cfg.project, cfg.monitor.monitor_type) == ("P", "wandb")
    assert cfg.name.startswith("Experiment-")
    assert (tasks.taskset.path, tasks.taskset.default_workflow_type) == ("/data", ADAPTER_WORKFLOW)
    assert sorted(tasks.taskset.workflow_args) == ["judge_func", "workflow_func"]
    assert [(t.path, t.split) for t in tasks.eval_tasksets] == [("/eval", "test")]
    assert sorted(tasks.eval_tasksets[0].workflow_args) == ["judge_func", "workflow_func"]
    assert (cfg.buffer.total_steps, cfg.buffer.batch_size) == (5, 2)
    assert (cfg.algorithm.repeat_times, cfg.algorithm.optimizer.lr) == (4, 1e-5)
    assert (cfg.model.model_path, cfg.model.max_response_tokens) == ("/m", 512)
    assert cfg.model.tinker.enable and cfg.model.tinker.rank == 8
    assert cfg.explorer.rollout_model.enable_history
    assert [(m.name, m.model_path) for m in cfg.explorer.auxiliary_models] == [("judge", "/j")]
    print("config: ok")


def check_adapter() -> None:
    from trinity.common.config import GenerationConfig
    from trinity.common.workflows import WORKFLOWS
    from trinity.common.workflows.workflow import Task

    adapter = WORKFLOWS.get(ADAPTER_WORKFLOW)
    with FakeOpenAIServer(replies=[FakeReply(text="4")]) as server:
        task = Task(
            workflow=adapter,
            rollout_args=GenerationConfig(temperature=0.7, top_p=0.9, logprobs=2),
            workflow_args={"workflow_func": workflow, "judge_func": judge},
            raw_task={"q": "2+2", "a": "4"},
        )
        runner = task.to_workflow(
            StandInWrapper(server.base_url, None), [StandInWrapper(server.base_url, "judge")]
        )
        experiences = asyncio.run(runner.run_async())
        body = server.requests[0]
    assert [(e.reward, e.metrics) for e in experiences] == [(1.0, None), (1.0, {"aux": 1.0})]
    assert (body["temperature"], body["top_p"], body["top_logprobs"]) == (0.7, 0.9, 2)
    print("adapter: ok")


if __name__ == "__main__":
    assert trinity_available(), "put Trinity-RFT's unpacked wheel on PYTHONPATH (see the docstring)"
    check_config()
    check_adapter()
