"""Trinity-RFT datasets (JSONL) in the keys its formatters read by default.

Trinity-RFT's ``FormatConfig`` defaults (``trinity/common/config.py``): ``prompt_type:
messages``, ``messages_key: "message"``, ``tools_key: "tools"``, ``chosen_key: "chosen"``,
``rejected_key: "rejected"``. Its ``SFTFormatter`` tokenises ``sample["message"]`` and trains
on the last message; its ``DPOFormatter`` reads ``sample["message"]`` as the prompt and
``sample["chosen"]`` / ``sample["rejected"]`` as the responses only (it adds the prompt
itself). So:

- mode ``"sft"`` (alias ``"experiences"``): one row per model call that is a training target:
  ``{"message": prompt + [answer], "tools": "<JSON>", "reward", "info", "metrics"}``;
  ``reward`` is ``reward_fn(record)``, default the latest run-level feedback score, else
  ``up`` / ``down`` for a thumb, else None; ``require_reward`` skips runs without one;
- mode ``"dpo"``: one row per preference pair: ``{"message": prompt, "chosen": [answer],
  "rejected": [answer], "tools", "reward", "info", "metrics"}``.

``tools`` is a JSON string (Trinity-RFT parses it and warns about lists, which ``datasets``
aligns with nulls). Messages have fixed keys and JSON-string arguments (see ``trl``).
``messages_key=`` writes another key for a config that sets ``messages_key``.

Example:
    >>> list(iter_trinity([]))
    []
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from ..exceptions import ConfigError
from ._calls import model_calls, output_message
from ._chat import stable_messages, tools_json
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


def _reward(record: RunRecord, reward_fn: RewardFn | None, up: float, down: float) -> float | None:
    return reward_fn(record) if reward_fn is not None else record.reward(up=up, down=down)


def trinity_sft_rows(
    record: RunRecord,
    *,
    reward: float | None = None,
    messages_key: str = "message",
) -> Iterator[dict[str, Any]]:
    """One SFT row per model call of ``record`` that is a training target."""
    info, metrics, tools = _info(record), _metrics(record), tools_json(record.tools)
    for call in model_calls(record):
        if not call.kept or not call.prompt:
            continue
        yield {
            messages_key: stable_messages([*call.prompt, output_message(call.output)]),
            "tools": tools,
            "reward": reward,
            "info": {**info, "step": call.step, "pair_kinds": []},
            "metrics": metrics,
        }


def trinity_dpo_rows(
    record: RunRecord, *, messages_key: str = "message"
) -> Iterator[dict[str, Any]]:
    """One DPO row per preference pair of ``record`` (responses only in chosen / rejected)."""
    info, metrics, tools = _info(record), _metrics(record), tools_json(record.tools)
    for pair in preference_pairs(record):
        if not pair.prompt:
            continue
        yield {
            messages_key: stable_messages(pair.prompt),
            "chosen": stable_messages([output_message(pair.chosen)]),
            "rejected": stable_messages([output_message(pair.rejected)]),
            "tools": tools,
            "reward": None,
            "info": {**info, "step": pair.step, "pair_kinds": list(pair.kinds)},
            "metrics": metrics,
        }


def iter_trinity(
    runs: Iterable[RunRecord],
    *,
    mode: Literal["sft", "dpo", "experiences"] = "sft",
    reward_fn: RewardFn | None = None,
    require_reward: bool = False,
    up: float = 1.0,
    down: float = 0.0,
    messages_key: str = "message",
) -> Iterator[dict[str, Any]]:
    """The rows of ``runs``; ``require_reward`` skips runs without a reward (mode sft)."""
    if mode not in ("sft", "dpo", "experiences"):
        raise ConfigError(f"trinity mode must be 'sft' or 'dpo', got {mode!r}")
    for record in runs:
        if mode == "dpo":
            yield from trinity_dpo_rows(record, messages_key=messages_key)
            continue
        reward = _reward(record, reward_fn, up, down)
        if reward is None and require_reward:
            continue
        yield from trinity_sft_rows(record, reward=reward, messages_key=messages_key)


def export_trinity(
    source: Any,
    path: str | os.PathLike[str],
    *,
    mode: Literal["sft", "dpo", "experiences"] = "sft",
    reward_fn: RewardFn | None = None,
    require_reward: bool = False,
    up: float = 1.0,
    down: float = 0.0,
    messages_key: str = "message",
    **filters: Any,
) -> ExportResult:
    """Write Trinity-RFT SFT or DPO JSONL to ``path`` (filters as in ``load_runs``)."""
    if mode not in ("sft", "dpo", "experiences"):
        raise ConfigError(f"trinity mode must be 'sft' or 'dpo', got {mode!r}")
    runs = RunCounter(iter_runs(source, **filters))
    rows = iter_trinity(
        runs,
        mode=mode,
        reward_fn=reward_fn,
        require_reward=require_reward,
        up=up,
        down=down,
        messages_key=messages_key,
    )
    return ExportResult("trinity", str(path), write_jsonl(rows, path), runs.count)


__all__ = ["trinity_sft_rows", "trinity_dpo_rows", "iter_trinity", "export_trinity"]
