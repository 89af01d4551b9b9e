"""Trinity-RFT experiences (JSONL), with rewards from feedback, for offline / agentic RL.

Trinity-RFT's ``Experience`` (``trinity/common/experience.py``) holds ``eid`` (batch, task,
run, step, suffix), ``tokens``, ``prompt_length``, ``logprobs``, ``reward``, ``advantages``,
``returns``, ``info``, ``metrics``, ``messages``, ``tools``, and for DPO
``chosen_messages`` / ``rejected_messages`` (prompt included). A stored run has no token
ids, so one line is the message form of ``Experience.to_dict()``:

==================  =====================================================================
Trinity field       from the run
==================  =====================================================================
``eid``             ``{"batch": 0, "task": <run index>, "run": 0, "step": 0,
                    "suffix": run_id}``
``type``            ``"multi_turn"`` (mode ``"experiences"``) or ``"dpo"`` (mode ``"dpo"``)
``messages``        OpenAI chat messages (system prompt first; arguments as JSON strings)
``tools``           the agent's tool JSON schemas
``reward``          ``reward_fn(record)``, default: the latest run-level feedback score, else
                    ``up`` / ``down`` for a thumb, else ``None``
``info``            run_id, agent, model, status, feedback label / comment, pair kinds
``metrics``         steps, tool_calls, tool_errors, denied, edited, hints
``chosen_messages`` / ``rejected_messages``: prompt + chosen / rejected action (DPO)
``tokens``, ``prompt_length``, ``logprobs``, ``action_mask``: not written (tokenize with
                    the policy's chat template when loading)
==================  =====================================================================

Example:
    >>> from ascope_nb.export._record import FeedbackRecord, RunRecord
    >>> rec = RunRecord(run_id="r1", messages=[{"id": "a", "role": "assistant", "content": "Hi"}],
    ...                 feedback=[FeedbackRecord(score=None, label="up")])
    >>> trinity_experience(rec, task=0)["reward"]
    1.0
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from ._chat import chat_messages, system_head
from ._pairs import preference_pairs
from ._record import RunRecord
from ._scrub import scrub
from ._select import iter_runs
from ._write import ExportResult, RunCounter, write_jsonl

RewardFn = Callable[[RunRecord], "float | None"]


def _metrics(record: RunRecord) -> dict[str, float]:
    calls = list(record.tool_calls.values())
    steps = {(record.msg_replies.get(k, ""), v) for k, v in record.msg_steps.items()}
    return {
        "steps": float(len(steps)),
        "tool_calls": float(len(calls)),
        "tool_errors": float(sum(c.state == "error" for c in calls)),
        "denied": float(sum(c.decision == "denied" for c in calls)),
        "edited": float(sum(c.decision == "edited" for c in calls)),
        "hints": float(len(record.hints)),
    }


def _info(record: RunRecord) -> dict[str, Any]:
    item = record.run_feedback
    return scrub(
        {
            "run_id": record.run_id,
            "agent": record.agent,
            "model": record.model,
            "status": record.status,
            "feedback_label": item.label if item else None,
            "feedback_comment": item.comment if item else None,
        }
    )


def _eid(record: RunRecord, task: int, step: int = 0) -> dict[str, Any]:
    return {"batch": 0, "task": task, "run": 0, "step": step, "suffix": record.run_id}


def trinity_experience(
    record: RunRecord,
    *,
    task: int,
    reward_fn: RewardFn | None = None,
    up: float = 1.0,
    down: float = 0.0,
) -> dict[str, Any]:
    """The multi-turn experience of one run."""
    reward = reward_fn(record) if reward_fn is not None else record.reward(up=up, down=down)
    return {
        "eid": _eid(record, task),
        "type": "multi_turn",
        "messages": [*system_head(record.sys_prompt), *chat_messages(record.messages, args="json")],
        "tools": record.tools,
        "reward": reward,
        "info": _info(record),
        "metrics": _metrics(record),
    }


def trinity_dpo_experiences(record: RunRecord, *, task: int) -> Iterator[dict[str, Any]]:
    """One DPO experience per steering correction of the run."""
    for step, pair in enumerate(preference_pairs(record)):
        prompt = [*system_head(pair.sys_prompt), *chat_messages(pair.prompt, args="json")]
        yield {
            "eid": _eid(record, task, step),
            "type": "dpo",
            "messages": prompt,
            "tools": record.tools,
            "chosen_messages": [*prompt, *chat_messages([pair.chosen], args="json")],
            "rejected_messages": [*prompt, *chat_messages([pair.rejected], args="json")],
            "reward": None,
            "info": {**_info(record), "pair_kinds": list(pair.kinds), "pair_step": pair.step},
            "metrics": {},
        }


def iter_trinity(
    runs: Iterable[RunRecord],
    *,
    mode: Literal["experiences", "dpo"] = "experiences",
    reward_fn: RewardFn | None = None,
    require_reward: bool = False,
    up: float = 1.0,
    down: float = 0.0,
) -> Iterator[dict[str, Any]]:
    """Experiences of ``runs``; ``require_reward`` skips runs without a reward."""
    for task, record in enumerate(runs):
        if mode == "dpo":
            yield from trinity_dpo_experiences(record, task=task)
            continue
        exp = trinity_experience(record, task=task, reward_fn=reward_fn, up=up, down=down)
        if exp["reward"] is None and require_reward:
            continue
        yield exp


def export_trinity(
    source: Any,
    path: str | os.PathLike[str],
    *,
    mode: Literal["experiences", "dpo"] = "experiences",
    reward_fn: RewardFn | None = None,
    require_reward: bool = False,
    up: float = 1.0,
    down: float = 0.0,
    **filters: Any,
) -> ExportResult:
    """Write Trinity-RFT experiences JSONL to ``path`` (filters as in ``load_runs``)."""
    runs = RunCounter(iter_runs(source, **filters))
    rows = iter_trinity(
        runs, mode=mode, reward_fn=reward_fn, require_reward=require_reward, up=up, down=down
    )
    return ExportResult("trinity", str(path), write_jsonl(rows, path), runs.count)


__all__ = ["trinity_experience", "trinity_dpo_experiences", "iter_trinity", "export_trinity"]
