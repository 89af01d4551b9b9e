"""``%knowledge memory --agent NAME``: every long-term memory class in one table view
(the mem0 SDK and a ReMe-like service faked; the IPython shell and magic are real)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from test_mem0_memory import Ones, fake_mem0, memory  # noqa: F401 - the fixture is used by name
from test_reme_memory import fake_reme  # noqa: F401
from test_reme_memory import models as reme_models

from ascope_nb.agent import ReActAgent
from ascope_nb.memory import (
    LocalLongTermMemory,
    LongTermMemoryBase,
    MemoryNotListable,
    ReMePersonalLongTermMemory,
)
from ascope_nb.message import Msg
from ascope_nb.notebook.knowledge_magics import register_knowledge_magics
from ascope_nb.testing import ScriptedModel


class AnswerOnly(LongTermMemoryBase):
    """A service that answers queries but cannot list (like ReMe): only ``retrieve``."""

    def __init__(self, facts: list[str]) -> None:
        super().__init__()
        self.facts = facts
        self.fail: Exception | None = None
        self.asked: list[tuple[str, int]] = []

    async def retrieve(self, msg: Msg | list[Msg] | None, limit: int = 5, **kwargs: Any) -> str:
        assert isinstance(msg, Msg)
        query = msg.get_text_content() or ""
        self.asked.append((query, limit))
        if self.fail is not None:
            raise self.fail
        return "\n".join(f for f in self.facts if query.lower() in f.lower())


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    register_knowledge_magics(ip)
    added: list[str] = []

    def put(name: str, value: Any) -> None:
        ip.user_ns[name] = value
        added.append(name)

    ip.user_ns["_put"] = put
    yield ip
    for name in [*added, "_put"]:
        ip.user_ns.pop(name, None)


def agent_with(memory: LongTermMemoryBase) -> ReActAgent:
    return ReActAgent("Friday", "You are Friday.", ScriptedModel(["ok"]), long_term_memory=memory)


def magic(shell: InteractiveShell, line: str) -> Any:
    return shell.run_line_magic("knowledge", line)


def error(shell: InteractiveShell, line: str) -> str:
    with pytest.raises(UsageError) as info:
        magic(shell, line)
    return str(info.value)


async def test_base_to_rows_answers_queries_and_refuses_listing() -> None:
    mem = AnswerOnly(["Ada likes tea", "Bob likes coffee"])
    assert await mem.to_rows("tea", limit=3) == [{"text": "Ada likes tea"}]
    assert mem.asked == [("tea", 3)]
    with pytest.raises(MemoryNotListable, match="AnswerOnly cannot list its memories"):
        await mem.to_rows()


def test_mem0_agent_memory_listed_and_searched(
    shell: InteractiveShell,
    fake_mem0: None,  # noqa: F811
) -> None:
    mem = memory(agent_name="Friday", user_name="ada")
    shell.user_ns["_put"]("Friday", agent_with(mem))
    from ascope_nb.mcp._loop import run_sync

    run_sync(mem.record_to_memory("", ["Ada likes tea", "Ada has a cat"]))
    table = magic(shell, "memory --agent Friday")
    assert repr(table) == (
        "long-term memory of Friday (Mem0LongTermMemory, 2 entries)\n"
        "Friday |  | Ada likes tea\nFriday |  | Ada has a cat"
    )
    assert "<td>Ada has a cat</td>" in table._repr_html_()
    found = magic(shell, "memory cat --agent Friday --limit 1")
    assert repr(found) == (
        "long-term memory of Friday (Mem0LongTermMemory): cat\n0.900 | Friday | Ada has a cat"
    )
    mem.long_term_working_memory.fail = ConnectionError("qdrant down\nretry later")  # type: ignore[attr-defined]
    assert error(shell, "memory --agent Friday") == (
        "%knowledge memory: the long-term memory of 'Friday' (Mem0LongTermMemory) failed: "
        "qdrant down retry later"
    )


def test_memory_that_cannot_list_is_one_line_and_answers_queries(
    shell: InteractiveShell,
) -> None:
    mem = AnswerOnly(["Ada likes <b>tea</b>"])
    shell.user_ns["_put"]("Keeper", agent_with(mem))
    assert error(shell, "memory --agent Keeper") == (
        "AnswerOnly cannot list its memories; give a query (%knowledge memory QUERY --agent NAME)"
    )
    table = magic(shell, "memory tea --agent Keeper")
    assert repr(table) == "long-term memory of Keeper (AnswerOnly): tea\n |  | Ada likes <b>tea</b>"
    assert "Ada likes &lt;b&gt;tea&lt;/b&gt;" in table._repr_html_()  # escaped
    mem.fail = RuntimeError("ReMeApp context not started")
    assert error(shell, "memory tea --agent Keeper") == (
        "%knowledge memory: the long-term memory of 'Keeper' (AnswerOnly) failed: "
        "ReMeApp context not started"
    )


def test_memory_by_variable_and_bad_names(shell: InteractiveShell) -> None:
    shell.user_ns["_put"]("notes", AnswerOnly(["kiwi is green"]))
    assert repr(magic(shell, "memory kiwi --agent notes")).endswith("kiwi is green")
    shell.user_ns["_put"]("Plain", ReActAgent("Plain", "p", ScriptedModel(["ok"])))
    assert error(shell, "memory --agent Plain") == (
        "%knowledge memory: 'Plain' has no long-term memory"
    )
    assert error(shell, "memory --agent Nobody") == (
        "%knowledge memory: no agent or long-term memory named 'Nobody'"
    )


def test_local_memory_of_an_agent(shell: InteractiveShell, tmp_path: Any) -> None:
    (tmp_path / "memories.jsonl").write_text(
        '{"id": "m1", "text": "Kai rides a red Gazelle", "agent": "Keeper", "kind": "fact"}\n'
        '{"id": "m2", "text": "Kai works nights", "agent": "Keeper", "kind": "conversation"}\n'
    )
    local = LocalLongTermMemory(path=tmp_path, embedding_model=Ones("ones", 2))
    shell.user_ns["_put"]("Keeper", agent_with(local))
    assert repr(magic(shell, "memory --agent Keeper --limit 1")) == (
        "long-term memory of Keeper (LocalLongTermMemory, 1 entries)\n"
        "Keeper | conversation | Kai works nights"
    )
    from ascope_nb.mcp._loop import run_sync

    try:
        found = repr(magic(shell, "memory Gazelle --agent Keeper --limit 5")).splitlines()
    finally:
        run_sync(local.close())
    assert found[0] == "long-term memory of Keeper (LocalLongTermMemory): Gazelle"
    assert sorted(line.split(" | ", 1)[1] for line in found[1:]) == [
        "Keeper | Kai rides a red Gazelle",
        "Keeper | Kai works nights",
    ]  # the ones-embedding finds both, each with its score
    assert all(float(line.split(" | ")[0]) > 0.3 for line in found[1:])


def test_reme_memory_answers_queries_once_started(
    shell: InteractiveShell,
    fake_reme: None,  # noqa: F811
) -> None:
    from ascope_nb.mcp._loop import run_sync

    model, embedding = reme_models()
    mem = ReMePersonalLongTermMemory(
        agent_name="Friday", user_name="ada", model=model, embedding_model=embedding
    )
    shell.user_ns["_put"]("Friday", agent_with(mem))
    assert error(shell, "memory tea --agent Friday") == (
        "%knowledge memory: the long-term memory of 'Friday' (ReMePersonalLongTermMemory) "
        "failed: ReMePersonalLongTermMemory: ReMeApp context not started; use `async with "
        "memory:` around the agent's work"
    )
    run_sync(mem.__aenter__())
    run_sync(mem.record_to_memory("prefs", ["I like Longjing tea"]))
    table = magic(shell, "memory tea --agent Friday --limit 3")
    assert repr(table) == (
        "long-term memory of Friday (ReMePersonalLongTermMemory): tea\n |  | I like Longjing tea"
    )
    assert mem.app.calls[-1]["query"] == "tea" and mem.app.calls[-1]["top_k"] == 3
    assert error(shell, "memory --agent Friday").startswith(
        "ReMePersonalLongTermMemory cannot list its memories; give a query"
    )
