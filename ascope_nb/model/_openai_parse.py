"""Build ``ChatResponse`` objects from OpenAI chat completions and streamed chunks."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import shortuuid

from ..message import TextBlock, ThinkingBlock, ToolUseBlock
from ._partial_json import parse_arguments, parse_partial_object
from ._response import ChatResponse, ChatUsage, ResponseBlock


def _reasoning_of(obj: Any) -> str:
    """``reasoning_content`` (DeepSeek, DashScope, vLLM) or ``reasoning`` (Ollama, OpenRouter)."""
    for name in ("reasoning_content", "reasoning"):
        value = getattr(obj, name, None)
        if isinstance(value, str):
            return value
    return ""


def _timings_of(obj: Any, ttft: float | None) -> dict[str, Any] | None:
    """Time to first token and llama.cpp's ``timings`` (speeds, cached prompt tokens)."""
    out: dict[str, Any] = {} if ttft is None else {"ttft": round(ttft, 4)}
    timings = getattr(obj, "timings", None)
    if isinstance(timings, dict):
        for key, name in (
            ("prompt_per_second", "prompt_tok_s"),
            ("predicted_per_second", "gen_tok_s"),
            ("cache_n", "cached_tokens"),
            ("prompt_n", "prompt_tokens_processed"),
        ):
            value = timings.get(key)
            if isinstance(value, (int, float)):
                out[name] = round(value, 2) if isinstance(value, float) else value
    return out or None


def _usage_of(
    usage: Any, started: float, metadata: dict[str, Any] | None = None
) -> ChatUsage | None:
    if usage is None:
        return None
    return ChatUsage(
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        time=time.monotonic() - started,
        metadata=metadata,
    )


def _tool_block(
    call_id: str, name: str, raw: str, *, final: bool, streamed: bool = True
) -> ToolUseBlock:
    """A ``tool_use`` block. Streamed blocks keep ``raw_input`` (the argument string); a
    reply that was not streamed has it only when the arguments are not valid JSON, so
    the toolkit can tell the model (AgentScope 1.x leaves it out there)."""
    if final:
        parsed = parse_arguments(raw)
        args = parsed if parsed is not None else {}
    else:
        parsed, args = None, parse_partial_object(raw)
    block = ToolUseBlock(type="tool_use", id=call_id, name=name, input=args)
    if streamed or parsed is None:
        block["raw_input"] = raw
    return block


def parse_structured(text: str, structured_model: Any) -> dict[str, Any]:
    """Validate the JSON text against the pydantic model; returns the dumped dict.

    Raises:
        ValueError: The text is not JSON that matches the model.
    """
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    data = json.loads(body)
    return dict(structured_model.model_validate(data).model_dump(mode="json"))


def completion_to_response(
    completion: Any, *, started: float, structured_model: Any | None = None
) -> ChatResponse:
    """A non-streaming ``ChatCompletion`` as a ``ChatResponse``."""
    blocks: list[ResponseBlock] = []
    metadata: dict[str, Any] | None = None
    if completion.choices:
        message = completion.choices[0].message
        reasoning = _reasoning_of(message)
        if reasoning:
            blocks.append(ThinkingBlock(type="thinking", thinking=reasoning))
        if message.content:
            blocks.append(TextBlock(type="text", text=message.content))
        for call in message.tool_calls or []:
            fn = getattr(call, "function", None)
            if fn is None:
                continue
            blocks.append(
                _tool_block(
                    call.id or f"call_{shortuuid.uuid()[:12]}",
                    fn.name or "",
                    fn.arguments or "",
                    final=True,
                    streamed=False,
                )
            )
        if structured_model is not None:
            metadata = parse_structured(message.content or "", structured_model)
    return ChatResponse(
        content=blocks,
        usage=_usage_of(completion.usage, started, _timings_of(completion, None)),
        metadata=metadata,
    )


@dataclass
class _ToolCallDraft:
    id: str
    name: str
    arguments: str = ""
    generated_id: bool = False


@dataclass
class StreamAccumulator:
    """Folds streamed ``ChatCompletionChunk`` deltas into cumulative ``ChatResponse`` chunks.

    Tool calls are assembled by ``index``: id and name come with the first delta of a
    call, argument fragments after it.
    """

    started: float
    structured_model: Any | None = None
    thinking: str = ""
    text: str = ""
    calls: dict[int, _ToolCallDraft] = field(default_factory=dict)
    usage: ChatUsage | None = None
    chunks: int = 0
    finish_reason: str | None = None
    first_token: float | None = None
    """Seconds from ``started`` to the first content delta."""
    timings_from: Any = None
    """The chunk with the server's ``timings`` (llama.cpp), if any."""

    def add(self, chunk: Any) -> bool:
        """Fold one chunk in; True when it changed the content."""
        self.chunks += 1
        if getattr(chunk, "timings", None) is not None:
            self.timings_from = chunk
        if getattr(chunk, "usage", None) is not None:
            self.usage = _usage_of(chunk.usage, self.started)
        if not chunk.choices:
            return False
        choice = chunk.choices[0]
        self.finish_reason = choice.finish_reason or self.finish_reason
        delta = choice.delta
        if delta is None:
            return False
        changed = False
        if self.first_token is None and (delta.content or delta.tool_calls or _reasoning_of(delta)):
            self.first_token = time.monotonic() - self.started
        reasoning = _reasoning_of(delta)
        if reasoning:
            self.thinking += reasoning
            changed = True
        if delta.content:
            self.text += delta.content
            changed = True
        for position, call in enumerate(delta.tool_calls or []):
            index = call.index if call.index is not None else len(self.calls) + position
            fn = call.function
            draft = self.calls.get(index)
            if draft is None:
                draft = self.calls[index] = _ToolCallDraft(
                    id=call.id or f"call_{shortuuid.uuid()[:12]}", name="", generated_id=not call.id
                )
            elif call.id and draft.generated_id:
                draft.id, draft.generated_id = call.id, False
            if fn is not None:
                if fn.name and not draft.name:
                    draft.name = fn.name
                if fn.arguments:
                    draft.arguments += fn.arguments
            changed = True
        return changed

    def response(self, *, final: bool) -> ChatResponse:
        """The cumulative response so far (``final``: strict argument parsing, metadata)."""
        blocks: list[ResponseBlock] = []
        if self.thinking:
            blocks.append(ThinkingBlock(type="thinking", thinking=self.thinking))
        if self.text:
            blocks.append(TextBlock(type="text", text=self.text))
        for index in sorted(self.calls):
            d = self.calls[index]
            blocks.append(_tool_block(d.id, d.name, d.arguments, final=final))
        metadata: dict[str, Any] | None = None
        if self.structured_model is not None:
            if final:
                metadata = parse_structured(self.text, self.structured_model)
            elif self.text:
                metadata = parse_partial_object(self.text)
        if self.usage is not None and self.usage.metadata is None:
            self.usage.metadata = _timings_of(self.timings_from, self.first_token)
        return ChatResponse(content=blocks, usage=self.usage, metadata=metadata)
