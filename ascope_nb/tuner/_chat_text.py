"""A conversational training row as the student's chat template renders it, as plain text.

The trainers get the text the model will see at inference, not the messages: an export row
follows the OpenAI convention (tool-call ``arguments`` as a JSON *string*), but chat
templates such as Qwen's write ``arguments | tojson``, so a string would be trained as a
quoted, escaped string (``"arguments": "{\\"city\\": ..."``) while at inference the server
renders, and the model writes, an object. Rendering here parses the arguments first (as
``_hf_chat.plain_messages`` does for GRPO rollouts) and leaves no room for a dataset
library to reshape them (Arrow unifies the keys of dicts across rows).

Example:
    >>> from tests.support.tiny_lm import build_tokenizer  # doctest: +SKIP
    >>> row = {"prompt": [{"role": "user", "content": "hi"}],
    ...        "completion": [{"role": "assistant", "content": "tea"}]}
    >>> rendered_row(row, build_tokenizer(["hi tea"]), keys=("completion",))  # doctest: +SKIP
    {'prompt': '<|user|>hi<|assistant|>', 'completion': 'tea<|end|>'}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ._hf_chat import plain_messages


def row_tools(row: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The row's tool schemas (exports keep them as a JSON string), or None."""
    tools = row.get("tools")
    if isinstance(tools, str):
        tools = json.loads(tools) if tools.strip() else None
    return tools or None


def rendered_row(row: dict[str, Any], tokenizer: Any, *, keys: Sequence[str]) -> dict[str, Any]:
    """``row`` with its prompt and each answer in ``keys`` as template text.

    The prompt is rendered with the generation prompt; each answer is the text the template
    adds after it (``prompt + answer`` rendered whole, the prompt's text cut off). A row that
    is already text (the standard format) is returned as it is; other keys (``label``) stay.
    """
    if "messages" in row and "prompt" not in row:
        messages = row["messages"]
        row = {k: v for k, v in row.items() if k != "messages"}
        row |= {"prompt": messages[:-1], keys[0]: messages[-1:]}
    prompt = row["prompt"]
    if isinstance(prompt, str):
        return row
    tools = row_tools(row)
    messages = plain_messages([dict(m) | _copied_calls(m) for m in prompt])
    head = tokenizer.apply_chat_template(
        messages, tools=tools, add_generation_prompt=True, tokenize=False
    )
    out = {k: v for k, v in row.items() if k != "tools"} | {"prompt": head}
    for key in keys:
        answer = plain_messages([dict(m) | _copied_calls(m) for m in row[key]])
        whole = tokenizer.apply_chat_template(messages + answer, tools=tools, tokenize=False)
        out[key] = _trimmed_end(_after(head, whole), tokenizer)
    return out


def _copied_calls(message: dict[str, Any]) -> dict[str, Any]:
    """A copy of the message's tool calls (``plain_messages`` parses arguments in place)."""
    calls = message.get("tool_calls")
    if not calls:
        return {}
    return {"tool_calls": [dict(c) | {"function": dict(c.get("function") or {})} for c in calls]}


def _after(head: str, whole: str) -> str:
    """What ``whole`` adds after ``head`` (after their common start when the template renders
    the prompt differently on its own)."""
    if whole.startswith(head):
        return whole[len(head) :]
    common = 0
    for a, b in zip(head, whole, strict=False):
        if a != b:
            break
        common += 1
    return whole[common:]


def _trimmed_end(text: str, tokenizer: Any) -> str:
    """The answer ending on the end-of-turn token: trailing whitespace after it is dropped
    (the trainers append the EOS token to an answer that does not end with it)."""
    stripped = text.rstrip()
    eos = getattr(tokenizer, "eos_token", None)
    return stripped if eos and stripped.endswith(eos) else text
