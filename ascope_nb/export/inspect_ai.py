"""inspect_ai eval logs: one sample per run with its messages, tool calls and scores.

Written with inspect_ai's own API (``EvalLog``, ``EvalSpec``, ``EvalSample`` and
``write_eval_log``), so ``inspect_ai.log.read_eval_log`` and ``inspect view`` open it.
Messages map to ``ChatMessageSystem`` / ``User`` / ``Assistant`` (with ``ToolCall``s) /
``Tool`` (denied results carry an ``approval`` error, failed ones ``unknown``). A run's
feedback becomes the score ``feedback`` (the score value, or 1.0 / 0.0 for a thumb; the
comment is the explanation); ``results`` carries its mean. inspect_ai builds the whole
log in memory before writing (its API has no per-sample append for finished logs).

Example:
    >>> export_inspect(store, "logs/runs.eval", status="completed")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ._chat import msg_text, output_text, tool_results, tool_uses
from ._record import RunRecord
from ._scrub import scrub
from ._select import iter_runs
from ._write import ExportResult, require

SCORE_NAME = "feedback"


def _messages(record: RunRecord, model: Any, tool_mod: Any) -> list[Any]:
    out: list[Any] = []
    if record.sys_prompt:
        out.append(model.ChatMessageSystem(content=record.sys_prompt))
    for msg in record.messages:
        msg_id = str(msg.get("id"))
        results = tool_results(msg)
        if results:
            for n, block in enumerate(results):
                call = record.tool_calls.get(str(block.get("id")))
                error = None
                if call is not None and call.state in ("denied", "error", "interrupted"):
                    kind = {"denied": "approval", "interrupted": "cancelled"}.get(
                        call.state, "unknown"
                    )
                    error = tool_mod.ToolCallError(kind, output_text(block.get("output")))
                out.append(
                    model.ChatMessageTool(
                        id=f"{msg_id}:{n}",
                        content=output_text(block.get("output")),
                        tool_call_id=block.get("id", ""),
                        function=block.get("name", ""),
                        error=error,
                    )
                )
            continue
        role = msg.get("role")
        if role == "assistant":
            calls = [
                tool_mod.ToolCall(
                    id=c.get("id", ""),
                    function=c.get("name", ""),
                    arguments=dict(c.get("input") or {}),
                )
                for c in tool_uses(msg)
            ]
            if not calls and not msg_text(msg):
                continue
            out.append(
                model.ChatMessageAssistant(
                    id=msg_id,
                    content=msg_text(msg),
                    tool_calls=calls or None,
                    model=record.model or None,
                )
            )
        elif role == "system":
            out.append(model.ChatMessageSystem(id=msg_id, content=msg_text(msg)))
        else:
            out.append(model.ChatMessageUser(id=msg_id, content=msg_text(msg)))
    return out


def _sample(
    record: RunRecord, number: int, log: Any, model: Any, tool_mod: Any, scorer: Any
) -> Any:
    messages = _messages(record, model, tool_mod)
    users = [m for m in messages if m.role == "user"]
    answers = [m for m in messages if m.role == "assistant"]
    output = (
        model.ModelOutput.from_message(answers[-1])
        if answers
        else model.ModelOutput(model=record.model or "")
    )
    scores = None
    reward = record.reward()
    if reward is not None:
        item = record.run_feedback
        scores = {
            SCORE_NAME: scorer.Score(
                value=reward,
                explanation=(item.comment or None) if item else None,
                metadata={"label": item.label if item else None},
            )
        }
    return log.EvalSample(
        id=record.run_id or number,
        epoch=1,
        input=users[0].text if users else "",
        target="",
        messages=messages,
        output=output,
        scores=scores,
        metadata=scrub(
            {
                "run_id": record.run_id,
                "agent": record.agent,
                "status": record.status,
                **record.metadata,
            }
        ),
    )


def build_eval_log(runs: Iterable[RunRecord], *, task: str = "ascope_nb") -> Any:
    """An ``inspect_ai.log.EvalLog`` with one sample per run."""
    log = require("inspect_ai.log", "inspect")
    model = require("inspect_ai.model", "inspect")
    tool_mod = require("inspect_ai.tool", "inspect")
    scorer = require("inspect_ai.scorer", "inspect")
    samples = [_sample(r, i, log, model, tool_mod, scorer) for i, r in enumerate(runs, 1)]
    models = sorted({m for s in samples for m in [s.output.model] if m})
    rewards = [s.scores[SCORE_NAME].value for s in samples if s.scores]
    scores = []
    if rewards:
        mean = float(sum(rewards)) / len(rewards)
        scores.append(
            log.EvalScore(
                name=SCORE_NAME,
                scorer="human_feedback",
                scored_samples=len(rewards),
                unscored_samples=len(samples) - len(rewards),
                metrics={"mean": log.EvalMetric(name="mean", value=mean)},
            )
        )
    spec = log.EvalSpec(
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        task=task,
        dataset=log.EvalDataset(name=task, samples=len(samples)),
        model=models[0] if len(models) == 1 else ("mixed" if models else "unknown"),
        config=log.EvalConfig(),
    )
    return log.EvalLog(
        status="success",
        eval=spec,
        samples=samples,
        results=log.EvalResults(
            total_samples=len(samples), completed_samples=len(samples), scores=scores
        ),
    )


def export_inspect(
    source: Any, path: str | os.PathLike[str], *, task: str = "ascope_nb", **filters: Any
) -> ExportResult:
    """Write an inspect_ai eval log (``.eval`` or ``.json`` by the file suffix) to ``path``."""
    log = require("inspect_ai.log", "inspect")
    records = list(iter_runs(source, **filters))
    eval_log = build_eval_log(records, task=task)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fmt = "json" if str(path).endswith(".json") else "eval"
    log.write_eval_log(eval_log, str(path), format=fmt)
    return ExportResult("inspect", str(path), len(eval_log.samples or []), len(records))


__all__ = ["build_eval_log", "export_inspect", "SCORE_NAME"]
