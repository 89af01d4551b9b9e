"""One pass of the formatter-family benchmark inside one framework; prints JSON last.

The same code runs against ``ascope_nb`` and AgentScope 1.0.21 (same module paths and
class names). For each family a conversation grows by one ReAct step (an assistant tool
call and its result) per step; each step formats the whole history with the family's chat
formatter and, for the families with a vendor SDK model, passes it to the model whose
client is a zero-latency fake returning a canned reply (request building + reply parsing).

Example:
    $ python benchmarks/_formatter_side.py --framework ascope_nb --steps 50 --repeats 3
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import statistics
import time
from types import SimpleNamespace as NS
from typing import Any

FAMILIES = {
    # family: (formatter class, model class or None)
    "anthropic": ("AnthropicChatFormatter", "AnthropicChatModel"),
    "gemini": ("GeminiChatFormatter", "GeminiChatModel"),
    "openai-responses": ("OpenAIResponseChatFormatter", "OpenAIResponseModel"),
    "deepseek": ("DeepSeekChatFormatter", None),
    "ollama": ("OllamaChatFormatter", None),
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add two integers.",
            "parameters": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
            },
        },
    }
]


async def _async(value: Any) -> Any:
    return value


def fake_client(family: str) -> Any:
    """A client whose create call returns a canned reply at once."""
    if family == "anthropic":
        reply = NS(
            id="msg_1",
            content=[
                NS(type="text", text="Adding."),
                NS(type="tool_use", id="c1", name="add", input={"a": 1, "b": 2}),
            ],
            usage=NS(input_tokens=100, output_tokens=10),
        )
        return NS(messages=NS(create=lambda **kw: _async(reply)))
    if family == "gemini":
        parts = [
            NS(text="Adding.", thought=False, function_call=None, thought_signature=None),
            NS(
                text=None,
                thought=False,
                function_call=NS(id=None, name="add", args={"a": 1, "b": 2}),
                thought_signature=None,
            ),
        ]
        reply = NS(
            candidates=[NS(content=NS(parts=parts))],
            usage_metadata=NS(prompt_token_count=100, total_token_count=110),
            text="Adding.",
            response_id="r1",
        )
        return NS(aio=NS(models=NS(generate_content=lambda **kw: _async(reply))))
    reply = NS(
        id="resp_1",
        output=[
            NS(type="message", content=[NS(type="output_text", text="Adding.")]),
            NS(type="function_call", call_id="c1", id="fc1", name="add", arguments='{"a":1,"b":2}'),
        ],
        usage=NS(input_tokens=100, output_tokens=10),
    )
    return NS(responses=NS(create=lambda **kw: _async(reply)))


def history(msg_cls: Any, steps: int) -> list[Any]:
    """A system prompt, a question, then per step a tool call and its result."""
    msgs = [
        msg_cls("system", "You are Friday.", "system"),
        msg_cls("user", "Add the numbers one by one.", "user"),
    ]
    for i in range(steps):
        call = {"type": "tool_use", "id": f"c{i}", "name": "add", "input": {"a": i, "b": 1}}
        msgs.append(msg_cls("Friday", [{"type": "text", "text": f"Step {i}."}, call], "assistant"))
        result = {
            "type": "tool_result",
            "id": f"c{i}",
            "name": "add",
            "output": [{"type": "text", "text": str(i + 1)}],
        }
        msgs.append(msg_cls("system", [result], "system"))
    return msgs


async def one_pass(framework: str, family: str, steps: int) -> float:
    """Mean µs per step over ``steps`` growing steps."""
    formatter_mod = importlib.import_module(f"{framework}.formatter")
    model_mod = importlib.import_module(f"{framework}.model")
    msg_cls = importlib.import_module(f"{framework}.message").Msg
    fmt_name, model_name = FAMILIES[family]
    formatter = getattr(formatter_mod, fmt_name)()
    model = None
    if model_name is not None:
        model = getattr(model_mod, model_name)("bench-model", api_key="sk-bench-0000", stream=False)
        model.client = fake_client(family)
    msgs = history(msg_cls, steps)
    started = time.perf_counter()
    for i in range(1, steps + 1):
        formatted = await formatter.format(msgs[: 2 + 2 * i])
        if model is not None:
            await model(formatted, tools=TOOLS)
    return (time.perf_counter() - started) / steps * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", required=True)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    out: dict[str, float] = {}
    for family in FAMILIES:
        runs = [
            asyncio.run(one_pass(args.framework, family, args.steps)) for _ in range(args.repeats)
        ]
        out[family] = statistics.median(runs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
