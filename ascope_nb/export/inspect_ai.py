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

The log is streamed: each sample is built, written into the ``.eval`` zip (or the ``.json``
document) and dropped before the next run is read; the header and the sample summaries come
last. Model inputs are written the way inspect_ai condenses them itself: each distinct
message once in the sample's message pool (``events_data``), each ``ModelEvent`` pointing at
its input with ``input_refs`` ranges, so a long ReAct run costs about its message count.

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
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from .._ids import new_id
from ._calls import model_calls, output_message
from ._chat import msg_text, output_text, tool_results, tool_uses
from ._record import RunRecord
from ._scrub import scrub
from ._select import iter_runs
from ._write import ExportResult, RunCounter, atomic_target, paused_gc, require

SCORE_NAME = "feedback"
_ERROR_KIND = {"denied": "approval", "interrupted": "cancelled"}


class _Api:
    """inspect_ai's log module (for the header) and the time stamps of this export."""

    def __init__(self) -> None:
        self.log = require("inspect_ai.log", "inspect")
        self.now = datetime.now(timezone.utc).isoformat()


def _message(msg: dict[str, Any], mid: str, error: dict[str, str] | None = None) -> dict[str, Any]:
    """One canonical chat message in inspect_ai's ``ChatMessage`` JSON."""
    role = msg.get("role") if msg.get("role") in ("system", "assistant", "tool") else "user"
    out: dict[str, Any] = {"id": mid, "content": str(msg.get("content") or ""), "role": role}
    if role == "assistant" and msg.get("tool_calls"):
        out["tool_calls"] = [
            {
                "id": c["id"],
                "function": c["function"]["name"],
                "arguments": _args(c["function"]["arguments"]),
                "type": "function",
            }
            for c in msg["tool_calls"]
        ]
    elif role == "tool":
        out["tool_call_id"] = msg.get("tool_call_id") or ""
        if msg.get("name"):
            out["function"] = msg["name"]
        if error is not None:
            out["error"] = error
    return out


def _output(answer: dict[str, Any], model: str) -> dict[str, Any]:
    return {
        "model": model,
        "choices": [{"message": answer, "stop_reason": "stop"}],
        "completion": answer.get("content", ""),
    }


