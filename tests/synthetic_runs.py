"""Event lists shaped exactly like a ``ReActAgent`` run, for tests, benchmarks and examples.

The order per step is the agent's: [hints] StepStarted, ModelCallStarted, Thinking/Text
deltas, ModelCallEnded, ToolCall..., MessageCompleted(assistant), then per call
[ApprovalRequested, ApprovalResolved] ToolResult, MessageCompleted(tool result), StepEnded.
Ids and timestamps are deterministic, so exports of these runs are reproducible.

Example:
    >>> run = SyntheticRun("r1", user="What is 1 + 2?")
    >>> run.step(calls=[("add", {"a": 1, "b": 2}, "3")])
    >>> run.answer("3")
    >>> [e.kind for e in run.finish()][:3]
    ['run_started', 'reply_started', 'step_started']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

from ascope_nb.events import (
    ApprovalRequested,
    ApprovalResolved,
    Event,
    FeedbackGiven,
    HintInjected,
    MessageCompleted,
    ModelCallEnded,
    ModelCallStarted,
    ReplyEnded,
    ReplyStarted,
    RunEnded,
    RunStarted,
    StepEnded,
    StepStarted,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolResult,
)

TIMESTAMP = "2025-01-01 12:00:00.000"

# (tool name, input, output text) or (name, input, output, decision, edited input / reason)
CallSpec = tuple[Any, ...]


def tool_schema(name: str, **params: str) -> dict[str, Any]:
    """An OpenAI function schema like ``Toolkit.get_json_schemas()`` builds."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"The {name} tool.",
            "parameters": {
                "type": "object",
                "properties": {p: {"type": t} for p, t in params.items()},
                "required": list(params),
            },
        },
    }


