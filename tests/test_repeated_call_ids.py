"""Servers that repeat tool-call ids across steps (Ollama's native ``0_add`` for every first
call of a step; OpenAI-compatible servers numbering ``call_0`` per response): the saved
transcript pairs each call with its own result, ``diff(run, run)`` finds nothing and shows
the tool rows, and a replay reports no divergence."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest

import ascope_nb
from ascope_nb.fold import RunFold
from ascope_nb.model import OllamaChatModel, OpenAIChatModel
from ascope_nb.store import default_store
from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply, FakeToolCall
from tests.whatif_support import make_agent


def _script(server: FakeOpenAIServer) -> None:
    """Two steps each calling ``add`` once, then the answer; the server picks the ids."""
    server.add_reply(
        FakeReply(text="First.", tool_calls=[FakeToolCall("add", {"a": 1, "b": 2})]),
        FakeReply(text="Second.", tool_calls=[FakeToolCall("add", {"a": 30, "b": 40})]),
        FakeReply(text="The sums are 3 and 70."),
    )


def _openai(server: FakeOpenAIServer) -> Any:
    return OpenAIChatModel(
        "fake-model", api_key="k", stream=False, client_kwargs={"base_url": server.base_url}
    )


def _ollama(server: FakeOpenAIServer) -> Any:
    return OllamaChatModel("qwen3:8b", host=server.root)


@pytest.mark.parametrize("make_model", [_openai, _ollama], ids=["openai-call_0", "ollama-0_add"])
async def test_repeated_ids_keep_each_call_with_its_own_result(
    server: FakeOpenAIServer, make_model: Callable[[FakeOpenAIServer], Any]
) -> None:
    _script(server)
    run = ascope_nb.start(make_agent(make_model(server)), "Add 1+2, then 30+40.")
    answer = await run
    assert answer.get_text_content() == "The sums are 3 and 70."
    default_store().flush()
    stored = ascope_nb.load_run(run.run_id)

    steps = RunFold().extend(stored.events).steps()
    pairs = [(c["input"], c["output"]) for s in steps for c in s["tool_calls"]]
    assert [(i, o[0]["text"] if o else None) for i, o in pairs] == [
        ({"a": 1, "b": 2}, "3"),
        ({"a": 30, "b": 40}, "70"),
    ]
    ids = [c["id"] for s in steps for c in s["tool_calls"]]
    assert len(set(ids)) == 2, f"tool-call ids still collide: {ids}"

    page = run._repr_mimebundle_()[0]["text/html"]  # the saved transcript
    first, second = page.find(html.escape('"a": 1')), page.find(html.escape('"a": 30'))
    assert 0 <= first < page.find(">3<", first) < second < page.find(">70<", second)

    same = ascope_nb.diff(run, run)
    frame = same.to_dataframe()
    assert same.first_difference is None and frame.same.all()
    assert frame.a_tools[0] == 'add({"a": 1, "b": 2}) → 3'
    assert frame.a_tools[1] == 'add({"a": 30, "b": 40}) → 70'

    again = ascope_nb.replay(run.run_id)
    await again
    assert again.divergence is None, str(again.divergence)
    assert ascope_nb.diff(run, again).first_difference is None


async def test_ids_reused_from_an_earlier_reply_in_memory_are_renamed(
    server: FakeOpenAIServer,
) -> None:
    """A second question to the same agent: the server's ids repeat those already in memory;
    the model's next prompt pairs each result with its own call."""
    agent = make_agent(_openai(server))
    for _ in range(2):
        server.add_reply(
            FakeReply(tool_calls=[FakeToolCall("add", {"a": 1, "b": 1})]), FakeReply(text="2")
        )
    await ascope_nb.start(agent, "1+1?")
    await ascope_nb.start(agent, "again?")
    calls, results = [], []
    for msg in await agent.memory.get_memory():
        calls += [b["id"] for b in msg.get_content_blocks("tool_use")]
        results += [b["id"] for b in msg.get_content_blocks("tool_result")]
    assert len(set(calls)) == 2 and calls == results
    last = server.requests[-1]["messages"]
    sent = [c["id"] for m in last for c in m.get("tool_calls") or []]
    answered = [m["tool_call_id"] for m in last if m["role"] == "tool"]
    assert sent == answered == calls
