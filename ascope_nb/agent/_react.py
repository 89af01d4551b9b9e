"""``ReActAgent``: reason with the model, act with tools, repeat; steerable while it runs."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ValidationError

from .. import hooks
from ..events import (
    Event,
    HintInjected,
    MessageCompleted,
    ModelCallEnded,
    ModelCallStarted,
    ReplyStarted,
    RunContext,
    StepEnded,
    StepStarted,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolProgress,
    ToolResult,
    ToolState,
    current_reply,
    current_run,
)
from ..exceptions import ConfigError
from ..formatter import FormatterBase, formatter_for_model
from ..memory import InMemoryMemory, MemoryBase
from ..message import Msg, ToolResultBlock, ToolUseBlock
from ..model import ChatModelBase, ChatResponse
from ..tool import Toolkit, ToolResponse
from ..tool._call import INTERRUPTED_INFO, exception_text
from ..tool._validate import unique_call_ids
from ._base import AgentBase
from ._compression import COMPRESSED_MARK, compress_memory_if_needed
from ._compression import CompressionConfig as _CompressionConfig
from ._control import AgentControl
from ._knowledge import record_after_reply, retrieve_before_reply, setup_knowledge
from ._plan import plan_before_step, plan_hint, setup_plan
from ._speech_stream import speak

if TYPE_CHECKING:
    from ..plan import PlanNotebook

FINISH_FUNCTION = "generate_response"
INTERRUPTED_TEXT = INTERRUPTED_INFO  # one text however the stop reached the tool (AgentScope's)
WRITE_TEXT_HINT = (
    "<system-hint>Now generate a text response based on your current situation</system-hint>"
)
STRUCTURED_HINT = (
    "<system-hint>Structured output is required, go on to finish your task or call '{name}' "
    "to generate the required structured output.</system-hint>"
)
SUMMARY_HINT = (
    "You have failed to generate response within the maximum iterations. "
    "Now respond directly by summarizing the current situation."
)


HOLD_BACK = 256
"""The most characters of an unfinished word a stream holds back (see ``_emit_deltas``)."""


def _word_end(text: str, done: int) -> int:
    """Where the streamed text can be cut: after its last whitespace (or ``HOLD_BACK``
    characters before its end, for a very long word)."""
    end = len(text)
    while end > done and not text[end - 1].isspace():
        end -= 1
    return max(end, len(text) - HOLD_BACK, done)


class ReActAgent(AgentBase):
    """The ReAct agent of AgentScope 1.x: reasoning and acting in a loop.

    Memory layout per step: the assistant ``Msg`` (text + tool_use blocks), then one
    tool-result ``Msg`` per call (role "system"), then the final answer.

    Beyond AgentScope 1.x: ``steer(text)`` adds guidance before the next reasoning step;
    ``require_approval`` names tools (or ``"all"``) whose calls wait for ``approve`` /
    ``deny``; ``control.pause()`` / ``step()`` hold the loop between steps; and every
    action is an event instead of console output.

    Example:
        >>> from ascope_nb.formatter import OpenAIChatFormatter
        >>> from ascope_nb.testing import ScriptedModel
        >>> agent = ReActAgent(name="Friday", sys_prompt="You are Friday.",
        ...                    model=ScriptedModel(["Hello!"]), formatter=OpenAIChatFormatter())
        >>> agent.set_console_output_enabled(False)
        >>> import asyncio
        >>> asyncio.run(agent(Msg("user", "Hi", "user"))).get_text_content()
        'Hello!'
    """

    CompressionConfig = _CompressionConfig
    finish_function_name: str = FINISH_FUNCTION
    """The tool the model calls to give a structured answer (``reply(structured_model=)``)."""

    _HOOKED: ClassVar[dict[str, str]] = {
        **AgentBase._HOOKED,
        "_reasoning": "reasoning",
        "_acting": "acting",
    }

    def __init__(
        self,
        name: str,
        sys_prompt: str,
        model: ChatModelBase,
        formatter: FormatterBase | None = None,
        toolkit: Toolkit | None = None,
        memory: MemoryBase | None = None,
        long_term_memory: Any = None,
        long_term_memory_mode: str = "both",
        enable_meta_tool: bool = False,
        parallel_tool_calls: bool = False,
        knowledge: Any = None,
        enable_rewrite_query: bool = True,
        plan_notebook: Any = None,
        print_hint_msg: bool = False,
        max_iters: int = 10,
        tts_model: Any = None,
        compression_config: _CompressionConfig | None = None,
        *,
        require_approval: str | Collection[str] | None = None,
    ) -> None:
        super().__init__(name)
        if not isinstance(model, ChatModelBase) and not callable(model):
            raise ConfigError(f"model must be a ChatModelBase, got {type(model).__name__}")
        if tts_model is not None and not callable(getattr(tts_model, "synthesize", None)):
            raise ConfigError(f"tts_model must be a TTSModelBase, got {type(tts_model).__name__}")
        self.tts_model = tts_model
        if not isinstance(max_iters, int) or max_iters < 1:
            raise ConfigError(f"max_iters must be a positive integer, got {max_iters!r}")
        self._sys_prompt = sys_prompt
        self.model = model
        self.formatter = formatter if formatter is not None else formatter_for_model(model)
        self.toolkit = toolkit if toolkit is not None else Toolkit()
        self.memory = memory if memory is not None else InMemoryMemory()
        self.parallel_tool_calls = parallel_tool_calls
        self.max_iters = max_iters
        self.enable_meta_tool = enable_meta_tool
        self.print_hint_msg = print_hint_msg
        self.compression_config = compression_config
        setup_knowledge(self, long_term_memory, long_term_memory_mode, knowledge)
        self.enable_rewrite_query = enable_rewrite_query
        self.control = AgentControl(require_approval=require_approval)
        self.plan_notebook: PlanNotebook | None = None
        setup_plan(self, plan_notebook, enable_meta_tool)
        self._step = 0
        self._step_end: Event | None = None  # the StepEnded to have on disk before a model call
        self._finished_results: dict[str, Msg] = {}
        self._structured_output: dict[str, Any] | None = None
        self._shown_run: str | None = None  # the run whose events carried ``_shown``'s msgs
        self._shown: set[str] = set()
        self._prompt_parts: tuple[int, list[Msg]] = (-1, [])
        self._required_structured_model: type[BaseModel] | None = None
        self._finish_tool: dict[str, Any] | None = None
        self._run_structured_model: type[BaseModel] | None = None
        self.register_state("name")
        self.register_state("_sys_prompt")  # AgentScope 1.x's key: session files interchange

    @property
    def sys_prompt(self) -> str:
        """The system prompt; with agent skills registered on the toolkit, their block is
        appended after a blank line (as in AgentScope 1.x)."""
        skills = self.toolkit.get_agent_skill_prompt()
        return f"{self._sys_prompt}\n\n{skills}" if skills else self._sys_prompt

    @sys_prompt.setter
    def sys_prompt(self, value: str) -> None:
        self._sys_prompt = value

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> None:
        """Restore a saved state; also reads states saved before ``_sys_prompt`` and
        ``toolkit`` were stored (older ascope_nb sessions)."""
        state = dict(state_dict)
        if "sys_prompt" in state and "_sys_prompt" not in state:
            state["_sys_prompt"] = state.pop("sys_prompt")
        state.setdefault("toolkit", self.toolkit.state_dict())
        if self.plan_notebook is not None:  # a state saved before the agent had a plan
            state.setdefault("plan_notebook", self.plan_notebook.state_dict())
        super().load_state_dict(state, strict=strict)

    # --------------------------------------------------------------- steering shortcuts
    def steer(self, text: str) -> None:
        """Add guidance before the next reasoning step (recorded as a hint event)."""
        self.control.steer(text)

    def _run_metadata(self) -> dict[str, Any]:
        tools = self.toolkit.get_json_schemas()
        structured = self._run_structured_model
        if structured is not None:  # the finish tool the model sees (records list it too)
            tools = [*tools, _finish_schema(structured, self.finish_function_name)]
        return {
            "agent_class": type(self).__name__,
            "sys_prompt": self.sys_prompt,
            "tools": tools,
            "max_iters": self.max_iters,
        }

    async def _call_in_new_run(self, ctx: Any, *args: Any, **kwargs: Any) -> Any:
        structured = kwargs.get("structured_model", args[1] if len(args) > 1 else None)
        self._run_structured_model = structured if isinstance(structured, type) else None
        try:
            return await super()._call_in_new_run(ctx, *args, **kwargs)
        finally:
            self._run_structured_model = None

    # --------------------------------------------------------------- the model's input
    async def _reply_context(self) -> dict[str, Any]:
        """The memory the reply starts from, recorded once per reply so every model call's
        exact input can be rebuilt from the events (messages this run's events already
        carry are named by id only)."""
        ctx = current_run.get()
        run_id = ctx.run_id if ctx is not None else ""
        if run_id != self._shown_run:
            self._shown_run, self._shown = run_id, set()
        history = await self.memory.get_memory()
        shown = self._shown
        fresh = [m.to_dict() for m in history if m.id not in shown]
        ids = [m.id for m in history]
        shown.update(ids)
        if ctx is not None:  # a server may reuse the ids of calls already in memory
            ctx.call_ids.update(
                b["id"]
                for m in history
                if m.role == "assistant"
                for b in m.get_content_blocks("tool_use")
            )
        return {
            "memory_ids": ids,
            "memory": fresh,
            "sys_prompt": self.sys_prompt,
            "formatter": type(self.formatter).__name__,
        }

    def _emit(self, event: Event) -> Event:
        # AgentBase._emit, inlined (every event of every step passes here)
        if not event.agent:
            event.agent = self.name
        if not event.reply_id:
            event.reply_id = current_reply.get()
        ctx = current_run.get()
        if ctx is None:
            ctx = RunContext("")  # outside any run (e.g. a direct observe): no run id
        event = ctx.emit(event, self._event_subscribers)
        if event.run_id and event.run_id == self._shown_run:  # note the msgs this run carries
            msg = getattr(event, "msg", None)
            if msg is not None:
                self._shown.add(msg.get("id", ""))
            elif isinstance(event, ReplyStarted):
                self._shown.update(m.get("id", "") for m in event.input)
        return event

    # --------------------------------------------------------------- the loop
    async def observe(self, msg: Msg | list[Msg] | None) -> None:
        """Keep a broadcast message in memory (MsgHub)."""
        from ..events import MessageObserved

        await self.memory.add(msg)
        for item in [msg] if isinstance(msg, Msg) else msg or []:
            self._emit(MessageObserved(observer=self.name, msg=item.to_dict()))

    async def reply(
        self, msg: Msg | list[Msg] | None = None, structured_model: type[BaseModel] | None = None
    ) -> Msg:
        """Answer ``msg``: reason and act until the model answers without tool calls.

        With ``structured_model`` the model must call ``finish_function_name``; the validated
        fields become the reply's ``metadata`` and, if that call came without text, one
        more model call (``tool_choice="none"``) writes the reply's text.
        """
        await self.memory.add(msg)
        await retrieve_before_reply(self, msg)
        reply = await self._react_loop(structured_model)
        if self.tts_model is not None:
            await speak(self, reply)
        await record_after_reply(self)
        return reply

    async def _react_loop(self, structured_model: type[BaseModel] | None) -> Msg:
        self._finished_results = {}
        self._structured_output = None
        self._required_structured_model = structured_model
        self._finish_tool = (
            _finish_schema(structured_model, self.finish_function_name)
            if structured_model
            else None
        )
        tool_choice: str | None = "required" if structured_model is not None else None
        structured: dict[str, Any] | None = None
        for step in range(self.max_iters):
            self._step = step
            await self._step_durable()
            control = self.control
            if control.paused:  # (each guard spares a coroutine on the common path)
                await control.wait_before_step(self._emit)
            if self.plan_notebook is not None:
                await plan_before_step(self)
            if control.has_hints:
                await self._inject_hints()
            if self.compression_config is not None:
                await compress_memory_if_needed(self)
            self._emit(StepStarted(step=self._step))
            reasoning = await self._reasoning(tool_choice)
            calls: list[ToolUseBlock] = reasoning.get_content_blocks("tool_use")
            if calls:
                await self._act_all(calls)
            await self._end_step()
            if self._required_structured_model is not None:
                if self._structured_output is not None:
                    structured, self._structured_output = self._structured_output, None
                    if reasoning.has_content_blocks("text"):
                        return await self._finish(reasoning, metadata=structured)
                    self.control.steer(WRITE_TEXT_HINT, source="system")
                    self._required_structured_model, tool_choice = None, "none"
                elif not calls:
                    self.control.steer(
                        STRUCTURED_HINT.format(name=self.finish_function_name), source="system"
                    )
                    tool_choice = "required"
            elif not calls:
                if structured is not None:
                    reasoning.metadata = {**(reasoning.metadata or {}), **structured}
                return reasoning
        reply = await self._summarizing()
        if structured is not None:
            reply.metadata.update(structured)
        return reply

    async def _end_step(self) -> None:
        """Emit ``StepEnded``; the step is made durable before this agent's next step
        (``_step_durable``), so a killed kernel loses nothing that was shown before the next
        model call. A reply's last step is not waited for: no model call of it follows."""
        self._step_end = self._emit(StepEnded(step=self._step))

    async def _step_durable(self) -> None:
        """When a run store is attached, wait until the last ended step is committed."""
        event, self._step_end = self._step_end, None
        if event is not None and hooks.wait_durable.is_set and event.run_id:
            await hooks.wait_durable(event.run_id, event.seq)

    async def _inject_hints(self) -> None:
        for text, source in self.control.take_hints():
            hint = Msg("user", text, "user", metadata={"hint": True, "source": source})
            await self.memory.add(hint, marks="hint")
            self._emit(HintInjected(text=text, source=source, step=self._step))
            self._emit(MessageCompleted(msg=hint.to_dict()))

    async def _format_prompt(self, extra: list[Msg] | None = None) -> list[dict[str, Any]]:
        if self.compression_config is not None and self.compression_config.enable:
            history = await self.memory.get_memory(exclude_mark=COMPRESSED_MARK)
        else:
            history = await self.memory.get_memory()
        self._prompt_parts = (len(history), list(extra or []))  # recorded by ModelCallStarted
        return await self.formatter.format([self._system_msg(), *history, *(extra or [])])

    def _system_msg(self) -> Msg:
        """The system prompt as a Msg, reused while the prompt is unchanged (keeps formatter
        caches warm: the prompt is the same message from step to step)."""
        cached = getattr(self, "_sys_msg", None)
        if cached is None or cached.content != self.sys_prompt:
            cached = self._sys_msg = Msg("system", self.sys_prompt, "system")
        return cached

    async def _reasoning(self, tool_choice: str | None = None) -> Msg:
        """One model call; streams text into events; the answer joins the memory."""
        tools = self.toolkit.get_json_schemas()
        if self._finish_tool is not None:  # offered for the whole reply, as in AgentScope
            tools = [*tools, self._finish_tool]
        extra = await plan_hint(self) if self.plan_notebook is not None else None
        prompt = await self._format_prompt(extra=extra)
        return await self._call_model(prompt, tools=tools or None, tool_choice=tool_choice)

    async def _call_model(
        self,
        prompt: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None,
        tool_choice: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> Msg:
        msg = Msg(self.name, [], "assistant", metadata=dict(metadata or {}))
        model_name = getattr(self.model, "model_name", type(self.model).__name__)
        n_memory, extra = self._prompt_parts
        self._prompt_parts = (-1, [])
        self._emit(
            ModelCallStarted(
                step=self._step,
                model=model_name,
                msg_id=msg.id,
                n_messages=len(prompt),
                n_memory=n_memory,
                extra=[m.to_dict() for m in extra],
            )
        )
        started = time.perf_counter()
        sent: dict[int, int] = {}
        usage = None
        try:
            response = await self.model(prompt, tools=tools, tool_choice=tool_choice)
            if isinstance(response, ChatResponse):
                self._emit_deltas(msg.id, response, sent, final=True)
                msg.content, usage = list(response.content), response.usage
            else:
                async for chunk in response:
                    self._emit_deltas(msg.id, chunk, sent)
                    msg.content = list(chunk.content)
                    usage = chunk.usage or usage
                self._flush_deltas(msg, sent)
        except asyncio.CancelledError:
            self._flush_deltas(msg, sent)
            await self._keep_partial(msg, started, usage, "interrupted")
            raise
        except Exception as exc:
            self._flush_deltas(msg, sent)
            self._model_call_ended(msg, started, error=f"{type(exc).__name__}: {exc}")
            raise
        self._model_call_ended(msg, started, usage=usage.to_dict() if usage else None)
        await self._complete(msg)
        return msg

    def _model_call_ended(
        self,
        msg: Msg,
        started: float,
        *,
        usage: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        self._emit(
            ModelCallEnded(
                step=self._step,
                model=getattr(self.model, "model_name", type(self.model).__name__),
                msg_id=msg.id,
                usage=usage,
                latency=time.perf_counter() - started,
                error=error,
            )
        )

    async def _complete(self, msg: Msg) -> None:
        """Announce the tool calls of a finished model answer and keep it in memory."""
        if isinstance(msg.content, list):  # a reused id would lose a result
            ctx = current_run.get()
            msg.content = unique_call_ids(msg.content, ctx.call_ids if ctx is not None else None)
        for block in msg.get_content_blocks("tool_use"):
            self._emit(
                ToolCall(
                    step=self._step,
                    msg_id=msg.id,
                    tool_call_id=block["id"],
                    name=block["name"],
                    input=dict(block.get("input") or {}),
                    source=self._tool_source(block["name"]),
                )
            )
        await self.memory.add(msg)
        self._emit(MessageCompleted(msg=msg.to_dict()))

    async def _keep_partial(self, msg: Msg, started: float, usage: Any, error: str) -> None:
        """On interrupt mid-stream keep the partial answer so memory shows what was said."""
        self._model_call_ended(msg, started, error=error)
        if msg.content:
            await self._complete(msg)

    def _flush_deltas(self, msg: Msg, sent: dict[int, int]) -> None:
        if isinstance(msg.content, list) and msg.content:
            self._emit_deltas(msg.id, ChatResponse(content=list(msg.content)), sent, final=True)  # type: ignore[arg-type]

    def _emit_deltas(
        self, msg_id: str, chunk: ChatResponse, sent: dict[int, int], *, final: bool = False
    ) -> None:
        """Emit the new text of each block. Until ``final``, the last word is held back (up
        to ``HOLD_BACK`` characters): a secret streamed in pieces reaches the redaction layer
        whole, in one delta."""
        for index, block in enumerate(chunk.content):
            kind = block.get("type")
            if kind == "text":
                text = block["text"]  # type: ignore[typeddict-item]
                event_cls: type[TextDelta] | type[ThinkingDelta] = TextDelta
            elif kind == "thinking":
                text = block["thinking"]  # type: ignore[typeddict-item]
                event_cls = ThinkingDelta
            else:
                continue
            done = sent.get(index, 0)
            end = len(text) if final else _word_end(text, done)
            if end > done:
                sent[index] = end
                self._emit(
                    event_cls(msg_id=msg_id, block_id=f"{msg_id}:{index}", delta=text[done:end])
                )

    def _tool_source(self, name: str) -> str:
        tool = self.toolkit.tools.get(name) if hasattr(self.toolkit, "tools") else None
        return str(getattr(tool, "source", "") or "") if tool is not None else ""

    # --------------------------------------------------------------- acting
    async def _act_all(self, calls: list[ToolUseBlock]) -> None:
        if self.parallel_tool_calls and len(calls) > 1:
            await asyncio.gather(*(self._acting(call) for call in calls))
        else:
            for call in calls:
                await self._acting(call)
        for call in calls:  # results join the memory in call order
            result = self._finished_results.pop(call["id"], None)
            if result is not None:
                await self.memory.add(result)

    async def _acting(self, tool_call: ToolUseBlock) -> dict[str, Any] | None:
        """Run one tool call (after approval if required) and record its result; returns
        the structured output when this was a valid ``finish_function_name`` call."""
        started = time.perf_counter()
        name = tool_call["name"]
        structured_model = self._required_structured_model
        if name == self.finish_function_name and structured_model is not None:
            self._record_result(
                tool_call, *self._check_structured(tool_call, structured_model), started
            )
            return self._structured_output
        await self._run_tool(tool_call, started)
        return None

    async def _run_tool(self, tool_call: ToolUseBlock, started: float) -> None:
        name = tool_call["name"]
        if self.control.needs_approval(name):
            decision = await self.control.request_approval(dict(tool_call), self._emit)
            if decision.decision == "denied":
                reason = f" Reason: {decision.reason}" if decision.reason else ""
                text = f"The user denied the tool call {name!r}.{reason}"
                self._record_result(tool_call, [{"type": "text", "text": text}], "denied", started)
                return
            if decision.decision == "edited":
                tool_call["input"] = decision.input
                tool_call.pop("raw_input", None)
        output: list[dict[str, Any]] = []
        state: ToolState = "success"
        seen = 0
        try:
            async for chunk in self.toolkit.call_tool_function(tool_call):
                seen += 1
                output = list(chunk.content)  # type: ignore[arg-type]
                state = _state_of(chunk)
                if chunk.stream or not chunk.is_last or seen > 1:  # a streaming tool
                    self._emit(ToolProgress(tool_call_id=tool_call["id"], name=name, output=output))
        except asyncio.CancelledError:
            partial = [*output, {"type": "text", "text": INTERRUPTED_TEXT}]
            if state == "interrupted":  # the toolkit already noted the interruption
                partial = output
            self._record_result(tool_call, partial, "interrupted", started)
            raise
        except Exception as exc:  # a streaming tool raised (or a toolkit bug): never crash
            output = [*output, {"type": "text", "text": exception_text(exc)}]
            state = "error"
        self._record_result(tool_call, output, state, started)

    def _check_structured(
        self, tool_call: ToolUseBlock, structured_model: type[BaseModel]
    ) -> tuple[list[dict[str, Any]], ToolState]:
        try:
            value = structured_model.model_validate(tool_call.get("input") or {})
        except ValidationError as exc:
            errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            return [
                {
                    "type": "text",
                    "text": f"Invalid arguments for {self.finish_function_name!r}: {errors}. "
                    "Call it again with valid arguments.",
                }
            ], "error"
        self._structured_output = value.model_dump(mode="json")
        return [{"type": "text", "text": "Successfully generated response."}], "success"

    def _record_result(
        self,
        tool_call: ToolUseBlock,
        output: list[dict[str, Any]],
        state: ToolState,
        started: float,
    ) -> None:
        block: ToolResultBlock = {
            "type": "tool_result",
            "id": tool_call["id"],
            "name": tool_call["name"],
            "output": output,  # type: ignore[typeddict-item]
        }
        result = Msg("system", [block], "system")
        self._finished_results[tool_call["id"]] = result
        self._emit(
            ToolResult(
                step=self._step,
                msg_id=result.id,
                tool_call_id=tool_call["id"],
                name=tool_call["name"],
                output=output,
                state=state,
                duration=time.perf_counter() - started,
            )
        )
        self._emit(MessageCompleted(msg=result.to_dict()))

    # --------------------------------------------------------------- endings
    async def _finish(self, reasoning: Msg, *, metadata: dict[str, Any]) -> Msg:
        text = reasoning.get_text_content() or json.dumps(metadata, ensure_ascii=False)
        reply = Msg(self.name, text, "assistant", metadata=dict(metadata))
        await self.memory.add(reply)
        self._emit(MessageCompleted(msg=reply.to_dict()))
        return reply

    async def _summarizing(self) -> Msg:
        """After ``max_iters`` steps: one last call, without tools, asking for a summary."""
        await self._step_durable()
        self._step = self.max_iters
        self._emit(StepStarted(step=self._step))
        prompt = await self._format_prompt(extra=[Msg("user", SUMMARY_HINT, "user")])
        # the status is set before the answer is announced, so its events say it too
        status = {"_status": "max_iters"}
        reply = await self._call_model(prompt, tools=None, tool_choice=None, metadata=status)
        await self._end_step()
        return reply

    async def handle_interrupt(self, *args: Any, **kwargs: Any) -> Msg:
        """Give every pending tool call an "interrupted" result, then answer that we stopped."""
        history = await self.memory.get_memory()
        answered = {b["id"] for m in history for b in m.get_content_blocks("tool_result")}
        for msg in history:
            for call in msg.get_content_blocks("tool_use"):
                if call["id"] in answered:
                    continue
                result = self._finished_results.pop(call["id"], None)
                if result is None:
                    self._record_result(
                        call,
                        [{"type": "text", "text": INTERRUPTED_TEXT}],
                        "interrupted",
                        time.perf_counter(),
                    )
                    result = self._finished_results.pop(call["id"])
                await self.memory.add(result)
        reply = await super().handle_interrupt(*args, **kwargs)
        await self.memory.add(reply)
        self._emit(MessageCompleted(msg=reply.to_dict()))
        return reply


def _state_of(chunk: ToolResponse) -> ToolState:
    if chunk.is_interrupted:
        return "interrupted"
    if chunk.metadata and chunk.metadata.get("success") is False:
        return "error"
    return "success"


def _finish_schema(structured_model: type[BaseModel], name: str) -> dict[str, Any]:
    """The finish tool AgentScope 1.x offers: the model's fields, without titles."""
    from ..tool._schema import strip_titles

    schema = structured_model.model_json_schema()
    schema.pop("description", None)
    strip_titles(schema)
    return {
        "type": "function",
        "function": {
            "name": name,
            "parameters": schema,
            "description": "Generate required structured output by this function and return it",
        },
    }