class SyntheticRun:
    """Build one run's events step by step; ``finish()`` returns them."""

    def __init__(
        self,
        run_id: str,
        *,
        agent: str = "Friday",
        user: str = "Hello",
        sys_prompt: str | None = "You are a helpful assistant.",
        tools: Sequence[dict[str, Any]] = (),
        model: str = "scripted",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.run_id, self.agent, self.model = run_id, agent, model
        self.reply_id = f"{run_id}-reply"
        self.events: list[Event] = []
        self._n = 0
        self._step = 0
        self._ts = 1_700_000_000.0
        self._answer: dict[str, Any] | None = None
        self._hints: list[tuple[str, Literal["human", "system"]]] = []
        self._feedback: list[FeedbackGiven] = []
        user_msg = self._msg("user", "user", user)
        meta: dict[str, Any] = {"agent_class": "ReActAgent", "max_iters": 10}
        if sys_prompt is not None:
            meta["sys_prompt"] = sys_prompt
            meta["tools"] = list(tools)
        meta.update(metadata or {})
        self._emit(
            RunStarted(input=[user_msg], title=agent, model=model, metadata=meta), reply=False
        )
        self._emit(ReplyStarted(input=[user_msg]))

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{self.run_id}-{prefix}{self._n}"

    def _msg(self, name: str, role: str, content: Any, **meta: Any) -> dict[str, Any]:
        return {
            "id": self._id("m"),
            "name": name,
            "role": role,
            "content": content,
            "metadata": dict(meta),
            "timestamp": TIMESTAMP,
        }

    def _emit(self, event: Event, *, reply: bool = True) -> None:
        event.run_id, event.agent, event.seq = self.run_id, self.agent, len(self.events)
        event.reply_id = self.reply_id if reply else ""
        self._ts += 0.001
        event.ts = self._ts
        self.events.append(event)

    def hint(self, text: str, *, source: Literal["human", "system"] = "human") -> None:
        """Guidance, injected before the next step (as the agent does)."""
        self._hints.append((text, source))

    def step(
        self,
        *,
        text: str = "",
        thinking: str = "",
        calls: Sequence[CallSpec] = (),
        interrupted_model: bool = False,
    ) -> None:
        """One ReAct step: the model says ``text`` and makes ``calls``, then the tools answer.

        A call is ``(name, input, output)`` optionally followed by a decision:
        ``"approved"``, ``("edited", new_input)``, ``("denied", reason)``, or ``"error"``.
        """
        for hint_text, source in self._hints:
            self._emit(HintInjected(text=hint_text, source=source, step=self._step))
            hint_msg = self._msg("user", "user", hint_text, hint=True, source=source)
            self._emit(MessageCompleted(msg=hint_msg))
        self._hints = []
        step = self._step
        self._emit(StepStarted(step=step))
        msg = self._msg(self.agent, "assistant", [])
        self._emit(ModelCallStarted(step=step, model=self.model, msg_id=msg["id"], n_messages=2))
        blocks: list[dict[str, Any]] = []
        for kind, value in (("thinking", thinking), ("text", text)):
            if value:
                block_id = f"{msg['id']}:{len(blocks)}"
                half = len(value) // 2
                cls = ThinkingDelta if kind == "thinking" else TextDelta
                for piece in (value[:half], value[half:]):
                    if piece:
                        self._emit(cls(msg_id=msg["id"], block_id=block_id, delta=piece))
                blocks.append({"type": kind, kind: value})
        parsed = []
        for spec in calls:
            call_id = self._id("call")
            block = {"type": "tool_use", "id": call_id, "name": spec[0], "input": dict(spec[1])}
            blocks.append(block)
            parsed.append((block, spec))
        usage = {"input_tokens": 10, "output_tokens": 5, "time": 0.01, "type": "chat"}
        error = "interrupted" if interrupted_model else None
        self._emit(
            ModelCallEnded(
                step=step,
                model=self.model,
                msg_id=msg["id"],
                usage=usage,
                latency=0.01,
                error=error,
            )
        )
        for block, _ in parsed:
            self._emit(
                ToolCall(
                    step=step,
                    msg_id=msg["id"],
                    tool_call_id=block["id"],
                    name=block["name"],
                    input=dict(block["input"]),
                )
            )
        msg["content"] = blocks
        self._emit(MessageCompleted(msg=msg))
        for block, spec in parsed:
            self._act(step, block, spec)
        self._emit(StepEnded(step=step))
        self._step += 1
        if not parsed:
            self._answer = msg

    def _act(self, step: int, block: dict[str, Any], spec: CallSpec) -> None:
        name, inputs, output = spec[0], dict(spec[1]), spec[2]
        decision = spec[3] if len(spec) > 3 else None
        state = "success"
        if decision is not None and decision != "error":
            self._emit(ApprovalRequested(tool_call_id=block["id"], name=name, input=inputs))
            kind = cast(
                Literal["approved", "denied", "edited"],
                decision if isinstance(decision, str) else decision[0],
            )
            extra: Any = decision[1] if isinstance(decision, tuple) else None
            new_input = (
                dict(extra or {}) if kind == "edited" else (inputs if kind == "approved" else {})
            )
            reason = extra if kind == "denied" and isinstance(extra, str) else ""
            self._emit(
                ApprovalResolved(
                    tool_call_id=block["id"],
                    name=name,
                    decision=kind,
                    input=new_input,
                    original_input=inputs,
                    reason=reason,
                )
            )
            if kind == "denied":
                state = "denied"
                output = f"The user denied the tool call {name!r}." + (
                    f" Reason: {reason}" if reason else ""
                )
        elif decision == "error":
            state = "error"
        out_blocks = [{"type": "text", "text": output}]
        result_block = {
            "type": "tool_result",
            "id": block["id"],
            "name": name,
            "output": out_blocks,
        }
        result = self._msg("system", "system", [result_block])
        self._emit(
            ToolResult(
                step=step,
                msg_id=result["id"],
                tool_call_id=block["id"],
                name=name,
                output=out_blocks,
                state=state,  # type: ignore[arg-type]
                duration=0.001,
            )
        )
        self._emit(MessageCompleted(msg=result))

    def answer(self, text: str, *, thinking: str = "") -> None:
        """The final step: text without tool calls."""
        self.step(text=text, thinking=thinking)

    def feedback(
        self,
        *,
        score: float | None = None,
        label: Literal["up", "down"] | None = None,
        comment: str = "",
        step: int | None = None,
    ) -> None:
        """A person's judgement (recorded after the run ends, as ``Run.feedback`` does)."""
        self._feedback.append(FeedbackGiven(score=score, label=label, comment=comment, step=step))

    def finish(
        self, *, status: Literal["completed", "interrupted", "error", "max_iters"] = "completed"
    ) -> list[Event]:
        """End the reply and the run; returns the events (feedback last)."""
        answer = self._answer
        self._emit(ReplyEnded(msg_id=answer["id"] if answer else "", status=status))
        self._emit(RunEnded(status=status, output=answer), reply=False)
        for item in self._feedback:
            self._emit(item, reply=False)
        return self.events


def demo_runs() -> list[list[Event]]:
    """Six runs covering what exporters must handle (used by tests, docs and benchmarks).

    1. two sequential tool calls, thumbs up; 2. parallel calls (one failing), score 0.2;
    3. an edited call; 4. a denied call, then another action; 5. human guidance after a
    step, plus a thumbs-down on step 0; 6. no system prompt, secrets in metadata, interrupted.
    """
    tools = [tool_schema("add", a="integer", b="integer"), tool_schema("search", query="string")]
    runs: list[list[Event]] = []

    r = SyntheticRun("run-plain", user="What is (1 + 2) + 4?", tools=tools)
    r.step(
        text="First 1 + 2.", thinking="Add step by step.", calls=[("add", {"a": 1, "b": 2}, "3")]
    )
    r.step(calls=[("add", {"a": 3, "b": 4}, "7")])
    r.answer("The answer is 7.")
    r.feedback(label="up", comment="right")
    runs.append(r.finish())

    r = SyntheticRun("run-parallel", user="Weather in Paris and Rome?", tools=tools)
    r.step(
        calls=[
            ("search", {"query": "Paris weather"}, "Sunny"),
            ("search", {"query": "Rome weather"}, "Timeout", "error"),
        ]
    )
    r.answer("Paris is sunny; Rome is unknown.")
    r.feedback(score=0.2)
    runs.append(r.finish())

    r = SyntheticRun("run-edited", user="Search for the ascope docs.", tools=tools)
    r.step(
        calls=[
            (
                "search",
                {"query": "ascope"},
                "ascope_nb docs",
                ("edited", {"query": "ascope_nb docs"}),
            )
        ]
    )
    r.answer("Here are the ascope_nb docs.")
    runs.append(r.finish())

    r = SyntheticRun("run-denied", user="Find my password.", tools=tools)
    r.step(
        text="Searching.", calls=[("search", {"query": "user password"}, "", ("denied", "private"))]
    )
    r.step(text="I cannot look that up; try a reset.", calls=[])
    r.feedback(label="up")
    runs.append(r.finish())

    r = SyntheticRun("run-hint", user="Add 2 and 2.", tools=tools)
    r.step(calls=[("search", {"query": "2 + 2"}, "4")])
    r.hint("Use the add tool, not search.")
    r.step(calls=[("add", {"a": 2, "b": 2}, "4")])
    r.answer("2 + 2 = 4.")
    r.feedback(label="down", step=0)
    runs.append(r.finish())

    r = SyntheticRun(
        "run-secret",
        user="Say hi. My key is sk-abcdefghijklmnopqrstuvwxyz",
        sys_prompt=None,
        metadata={
            "api_key": "sk-live-0123456789abcdefghij",
            "client": {"Authorization": "Bearer abcdefgh123"},
        },
    )
    r.answer("Hi!")
    runs.append(r.finish(status="interrupted"))
    return runs


__all__ = ["SyntheticRun", "tool_schema", "demo_runs", "TIMESTAMP"]
