"""The Trinity-RFT workflow that runs an ascope_nb workflow function (GPU hand-over).

Trinity-RFT loads this class by its dotted path (``default_workflow_type``) inside its
explorer processes; nothing else imports it, so ``trinity`` is imported at the top. The model
handed to the workflow function is an ascope_nb ``OpenAIChatModel`` on Trinity's recording
client: the calls the agent makes become the training experiences.
"""

from __future__ import annotations

from typing import Any

from trinity.common.workflows.workflow import Workflow

from ..model import OpenAIChatModel
from ._rollout import run_rollout


def _chat_model(wrapper: Any, generate_kwargs: dict[str, Any]) -> OpenAIChatModel:
    client = wrapper.get_openai_async_client()
    model = OpenAIChatModel(
        client.model_path,
        api_key="EMPTY",
        stream=False,
        client_kwargs={"base_url": str(client.base_url)},
        generate_kwargs=generate_kwargs,
    )
    model.client = client  # Trinity's client records the history that becomes experiences
    return model


class AscopeNbWorkflow(Workflow):
    """Run ``workflow_args["workflow_func"]`` (and ``judge_func``) on one Trinity task."""

    is_async = True

    def __init__(self, *, task: Any, model: Any, auxiliary_models: Any = None) -> None:
        super().__init__(task=task, model=model, auxiliary_models=auxiliary_models)
        args = task.workflow_args
        self.workflow_func = args.get("workflow_func")
        self.judge_func = args.get("judge_func")
        if self.workflow_func is None:
            raise ValueError(
                "Trinity task has no workflow_func in workflow_args (use ascope_nb.tuner.tune)"
            )
        rollout = task.rollout_args
        self.chat_model = _chat_model(
            model,
            {
                "temperature": rollout.temperature,
                "top_p": rollout.top_p,
                "max_tokens": rollout.max_tokens or 4096,
                "logprobs": True,
                "top_logprobs": rollout.logprobs,
            },
        )
        self.helper_models = {
            wrapper.config.name: _chat_model(wrapper, dict(wrapper.generate_kwargs or {}))
            for wrapper in (self.auxiliary_model_wrappers or [])
        }

    async def run_async(self) -> list[Any]:
        reward, metrics, _ = await run_rollout(
            self.task.raw_task,
            workflow_func=self.workflow_func,
            judge_func=self.judge_func,
            model=self.chat_model,
            auxiliary_models=self.helper_models,
            logger=self.logger,
        )
        experiences = self.model.extract_experience_from_history()
        for experience in experiences:
            experience.reward = reward
        if experiences:
            experiences[-1].metrics = metrics
        return list(experiences)
