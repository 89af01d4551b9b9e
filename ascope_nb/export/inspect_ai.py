"""inspect_ai eval logs: one sample per run with its messages, model and tool events, scores.

Written with inspect_ai's own models (``EvalLog``, ``EvalSpec``, ``EvalSample``,
``ModelEvent``, ``ToolEvent``), so ``inspect_ai.log.read_eval_log``, ``inspect view`` and the
``inspect_ai.analysis`` frames (``evals_df``, ``samples_df``, ``messages_df``, ``events_df``)
read it. Messages map to ``ChatMessageSystem`` / ``User`` / ``Assistant`` (with
``ToolCall``s) / ``Tool`` (denied results carry an ``approval`` error, failed ones
``unknown``), each with its id. Each model call is a ``ModelEvent`` whose ``input`` is what
the model saw and whose ``output`` is what it produced; each tool call a ``ToolEvent``. A
run's feedback becomes the score ``feedback`` (the score value, or 1.0 / 0.0 for a thumb;
the comment is the explanation); ``results`` carries its mean.

The file name is one inspect_ai lists (its ``evals_df`` reads a folder's ``*.eval`` files
and only those ``*.json`` files whose name starts with an ISO timestamp): a ``.eval`` path
is used as given, a ``.json`` name without a timestamp gets one in front
(``runs.json`` -> ``2026-11-30T01-02-03+00-00_runs.json``), and a folder gets
``<timestamp>_<task>_<id>.eval`` inside. ``ExportResult.path`` is the file written.

Example:
    >>> export_inspect(store, "logs/", status="completed")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from .._ids import new_id
from ._calls import model_calls, output_message
from ._chat import msg_text, output_text, tool_results, tool_uses
from ._record import RunRecord
from ._scrub import scrub
from ._select import iter_runs
from ._write import ExportResult, atomic_target, require

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


def _chat(messages: list[dict[str, Any]], model: Any, tool_mod: Any, prefix: str) -> list[Any]:
    """Canonical chat messages (``_calls.normalise``) as inspect ChatMessages."""
    out: list[Any] = []
    for n, msg in enumerate(messages):
        role, text, mid = msg.get("role"), str(msg.get("content") or ""), f"{prefix}:{n}"
        if role == "system":
            out.append(model.ChatMessageSystem(id=mid, content=text))
        elif role == "assistant":
            calls = [
                tool_mod.ToolCall(
                    id=c["id"],
                    function=c["function"]["name"],
                    arguments=_args(c["function"]["arguments"]),
                )
                for c in msg.get("tool_calls") or []
            ]
            out.append(model.ChatMessageAssistant(id=mid, content=text, tool_calls=calls or None))
        elif role == "tool":
            out.append(
                model.ChatMessageTool(
                    id=mid,
                    content=text,
                    tool_call_id=msg.get("tool_call_id") or "",
                    function=msg.get("name"),
                )
            )
        else:
            out.append(model.ChatMessageUser(id=mid, content=text))
    return out


def _args(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return arguments
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _events(record: RunRecord, model: Any, tool_mod: Any, event_mod: Any) -> list[Any]:
    """A ModelEvent per model call (what it saw and produced), a ToolEvent per tool call."""
    tools = [
        tool_mod.ToolInfo(
            name=t.get("function", t).get("name", ""),
            description=t.get("function", t).get("description", "") or "",
            parameters=tool_mod.ToolParams(**_params(t.get("function", t).get("parameters"))),
        )
        for t in record.tools
    ]
    out: list[Any] = []
    config = model.GenerateConfig()
    for call in model_calls(record):
        answer = _chat([output_message(call.output)], model, tool_mod, call.msg_id)[0]
        out.append(
            event_mod.ModelEvent(
                model=record.model or "unknown",
                input=_chat(call.prompt, model, tool_mod, f"{call.msg_id}:in"),
                tools=tools,
                tool_choice="auto",
                config=config,
                output=model.ModelOutput.from_message(answer),
            )
        )
        for block in tool_uses(call.output):
            tc = record.tool_calls.get(str(block.get("id")))
            output = output_text(tc.output) if tc is not None and tc.output is not None else ""
            error = None
            if tc is not None and tc.state in ("denied", "error", "interrupted"):
                kind = {"denied": "approval", "interrupted": "cancelled"}.get(tc.state, "unknown")
                error = tool_mod.ToolCallError(kind, output)
            out.append(
                event_mod.ToolEvent(
                    id=str(block.get("id", "")),
                    function=str(block.get("name", "")),
                    arguments=dict(block.get("input") or {}),
                    result=output,
                    error=error,
                )
            )
    return out


def _params(schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {}
    return {
        "properties": schema.get("properties") or {},
        "required": list(schema.get("required") or []),
    }


def _sample(
    record: RunRecord, number: int, log: Any, model: Any, tool_mod: Any, scorer: Any
) -> Any:
    event_mod = require("inspect_ai.event", "inspect")
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
        events=_events(record, model, tool_mod, event_mod),
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


def log_path(path: str | os.PathLike[str], task: str) -> str:
    """``path`` if it names a ``.eval`` / ``.json`` file, else an inspect-style name inside it."""
    text = str(path)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S+00-00")
    if text.endswith(".eval"):
        return text
    if text.endswith(".json"):
        folder, name = os.path.split(text)
        return text if _STAMPED.match(name) else os.path.join(folder, f"{stamp}_{name}")
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", task).strip("-") or "ascope-nb"
    return os.path.join(text, f"{stamp}_{slug}_{new_id()[:22]}.eval")


_STAMPED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}")


def export_inspect(
    source: Any, path: str | os.PathLike[str], *, task: str = "ascope_nb", **filters: Any
) -> ExportResult:
    """Write an inspect_ai eval log to ``path`` (a ``.eval`` / ``.json`` file or a folder).

    The log is written to a temporary file beside the target and renamed over it.
    """
    log = require("inspect_ai.log", "inspect")
    target = log_path(path, task)
    records = list(iter_runs(source, **filters))
    eval_log = build_eval_log(records, task=task)
    fmt = "json" if target.endswith(".json") else "eval"
    with atomic_target(target) as tmp:
        final = f"{tmp}.{fmt}"
        try:
            log.write_eval_log(eval_log, final, format=fmt)
            os.replace(final, tmp)
        finally:
            if os.path.exists(final):
                os.unlink(final)
    return ExportResult("inspect", target, len(eval_log.samples or []), len(records))


__all__ = ["build_eval_log", "export_inspect", "log_path", "SCORE_NAME"]
