"""A small tool-use task for the ``%tune`` tests: a weather agent whose base model ignores
the unit asked for (wrong on every "in fahrenheit" question), and the datasets it makes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ascope_nb import ReActAgent, Toolkit, ToolResponse
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.testing import adapted_model, tool_call

TEMPS = {"Paris": 20, "Oslo": 5, "Rome": 25, "Lima": 15}
SECRET = "hunter2-correct-horse-battery"


def get_weather(city: str, unit: str = "celsius", api_key: str = "") -> ToolResponse:
    """The weather of a city.

    Args:
        city: the city.
        unit: celsius or fahrenheit.
        api_key: the weather service key.
    """
    t = TEMPS.get(city, 10)
    text = f"{city}: {t * 9 / 5 + 32:.0f}°F" if unit == "fahrenheit" else f"{city}: {t}°C"
    return ToolResponse(content=[{"type": "text", "text": text}])


def _text(msg: dict[str, Any]) -> str:
    content = msg["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


def base_model(messages: list[dict[str, Any]], tools: Any) -> Any:
    """Calls get_weather for the city, always in celsius; then repeats the tool result."""
    last = messages[-1]
    if last["role"] == "tool":
        return f"It is {_text(last)}."
    city = re.search(r"in (\w+)", _text(last))
    return tool_call("get_weather", city=city.group(1) if city else "Paris")


def agent_for(adapter: Any = None, *, secret: bool = False) -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(get_weather)
    base = base_model
    if secret:

        def base(messages: list[dict[str, Any]], tools: Any) -> Any:  # noqa: F811
            reply = base_model(messages, tools)
            if isinstance(reply, dict):
                reply["input"]["api_key"] = SECRET
            return reply

    model = adapted_model(base, adapter.adapter_dir if adapter is not None else None)
    return ReActAgent(
        name="Weather", sys_prompt="You tell the weather.", model=model,
        formatter=OpenAIChatFormatter(), toolkit=toolkit,
    )  # fmt: skip


QUESTIONS = [
    {"id": "q1", "input": "Weather in Paris in fahrenheit?", "target": "68°F"},
    {"id": "q2", "input": "Weather in Oslo?", "target": "5°C"},
    {"id": "q3", "input": "Weather in Oslo in fahrenheit?", "target": "41°F"},
    {"id": "q4", "input": "Weather in Rome?", "target": "25°C"},
]


def sft_row(user: str = "hi", answer: str = "hello") -> dict[str, Any]:
    return {
        "prompt": [{"role": "user", "content": user}],
        "completion": [{"role": "assistant", "content": answer}],
    }


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path
