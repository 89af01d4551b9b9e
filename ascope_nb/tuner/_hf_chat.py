"""``TransformersChatModel``: a chat model on an in-process ``transformers`` model (CPU).

The student during GRPO rollouts (each call's prompt and completion token ids are recorded
for the policy update) and the way to run an experiment on a base model with or without a
trained adapter (``load_adapter``) when no llama.cpp server is wanted.

Example:
    >>> model, tokenizer = load_adapter("adapters/v1")  # doctest: +SKIP
    >>> chat = TransformersChatModel(model, tokenizer, max_new_tokens=32)  # doctest: +SKIP
    >>> agent = ReActAgent(name="Friday", sys_prompt="...", model=chat, formatter=...)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._ids import new_id
from ..model import ChatModelBase, ChatResponse, ChatUsage
from ..model._base import ToolChoice

_TOOL_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.DOTALL)


@dataclass
class Generation:
    """One model call as token ids: what the policy saw and what it sampled."""

    prompt_ids: list[int]
    completion_ids: list[int]


class TransformersChatModel(ChatModelBase):
    """Answer with ``model.generate`` on this machine; tool calls are read from
    ``<tool_call>{"name": ..., "arguments": ...}</tool_call>`` (Qwen/Hermes style).

    ``temperature=0`` decodes greedily. While ``recording`` is a list, every call appends a
    ``Generation`` to it (the GRPO loop reads them).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str = "student",
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        top_p: float = 1.0,
    ) -> None:
        super().__init__(name, stream=False)
        self.model, self.tokenizer = model, tokenizer
        self.max_new_tokens, self.temperature, self.top_p = max_new_tokens, temperature, top_p
        self.recording: list[Generation] | None = None
        self._lock = threading.Lock()

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: ToolChoice | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        """Generate one reply (in a worker thread; calls run one at a time)."""
        started = time.monotonic()
        prompt_ids, completion_ids = await asyncio.to_thread(
            self._generate, plain_messages(messages), tools, kwargs
        )
        if self.recording is not None:
            self.recording.append(Generation(prompt_ids, completion_ids))
        text = self.tokenizer.decode(completion_ids, skip_special_tokens=True)
        return ChatResponse(
            content=response_blocks(text),
            usage=ChatUsage(
                input_tokens=len(prompt_ids),
                output_tokens=len(completion_ids),
                time=time.monotonic() - started,
            ),
        )

    def prompt_ids(self, messages: list[dict[str, Any]], tools: Any = None) -> list[int]:
        """The token ids of ``messages`` rendered by the chat template, ready to answer."""
        rendered = self.tokenizer.apply_chat_template(
            messages, tools=tools or None, add_generation_prompt=True, tokenize=False
        )
        return list(self.tokenizer(rendered, add_special_tokens=False)["input_ids"])

    def _generate(
        self, messages: list[dict[str, Any]], tools: Any, kwargs: dict[str, Any]
    ) -> tuple[list[int], list[int]]:
        import torch

        ids = self.prompt_ids(messages, tools)
        temperature = float(kwargs.get("temperature", self.temperature))
        options: dict[str, Any] = {
            "max_new_tokens": int(kwargs.get("max_tokens", self.max_new_tokens)),
            "do_sample": temperature > 0,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if temperature > 0:
            options.update(temperature=temperature, top_p=self.top_p, top_k=0)
        with self._lock, torch.no_grad():
            was_training = self.model.training
            self.model.eval()
            try:
                out = self.model.generate(
                    input_ids=torch.tensor([ids]),
                    attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                    **options,
                )
            finally:
                self.model.train(was_training)
        return ids, out[0, len(ids) :].tolist()


def plain_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-format messages with text content as plain strings (what chat templates read)."""
    out = []
    for message in messages:
        item = dict(message)
        content = item.get("content")
        if isinstance(content, list):
            item["content"] = "".join(
                str(part.get("text", "")) for part in content if isinstance(part, dict)
            )
        for call in item.get("tool_calls") or []:
            function = call.get("function", {})
            if isinstance(function.get("arguments"), str):
                try:
                    function["arguments"] = json.loads(function["arguments"])
                except ValueError:
                    pass
        out.append(item)
    return out


def response_blocks(text: str) -> list[Any]:
    """Text and ``<tool_call>`` JSON in a generated reply as content blocks."""
    blocks: list[Any] = []
    calls = []
    for match in _TOOL_CALL.finditer(text):
        try:
            call = json.loads(match.group(1))
        except ValueError:
            continue
        if isinstance(call, dict) and isinstance(call.get("name"), str):
            args = call.get("arguments")
            calls.append(
                {
                    "type": "tool_use",
                    "id": new_id(),
                    "name": call["name"],
                    "input": args if isinstance(args, dict) else {},
                }
            )
    prose = _TOOL_CALL.sub("", text).strip() if calls else text.strip()
    if prose or not calls:
        blocks.append({"type": "text", "text": prose})
    return blocks + calls


def load_adapter(adapter_dir: str | Path, *, base_model: str | Path | None = None) -> Any:
    """The base model with the LoRA of ``adapter_dir`` applied, and its tokenizer.

    ``base_model`` defaults to the one named in the adapter's ``ascope_adapter.json``.
    """
    from peft import PeftModel

    from ._manifest import read_manifest
    from ._student import load_student

    folder = Path(adapter_dir)
    base = base_model if base_model is not None else read_manifest(folder)["base_model"]
    model, tokenizer = load_student(base)
    return PeftModel.from_pretrained(model, str(folder)), tokenizer