def _args(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return arguments
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _tool_error(call: Any, text: str) -> dict[str, str] | None:
    if call is None or call.state not in ("denied", "error", "interrupted"):
        return None
    return {"type": _ERROR_KIND.get(call.state, "unknown"), "message": text}


def _transcript(record: RunRecord) -> list[dict[str, Any]]:
    """The run's messages in memory order (the sample's ``messages``)."""
    out: list[dict[str, Any]] = []
    if record.sys_prompt:
        out.append(_message({"role": "system", "content": record.sys_prompt}, "system"))
    for msg in record.messages:
        msg_id = str(msg.get("id"))
        results = tool_results(msg)
        if results:
            for n, block in enumerate(results):
                text = output_text(block.get("output"))
                tool = {
                    "role": "tool",
                    "content": text,
                    "tool_call_id": block.get("id", ""),
                    "name": block.get("name", ""),
                }
                error = _tool_error(record.tool_calls.get(str(block.get("id"))), text)
                out.append(_message(tool, f"{msg_id}:{n}", error))
        elif msg.get("role") == "assistant":
            if tool_uses(msg) or msg_text(msg):
                out.append(_message(output_message(msg), msg_id))
        else:
            role = "system" if msg.get("role") == "system" else "user"
            out.append(_message({"role": role, "content": msg_text(msg)}, msg_id))
    return out


def _tools(record: RunRecord) -> list[dict[str, Any]]:
    out = []
    for tool in record.tools:
        fn = tool.get("function", tool)
        schema = fn.get("parameters") if isinstance(fn.get("parameters"), dict) else {}
        out.append(
            {
                "name": fn.get("name", ""),
                "description": fn.get("description") or "",
                "parameters": {
                    "type": "object",
                    "properties": schema.get("properties") or {},
                    "required": list(schema.get("required") or []),
                    "additionalProperties": False,
                },
            }
        )
    return out


class _Pool:
    """The sample's message pool: each distinct input message once, referenced by range."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._index: dict[int, tuple[Any, int]] = {}

    def refs(self, prompt: list[dict[str, Any]]) -> list[list[int]]:
        out: list[list[int]] = []
        for msg in prompt:
            hit = self._index.get(id(msg))
            if hit is None or hit[0] is not msg:
                n = len(self.messages)
                self.messages.append(_message(msg, f"pool:{n}"))
                hit = self._index[id(msg)] = (msg, n)
            i = hit[1]
            if out and out[-1][1] == i:
                out[-1][1] = i + 1
            else:
                out.append([i, i + 1])
        return out


def _event(kind: str, now: str, uid: str, **fields: Any) -> dict[str, Any]:
    return {"uuid": uid, "timestamp": now, "working_start": 0.0, "event": kind, **fields}


def _events(record: RunRecord, now: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A model event per model call (what it saw and produced), a tool event per tool call;
    and the message pool their ``input_refs`` point into."""
    pool = _Pool()
    out: list[dict[str, Any]] = []
    model = record.model or "unknown"
    for call in model_calls(record):
        answer = _message(output_message(call.output), call.msg_id)
        out.append(
            _event(
                "model",
                now,
                f"{record.run_id}:e{len(out)}",
                model=model,
                input=[],
                input_refs=pool.refs(call.prompt),
                tools=TOOLS,
                tool_choice="auto",
                config={},
                output=_output(answer, model),
            )
        )
        for block in tool_uses(call.output):
            tc = record.tool_calls.get(str(block.get("id")))
            text = output_text(tc.output) if tc is not None and tc.output is not None else ""
            tool = _event(
                "tool",
                now,
                f"{record.run_id}:e{len(out)}",
                type="function",
                id=str(block.get("id", "")),
                function=str(block.get("name", "")),
                arguments=dict(block.get("input") or {}),
                result=text,
                events=[],
            )
            error = _tool_error(tc, text)
            if error is not None:
                tool["error"] = error
            out.append(tool)
    return out, pool.messages


TOOLS = "\x00tools\x00"
"""Stands for the run's tool list in every model event until the sample is encoded: the
schemas are encoded once per sample and spliced in (``_encode``)."""
_TOOLS_JSON = '"\\u0000tools\\u0000"'


def _encode(sample: dict[str, Any]) -> str:
    """The sample as JSON, the run's tool schemas encoded once for all its model events."""
    tools = sample.pop("_tools")
    return _json(sample).replace(_TOOLS_JSON, _json(tools))


def _resolved(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample with the tool list in place (for validation in memory)."""
    tools = sample["_tools"]
    events = [{**e, "tools": tools} if e.get("tools") == TOOLS else e for e in sample["events"]]
    return {k: v for k, v in sample.items() if k != "_tools"} | {"events": events}


def _sample(record: RunRecord, number: int, now: str) -> dict[str, Any]:
    messages = _transcript(record)
    users = [m for m in messages if m["role"] == "user"]
    answers = [m for m in messages if m["role"] == "assistant"]
    model = record.model or "unknown"
    scores: dict[str, Any] = {}
    reward = record.reward()
    if reward is not None:
        item = record.run_feedback
        score: dict[str, Any] = {
            "value": reward,
            "metadata": {"label": item.label if item else None},
            "history": [],
        }
        if item is not None and item.comment:
            score["explanation"] = item.comment
        scores[SCORE_NAME] = score
    for judged in record.feedback:  # an experiment's metrics: one inspect score each
        if judged.metric and judged.score is not None and judged.step is None:
            scores[judged.metric] = {
                "value": judged.score,
                "explanation": judged.comment or None,
                "metadata": {"experiment": record.metadata.get("experiment")},
                "history": [],
            }
    events, pool = _events(record, now)
    return {
        "id": record.run_id or number,
        "epoch": 1,
        "input": users[0]["content"] if users else "",
        "target": "",
        "messages": messages,
        "output": _output(answers[-1], model) if answers else {"model": model, "choices": []},
        "scores": scores or None,
        "metadata": scrub(
            {
                "run_id": record.run_id,
                "agent": record.agent,
                "status": record.status,
                **record.metadata,
            }
        ),
        "store": {},
        "events": events,
        "model_usage": {},
        "attachments": {},
        "events_data": {"messages": pool, "calls": []},
        "_tools": _tools(record),
    }


class _Totals:
    """What the header needs, gathered while the samples stream past."""

    def __init__(self) -> None:
        self.samples = 0
        self.rewards: list[float] = []
        self.models: set[str] = set()

    def add(self, record: RunRecord) -> None:
        self.samples += 1
        reward = record.reward()
        if reward is not None:
            self.rewards.append(float(reward))
        if record.model:
            self.models.add(record.model)


def _header(api: _Api, totals: _Totals, task: str) -> Any:
    log = api.log
    scores = []
    if totals.rewards:
        scores.append(
            log.EvalScore(
                name=SCORE_NAME,
                scorer="human_feedback",
                scored_samples=len(totals.rewards),
                unscored_samples=totals.samples - len(totals.rewards),
                metrics={
                    "mean": log.EvalMetric(
                        name="mean", value=sum(totals.rewards) / len(totals.rewards)
                    )
                },
            )
        )
    models = sorted(totals.models)
    spec = log.EvalSpec(
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        task=task,
        dataset=log.EvalDataset(name=task, samples=totals.samples),
        model=models[0] if len(models) == 1 else ("mixed" if models else "unknown"),
        config=log.EvalConfig(),
    )
    return log.EvalLog(
        status="success",
        eval=spec,
        results=log.EvalResults(
            total_samples=totals.samples, completed_samples=totals.samples, scores=scores
        ),
    )


def _dump(model: Any) -> str:
    return str(model.model_dump_json(exclude_none=True, warnings=False))


_json = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode


def _samples(runs: Iterable[RunRecord], api: _Api, totals: _Totals) -> Iterator[dict[str, Any]]:
    for number, record in enumerate(runs, 1):
        totals.add(record)
        yield _sample(record, number, api.now)


def _write_eval(path: str, samples: Iterator[dict[str, Any]], header: Any) -> None:
    summaries = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for sample in samples:
            zf.writestr(f"samples/{sample['id']}_epoch_{sample['epoch']}.json", _encode(sample))
            summaries.append(
                {
                    "id": sample["id"],
                    "epoch": sample["epoch"],
                    "input": sample["input"],
                    "target": sample["target"],
                    "metadata": {},
                    "scores": sample["scores"] or {},
                    "completed": True,
                }
            )
        zf.writestr("summaries.json", _json(summaries))
        zf.writestr("header.json", _dump(header()))


def _write_json(path: str, samples: Iterator[dict[str, Any]], header: Any) -> None:
    """inspect_ai reads a JSON log's header first: the samples go to a side file while they
    stream, then the header is written and the samples appended after it."""
    side = f"{path}.samples"
    try:
        with open(side, "w", encoding="utf-8") as fh:
            for n, sample in enumerate(samples):
                fh.write("," if n else "")
                fh.write(_encode(sample))
        with open(path, "w", encoding="utf-8") as out, open(side, encoding="utf-8") as fh:
            head = _dump(header())
            out.write(head[:-1] + ', "samples": [')
            while chunk := fh.read(1 << 20):
                out.write(chunk)
            out.write("]}")
    finally:
        if os.path.exists(side):
            os.unlink(side)


def build_eval_log(runs: Iterable[RunRecord], *, task: str = "ascope_nb") -> Any:
    """An ``inspect_ai.log.EvalLog`` with one sample per run, in memory (for small sets;
    ``export_inspect`` streams instead)."""
    api, totals = _Api(), _Totals()
    samples = list(_samples(runs, api, totals))
    log = _header(api, totals, task)
    log.samples = [api.log.EvalSample.model_validate(_resolved(s)) for s in samples]
    return log


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
    """Stream an inspect_ai eval log to ``path`` (a ``.eval`` / ``.json`` file or a folder).

    The log is written to a temporary file beside the target and renamed over it.
    """
    api, totals = _Api(), _Totals()
    target = log_path(path, task)
    runs = RunCounter(iter_runs(source, **filters))
    write = _write_json if target.endswith(".json") else _write_eval
    with paused_gc(), atomic_target(target) as tmp:
        write(tmp, _samples(runs, api, totals), lambda: _header(api, totals, task))
    return ExportResult("inspect", target, totals.samples, runs.count)


__all__ = ["build_eval_log", "export_inspect", "log_path", "SCORE_NAME"]
