"""``fork``: a new run whose agent starts from the state just before a step of another run.

The memory comes from the fold (``RunFold.memory_at``); system prompt, tools and settings
from the ``RunStarted`` metadata. ``edit`` replaces the model's output at that step (new
text, or new arguments for its tool call); ``guidance`` is injected before it; ``model``
continues the run instead of the original one. The parent's events are never touched.

Example:
    >>> fork = run.fork(2, edit={"city": "Oslo"})   # doctest: +SKIP
    >>> await fork                                  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from .._ids import new_id
from ..exceptions import ConfigError
from ..message import Msg, ToolUseBlock
from ..model._replay import ReplayingModel, Reply
from ..redact import redact_keys
from ._plan import fork_tools, restore_plan
from ._source import Source, ToolMap, build_agent, model_for, resolve_tools, source_of

if TYPE_CHECKING:
    from ..model import ChatModelBase, ChatResponse
    from ..run import Run
    from ..store import RunStore

Edit = str | dict[str, Any] | None


class EditedFirstAnswer(ReplayingModel):
    """Answers its first call with the edited output, then asks ``inner``."""

    def __init__(self, inner: ChatModelBase, reply: Reply) -> None:
        super().__init__(inner.model_name, stream=inner.stream, token_delay=0.0, record=False)
        self.inner = inner
        self.pending: Reply | None = reply

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        if self.pending is not None:
            reply, self.pending = self.pending, None
            return self._respond(messages, reply)
        return await self.inner(messages, tools=tools, tool_choice=tool_choice, **kwargs)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()  # what a model would have sent for it
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON")


def as_json_edit(edit: Any, where: str) -> Any:
    """``edit`` as the JSON a model would have produced (dates as ISO text); anything else
    that JSON cannot hold is one clear ``ConfigError`` naming ``where``."""
    try:
        return json.loads(json.dumps(edit, default=_jsonable, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: the edit must be JSON-like ({exc})") from None


def edited_reply(src: Source, step: int, edit: str | dict[str, Any]) -> Reply:
    """The output of ``step`` with ``edit`` applied: a text replaces the whole answer; a
    dict replaces the arguments of the step's (first) tool call; a tool-call block
    (``tool_call("name", ...)``) replaces that call, name and arguments."""
    if isinstance(edit, str):
        return Reply(text=edit)
    if not isinstance(edit, dict):
        raise ConfigError(
            f"edit must be a text, a dict of tool arguments or a tool-call block, got {edit!r}"
        )
    is_block = edit.get("type") == "tool_use"
    if is_block and (not isinstance(edit.get("name"), str) or not edit["name"]):
        raise ConfigError(f"the tool-call block to fork run {src.run_id!r} with has no name")
    call = src.call_at(step)
    recorded = src.fold.rebuilt(call.msg_id) or {}
    blocks = [b for b in recorded.get("content") or [] if isinstance(b, dict)]
    uses = [b for b in blocks if b.get("type") == "tool_use"]
    if not uses and not is_block:
        raise ConfigError(
            f"step {step} of run {src.run_id!r} called no tool: edit it with a text or a "
            "tool-call block instead"
        )
    arguments = edit.get("input") if is_block else edit
    first: ToolUseBlock = {
        "type": "tool_use",
        "id": f"call_{new_id()[:12]}",
        "name": str(edit["name"] if is_block else uses[0]["name"]),
        "input": copy.deepcopy(dict(arguments or {})),
    }
    others: list[ToolUseBlock] = [copy.deepcopy(b) for b in uses[1:]]  # type: ignore[misc]
    text = "".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")
    thinking = "".join(str(b.get("thinking", "")) for b in blocks if b.get("type") == "thinking")
    return Reply(text=text, thinking=thinking, tool_calls=[first, *others])


def fork(
    run: Any,
    step: int,
    *,
    edit: Edit = None,
    guidance: str | None = None,
    model: ChatModelBase | None = None,
    tools: ToolMap | None = None,
    title: str | None = None,
    store: RunStore | None = None,
) -> Run:
    """Start a new run from the state just before ``step`` of ``run`` (a ``Run``, a
    ``StoredRun`` or a stored run id); returns its ``Run`` at once.

    Step ``j`` of the fork is step ``step + j`` of the parent. Stored with metadata
    ``parent_run_id`` and ``fork_step`` (and ``fork_edit`` / ``fork_guidance``).
    """
    from ..run import Run, tag_run_started

    src = source_of(run, store=store)
    src.check_local(step)
    src.check_react()
    call = src.call_at(step)
    memory = src.fold.memory_at(call.reply_id, step)
    if guidance is not None and (not isinstance(guidance, str) or not guidance.strip()):
        raise ConfigError("guidance must be a non-empty string")
    chosen = model_for(src, model)
    if edit is not None and not isinstance(edit, str):
        edit = as_json_edit(edit, f"fork of run {src.run_id!r} at step {step}")
    if edit is not None:
        chosen = EditedFirstAnswer(chosen, edited_reply(src, step, edit))
    max_iters = int(src.metadata.get("max_iters") or 10) - step
    toolkit = fork_tools(src, tools)
    if isinstance(edit, dict) and edit.get("type") == "tool_use":
        toolkit = _with_edited_tool(toolkit, str(edit["name"]), tools, src.run_id)
    agent = build_agent(src, model=chosen, toolkit=toolkit, max_iters=max_iters)
    restore_plan(agent, src, call.reply_id, step)  # the plan as it was at that step
    if guidance is not None:
        agent.control.steer(guidance)
    name = title or f"{src.fold.run_info.get('title') or src.agent_name} · fork@{step}"
    tags: dict[str, Any] = {"parent_run_id": src.run_id, "fork_step": step}
    if edit is not None:
        tags["fork_edit"] = edit
    if guidance is not None:
        tags["fork_guidance"] = guidance
    tags = redact_keys(tags)  # the in-memory RunStarted says what the stored one says
    new = Run(agents=[agent], title=name)
    new._context.subscribers.insert(0, tag_run_started(tags, title=name))
    restored = [Msg.from_dict(m) for m in memory]

    async def body() -> Msg:
        await agent.memory.add(restored)
        return await agent._call_in_new_run(new._context, None)

    return new._launch(body)


def _with_edited_tool(toolkit: Any, name: str, given: ToolMap | None, run_id: str) -> Any:
    """``toolkit`` plus the tool a tool-call edit names, when the parent run did not have it
    (from ``tools=``, else the notebook namespace or the built-in tools); a copy, so the
    parent's live toolkit is never changed."""
    if name in toolkit.tools:
        return toolkit
    try:
        extra = resolve_tools(
            [{"type": "function", "function": {"name": name}}], given=given, run_id=run_id
        )
    except ConfigError:
        raise ConfigError(
            f"tool {name!r} of the edit to fork run {run_id!r} is not defined here: "
            f"define it in the notebook or pass tools={{{name!r}: fn}}"
        ) from None
    toolkit = copy.copy(toolkit)
    toolkit.tools = dict(toolkit.tools)
    toolkit.register_tool_function(extra.tools[name].original_func)
    return toolkit


__all__ = ["fork", "EditedFirstAnswer", "edited_reply"]
