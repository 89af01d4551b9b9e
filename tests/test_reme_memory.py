"""ReMe long-term memories against a fake ``reme_ai.ReMeApp`` (the ReMe service is a cloud
LLM pipeline: faked here, as AgentScope's own tests do); the real library needs Python 3.12."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from ascope_nb.embedding import OpenAITextEmbedding
from ascope_nb.memory import (
    ReMePersonalLongTermMemory,
    ReMeTaskLongTermMemory,
    ReMeToolLongTermMemory,
)
from ascope_nb.message import Msg
from ascope_nb.model import OpenAIChatModel


class FakeReMeApp:
    """Remembers what the summary flows were given; answers retrievals from it."""

    def __init__(self, *overrides: str, **kwargs: Any) -> None:
        self.overrides, self.kwargs = overrides, kwargs
        self.calls: list[dict[str, Any]] = []
        self.facts: list[str] = []
        self.fail: Exception | None = None

    async def __aenter__(self) -> FakeReMeApp:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None

    async def async_execute(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self.fail is not None:
            raise self.fail
        if kwargs["name"].startswith("summary"):
            for trajectory in kwargs.get("trajectories", []):
                self.facts += [m["content"] for m in trajectory["messages"] if m["role"] == "user"]
            return {"metadata": {"memory_list": [{"content": f} for f in self.facts]}}
        query = str(kwargs.get("query") or kwargs.get("tool_names") or "").lower()
        hits = [f for f in self.facts if any(w in f.lower() for w in query.split())]
        return {"answer": "; ".join(hits)}


@pytest.fixture
def fake_reme(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    module = types.ModuleType("reme_ai")
    module.ReMeApp = FakeReMeApp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "reme_ai", module)
    yield


def models() -> tuple[OpenAIChatModel, OpenAITextEmbedding]:
    model = OpenAIChatModel("gpt-x", api_key="sk-test", client_args={"base_url": "http://h/v1"})
    embedding = OpenAITextEmbedding(api_key="sk-test", model_name="emb-x", dimensions=8)
    return model, embedding


async def test_personal_memory_records_and_retrieves(fake_reme: None) -> None:
    model, embedding = models()
    memory = ReMePersonalLongTermMemory(
        agent_name="Friday", user_name="ada", model=model, embedding_model=embedding
    )
    assert "llm.default.model_name=gpt-x" in memory.app.overrides
    with pytest.raises(RuntimeError, match="ReMeApp context not started"):
        await memory.record_to_memory("x", ["I like tea"])
    async with memory:
        done = await memory.record_to_memory("prefs", ["I like Longjing tea", "I live in Hangzhou"])
        assert done.content[0]["text"] == "Successfully recorded 2 memory item(s)."
        found = await memory.retrieve_from_memory(["tea", "bicycle"])
        assert found.content[0]["text"] == "Keyword 'tea':\nI like Longjing tea"
        assert await memory.retrieve([Msg("ada", "hangzhou", "user")]) == "I live in Hangzhou"
        assert {c["workspace_id"] for c in memory.app.calls} == {"ada"}
        memory.app.fail = ConnectionError("ReMe down")
        failed = await memory.record_to_memory("x", ["more"])
        assert failed.content[0]["text"] == "Error recording memory: ReMe down"
        with pytest.raises(TypeError, match="must be a Msg or a list of Msg"):
            await memory.retrieve("text")  # type: ignore[arg-type]
    assert memory._app_started is False


async def test_task_and_tool_memories(fake_reme: None) -> None:
    model, embedding = models()
    task = ReMeTaskLongTermMemory(user_name="w", model=model, embedding_model=embedding)
    tool = ReMeToolLongTermMemory(user_name="w", model=model, embedding_model=embedding)
    async with task, tool:
        empty = await task.retrieve_from_memory(["deploy"])
        assert empty.content[0]["text"].startswith("No task experiences found")
        bad = await tool.record_to_memory("x", ["not json"])
        assert bad.content[0]["text"] == "No valid tool call results to record."
        good = await tool.record_to_memory("x", ['{"tool_name": "search", "output": "ok"}'])
        assert good.content[0]["text"] == "Successfully recorded 1 tool execution result(s)."
        assert [c["name"] for c in tool.app.calls] == [
            "add_tool_call_result",
            "summary_tool_memory",
        ]


def test_a_model_of_another_kind_is_refused(fake_reme: None) -> None:
    from ascope_nb.testing import ScriptedModel

    _, embedding = models()
    with pytest.raises(ValueError, match="model must be a DashScope or OpenAI-compatible"):
        ReMePersonalLongTermMemory(model=ScriptedModel([]), embedding_model=embedding)
