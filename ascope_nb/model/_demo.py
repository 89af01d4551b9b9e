"""``DemoModel``: the offline demo model used when no real model is configured.

It is not a language model. It answers deterministically, without any network access, so
that a first notebook (and every tutorial) runs anywhere; its answers start with
``[demo model]`` so nobody mistakes them for a real model's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from typing import Any

from .._ids import new_id
from ._replay import ReplayingModel, Reply
from ._response import ChatResponse

PREFIX = "[demo model]"
CODE_TOOL = "execute_python_code"
_CODE_BLOCK = re.compile(r"```(?:python|py)[ \t]*\n(.*?)```", re.DOTALL)
_TAG = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.DOTALL) for name in ("stdout", "stderr")}
_RETURNCODE = re.compile(r"<returncode>(-?\d+)</returncode>")


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _offered(tools: list[dict[str, Any]] | None, name: str) -> bool:
    return any(t.get("function", {}).get("name") == name for t in tools or [])


def _report(tool_output: str) -> str:
    code = _RETURNCODE.search(tool_output)
    stdout = _TAG["stdout"].search(tool_output)
    stderr = _TAG["stderr"].search(tool_output)
    out = stdout.group(1) if stdout else tool_output
    if code is not None and code.group(1) != "0":
        err = stderr.group(1).strip() if stderr else ""
        return f"{PREFIX} The code failed (return code {code.group(1)}):\n```\n{err}\n```"
    return f"{PREFIX} The code ran. Its output:\n```\n{out.rstrip()}\n```"


class DemoModel(ReplayingModel):
    """A deterministic offline stand-in for a chat model (the default with no model set).

    - A user message with a ````` ```python ````` block, when the toolkit offers
      ``execute_python_code``: it calls that tool with the code, then reports the tool's stdout.
    - Anything else: ``"[demo model] ..."`` echoing the last line it received.

    Text streams word by word, ``token_delay`` seconds apart, so live views are visible.

    Example:
        >>> import asyncio
        >>> model = DemoModel(stream=False)
        >>> reply = asyncio.run(model([{"role": "user", "content": "Hello"}]))
        >>> reply.content[0]["text"].startswith("[demo model]")
        True
    """

    def __init__(self, *, stream: bool = True, token_delay: float = 0.02) -> None:
        super().__init__("demo", stream=stream, token_delay=token_delay, record=False)

    def answer(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> tuple[str, list[dict[str, Any]]]:
        """The text and tool calls this model gives for ``messages`` (no streaming)."""
        last = messages[-1] if messages else {}
        if last.get("role") == "tool":
            return _report(_text_of(last)), []
        text = _text_of(last)
        code = _CODE_BLOCK.search(text)
        if code is not None and last.get("role") == "user" and _offered(tools, CODE_TOOL):
            call = {
                "type": "tool_use",
                "id": f"call_{new_id()[:12]}",
                "name": CODE_TOOL,
                "input": {"code": code.group(1)},
            }
            return f"{PREFIX} Running your code.", [call]
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        said = lines[-1] if lines else ""
        if len(said) > 120:
            said = said[:117] + "..."
        return (
            f"{PREFIX} You said: {said!r}. I am an offline stand-in; set a real model with "
            "`%ascope model openai:gpt-4o-mini` (or `--model`).",
            [],
        )

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        text, calls = self.answer(messages, tools)
        return self._respond(messages, Reply(text=text, tool_calls=calls))  # type: ignore[arg-type]
