"""``replay``: re-execute a stored run with a model that returns the recorded outputs.

Tools return their recorded results (``tools="recorded"``) or run for real (``"live"``),
so a changed tool or agent can be checked against old runs. The first difference (a model
call whose input differs from the recorded one, a tool call or result that differs, a call
the recording does not have) is kept as ``run.divergence``.

Example:
    >>> again = ascope_nb.replay("a1b2c3", tools="live")  # doctest: +SKIP
    >>> await again; again.divergence                      # doctest: +SKIP
    Divergence(step=2, kind='tool_result', ...)
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..events import Event, StepEnded, StepStarted, ToolResult
from ..exceptions import ConfigError, ModelCallError
from ..message import Msg
from ..model._replay import ReplayingModel, Reply
from ._plan import PLAN_TOOLS, fork_tools, has_plan, restore_plan
from ._source import Source, build_agent, formatter_for, resolve_tools, source_of

if TYPE_CHECKING:
    from ..agent import ReActAgent
    from ..formatter import FormatterBase
    from ..model import ChatResponse
    from ..run import Run
    from ..store import RunStore
    from ..tool import Toolkit

ToolMode = Literal["recorded", "live"]


@dataclass
class Divergence:
    """Where a replay first differed from its recording."""

    step: int
    kind: str  # "model_input", "tool_call", "tool_result" or "extra_call"
    detail: str
    expected: Any = None
    got: Any = None

    def __str__(self) -> str:
        return f"step {self.step}: {self.detail}"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{label}</th><td><pre>{html.escape(_short(value))}</pre></td></tr>"
            for label, value in (("expected", self.expected), ("got", self.got))
        )
        return (
            f"<div class='ascope-divergence'><b>Diverged at step {self.step}</b> "
            f"({html.escape(self.kind)}): {html.escape(self.detail)}<table>{rows}</table></div>"
        )


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Call:
    step: int
    input: list[dict[str, Any]]
    reply: Reply


class RecordedModel(ReplayingModel):
    """Returns the recorded outputs in order; reports an input that differs from the
    recorded one (formatted with the agent's formatter)."""

    def __init__(
        self,
        calls: list[_Call],
        *,
        formatter: FormatterBase,
        report: Callable[[Divergence], None],
        model_name: str,
    ) -> None:
        super().__init__(model_name or "replay", stream=False, token_delay=0.0, record=False)
        self.recorded, self.formatter, self.report = calls, formatter, report
        self._next = 0

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        index, self._next = self._next, self._next + 1
        if index >= len(self.recorded):
            step = self.recorded[-1].step + 1 if self.recorded else 0
            self.report(Divergence(step, "extra_call", "a model call the recording has not"))
            raise ModelCallError(f"replay: the recording has only {len(self.recorded)} calls")
        call = self.recorded[index]
        expected = await self.formatter.format([Msg.from_dict(m) for m in call.input])
        if expected != messages:
            at = next(
                (i for i, (a, b) in enumerate(zip(expected, messages, strict=False)) if a != b),
                min(len(expected), len(messages)),
            )
            self.report(
                Divergence(
                    call.step,
                    "model_input",
                    f"the model's input differs at message {at}",
                    expected[at] if at < len(expected) else None,
                    messages[at] if at < len(messages) else None,
                )
            )
        return self._respond(messages, call.reply)


def _reply_of(src: Source, msg_id: str, error: str | None) -> Reply:
    msg = src.fold.rebuilt(msg_id)
    if msg is None:
        return Reply(error=ModelCallError(error or "the recorded call gave no answer"))
    blocks = [b for b in msg.get("content") or [] if isinstance(b, dict)]
    return Reply(
        text="".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text"),
        thinking="".join(str(b.get("thinking", "")) for b in blocks if b.get("type") == "thinking"),
        tool_calls=[b for b in blocks if b.get("type") == "tool_use"],  # type: ignore[misc]
    )


def _recorded_tools(
    src: Source,
    schemas: list[dict[str, Any]],
    report: Callable[[Divergence], None],
    step: list[int],
) -> Toolkit:
    """Tools answering with the recorded results, in call order per tool name."""
    from ..tool import Toolkit, ToolResponse

    reply_id = src.main_reply().reply_id
    queues: dict[str, list[Any]] = {}
    for meta in sorted(src.fold.call_meta.values(), key=lambda m: m.order):
        if meta.reply_id == reply_id and meta.output is not None:
            queues.setdefault(meta.name, []).append(meta)

    def stub(name: str) -> Callable[..., Any]:
        async def recorded(**kwargs: Any) -> ToolResponse:
            queue = queues.get(name) or []
            if not queue:
                detail = f"a call of {name!r} the recording has not"
                report(Divergence(step[0], "tool_call", detail))
                return ToolResponse(
                    content=[{"type": "text", "text": f"replay: no recorded call of {name}"}],
                    metadata={"success": False},
                )
            meta = queue.pop(0)
            asked = meta.original_input if meta.decision == "edited" else meta.input
            if kwargs != asked:
                detail = f"{name!r} called with other arguments"
                report(Divergence(meta.step, "tool_call", detail, asked, kwargs))
            failed = {"success": False} if meta.state == "error" else None
            return ToolResponse(content=list(meta.output), metadata=failed)

        return recorded

    toolkit = Toolkit()
    for schema in schemas:
        name = str(schema.get("function", {}).get("name", ""))
        toolkit.register_tool_function(stub(name), json_schema=schema, func_name=name)
    return toolkit


def replay(
    run: Any,
    *,
    agent: ReActAgent | None = None,
    tools: ToolMode = "recorded",
    store: RunStore | None = None,
) -> Run:
    """Re-execute ``run`` (a ``Run``, a ``StoredRun`` or a stored run id) with a model that
    returns its recorded outputs; returns the new ``Run`` at once.

    ``agent``: the agent to check (its prompt, formatter, tools and settings; its model is
    not called); default: rebuilt from the recording. ``tools``: ``"recorded"`` answers
    with the recorded results, ``"live"`` runs the tools. The first difference is
    ``run.divergence`` (None if the replay matched); stored with metadata ``replay_of``.
    """
    from ..run import Run, tag_run_started

    if tools not in ("recorded", "live"):
        raise ConfigError(f"tools must be 'recorded' or 'live', got {tools!r}")
    src = source_of(run, store=store)
    src.check_react()
    reply = src.main_reply()
    found_first: list[Divergence] = []

    def report(found: Divergence) -> None:
        if not found_first:  # the model and tools only run once ``new`` exists
            found_first.append(found)
            new.divergence = found
            if new._view is not None:  # shown in the live view too
                new._view.send({"type": "notice", "text": f"Replay diverged at {found}"})

    step = [0]  # the replay's current step
    recorded = [
        _Call(c.step, c.input, _reply_of(src, c.msg_id, c.error))
        for c in src.fold.model_calls()
        if c.reply_id == reply.reply_id
    ]
    formatter = agent.formatter if agent is not None else formatter_for(src)
    model = RecordedModel(
        recorded, formatter=formatter, report=report, model_name=str(src.fold.run_info.get("model"))
    )
    schemas = agent.toolkit.get_json_schemas() if agent is not None else None
    schemas = schemas if schemas is not None else list(src.metadata.get("tools") or [])
    planned = agent is None and has_plan(src)  # plan tools run on a notebook of the replay's own
    if planned:
        schemas = [s for s in schemas if s.get("function", {}).get("name") not in PLAN_TOOLS]
    if tools == "recorded":
        toolkit = _recorded_tools(src, schemas, report, step)
    elif agent is not None:
        toolkit = agent.toolkit
    else:
        live = src.live_agent()
        if planned:
            toolkit = fork_tools(src, None)
        elif live is not None:
            toolkit = live.toolkit
        else:
            toolkit = resolve_tools(schemas, given=None, run_id=src.run_id)
    replayer = _replayer(src, agent, model, toolkit, formatter)
    if planned:
        restore_plan(replayer, src, reply.reply_id, 0, align=True)
    name = f"{src.fold.run_info.get('title') or src.agent_name} · replay"
    new = Run(agents=[replayer], title=name)
    new._context.subscribers.insert(
        0, tag_run_started({"replay_of": src.run_id, "replay_tools": tools}, title=name)
    )
    new.subscribe(_watch(src, replayer, report, step), replay=False)
    memory = src.fold.memory_at(reply.reply_id, 0)
    inputs = set(reply.input_ids)
    cut = next((i for i, m in enumerate(memory) if m.get("id") in inputs), len(memory))
    before = [Msg.from_dict(m) for m in memory[:cut] if not (m.get("metadata") or {}).get("hint")]
    given = [Msg.from_dict(m) for m in src.fold.run_info.get("input") or []]
    first: Msg | list[Msg] | None = given[0] if len(given) == 1 else (given or None)
    _steer_hints(src, replayer, 0)

    async def body() -> Msg:
        await replayer.memory.add(before)
        return await replayer._call_in_new_run(new._context, first)

    return new._launch(body)


def _replayer(
    src: Source,
    agent: ReActAgent | None,
    model: RecordedModel,
    toolkit: Toolkit,
    formatter: FormatterBase,
) -> ReActAgent:
    from ..agent import ReActAgent

    if agent is None:
        max_iters = int(src.metadata.get("max_iters") or 10)
        return build_agent(src, model=model, toolkit=toolkit, max_iters=max_iters)
    made = ReActAgent(
        name=agent.name,
        sys_prompt=agent.sys_prompt,
        model=model,
        formatter=formatter,
        toolkit=toolkit,
        max_iters=agent.max_iters,
        parallel_tool_calls=agent.parallel_tool_calls,
    )
    made.set_console_output_enabled(False)
    return made


def _steer_hints(src: Source, agent: ReActAgent, step: int) -> None:
    """Steer the hints the recording injected before ``step`` (a person's, not the agent's)."""
    reply_id = src.main_reply().reply_id
    for hint in src.fold.hints:
        if hint.get("reply_id") == reply_id and int(hint.get("step", -1)) == step:
            if hint.get("source") != "system":
                agent.control.steer(str(hint.get("text", "")))


def _watch(
    src: Source, agent: ReActAgent, report: Callable[[Divergence], None], step: list[int]
) -> Callable[[Event], None]:
    calls = src.fold.call_meta

    def on_event(event: Event) -> None:
        if isinstance(event, StepStarted) and event.agent == agent.name:
            step[0] = event.step
        elif isinstance(event, StepEnded) and event.agent == agent.name:
            _steer_hints(src, agent, event.step + 1)
        elif isinstance(event, ToolResult):
            meta = calls.get(event.tool_call_id)
            if meta is not None and meta.output is not None and event.output != meta.output:
                detail = f"{event.name!r} returned another result"
                report(Divergence(event.step, "tool_result", detail, meta.output, event.output))

    return on_event


__all__ = ["replay", "Divergence", "RecordedModel"]
