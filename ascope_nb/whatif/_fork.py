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
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from .._ids import new_id
from ..exceptions import ConfigError
from ..message import Msg, ToolUseBlock
from ..model._replay import ReplayingModel, Reply
from ._plan import fork_tools, restore_plan
from ._source import Source, ToolMap, build_agent, model_for, source_of

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


def edited_reply(src: Source, step: int, edit: str | dict[str, Any]) -> Reply:
    """The output of ``step`` with ``edit`` applied: a text replaces the whole answer; a
    dict replaces the arguments of the step's (first) tool call."""
    if isinstance(edit, str):
        return Reply(text=edit)
    if not isinstance(edit, dict):
        raise ConfigError(f"edit must be a text or a dict of tool arguments, got {edit!r}")
    call = src.call_at(step)
    recorded = src.fold.rebuilt(call.msg_id) or {}
    blocks = [b for b in recorded.get("content") or [] if isinstance(b, dict)]
    uses = [b for b in blocks if b.get("type") == "tool_use"]
    if not uses:
        raise ConfigError(
            f"step {step} of run {src.run_id!r} called no tool: edit it with a text instead"
        )
    first: ToolUseBlock = {
        "type": "tool_use",
        "id": f"call_{new_id()[:12]}",
        "name": str(uses[0]["name"]),
        "input": copy.deepcopy(edit),
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
    src.check_react()
    call = src.call_at(step)
    memory = src.fold.memory_at(call.reply_id, step)
    if guidance is not None and (not isinstance(guidance, str) or not guidance.strip()):
        raise ConfigError("guidance must be a non-empty string")
    chosen = model_for(src, model)
    if edit is not None:
        chosen = EditedFirstAnswer(chosen, edited_reply(src, step, edit))
    max_iters = int(src.metadata.get("max_iters") or 10) - step
    agent = build_agent(src, model=chosen, toolkit=fork_tools(src, tools), max_iters=max_iters)
    restore_plan(agent, src, call.reply_id, step)  # the plan as it was at that step
    if guidance is not None:
        agent.control.steer(guidance)
    name = title or f"{src.fold.run_info.get('title') or src.agent_name} · fork@{step}"
    tags: dict[str, Any] = {"parent_run_id": src.run_id, "fork_step": step}
    if edit is not None:
        tags["fork_edit"] = edit
    if guidance is not None:
        tags["fork_guidance"] = guidance
    new = Run(agents=[agent], title=name)
    new._context.subscribers.insert(0, tag_run_started(tags, title=name))
    restored = [Msg.from_dict(m) for m in memory]

    async def body() -> Msg:
        await agent.memory.add(restored)
        return await agent._call_in_new_run(new._context, None)

    return new._launch(body)


__all__ = ["fork", "EditedFirstAnswer", "edited_reply"]
