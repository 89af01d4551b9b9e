"""The database memories behave like ``InMemoryMemory`` for the agent: memory compression,
the summary, marks and the notebook rows (fakeredis and in-memory SQLite; the real servers
are in ``test_memory_servers.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ascope_nb.agent import ReActAgent
from ascope_nb.agent._compression import SummarySchema
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.memory import AsyncSQLAlchemyMemory, InMemoryMemory, MemoryBase, RedisMemory
from ascope_nb.message import Msg
from ascope_nb.model import ChatModelBase, ChatResponse
from ascope_nb.session import AsyncSQLAlchemySession, JSONSession, RedisSession
from ascope_nb.token import CharTokenCounter


class SummaryModel(ChatModelBase):
    """Answers the summary request with structured fields, anything else with text."""

    def __init__(self) -> None:
        super().__init__("summary", stream=False)
        self.prompts: list[list[dict[str, Any]]] = []

    async def __call__(self, messages: list[dict[str, Any]], **kwargs: Any) -> ChatResponse:
        self.prompts.append(messages)
        if kwargs.get("structured_model") is None:
            return ChatResponse(content=[{"type": "text", "text": "done"}])
        fields = dict.fromkeys(SummarySchema.model_fields, "x")
        return ChatResponse(content=[{"type": "text", "text": "ok"}], metadata=fields)


@pytest.fixture(params=["in-memory", "redis", "sqlite"])
async def memory(request: pytest.FixtureRequest) -> AsyncIterator[MemoryBase]:
    if request.param == "in-memory":
        yield InMemoryMemory()
        return
    if request.param == "redis":
        import fakeredis.aioredis

        fake = fakeredis.aioredis.FakeRedis()
        mem: Any = RedisMemory(session_id="c", connection_pool=fake.connection_pool)
        yield mem
        await mem.close()
        return
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    mem = AsyncSQLAlchemyMemory(engine, session_id="c", user_id="u")
    yield mem
    await mem.close()
    await engine.dispose()


async def test_compression_works_on_every_backend(memory: MemoryBase) -> None:
    model = SummaryModel()
    config = ReActAgent.CompressionConfig(
        enable=True, agent_token_counter=CharTokenCounter(), trigger_threshold=200, keep_recent=1
    )
    agent = ReActAgent(
        name="a",
        sys_prompt="S",
        model=model,
        formatter=OpenAIChatFormatter(),
        compression_config=config,
        memory=memory,
    )
    agent.set_console_output_enabled(False)
    await agent([Msg("user", "old " * 100, "user"), Msg("user", "new", "user")])
    assert len(model.prompts) == 2  # the summary call, then the answer
    assert "old old" not in str(model.prompts[1]) and "Here is a summary" in str(model.prompts[1])
    kept = await memory.get_memory(exclude_mark="compressed", prepend_summary=False)
    assert [m.get_text_content() for m in kept] == ["new", "done"]
    compressed = await memory.get_memory(mark="compressed", prepend_summary=False)
    assert [m.get_text_content() for m in compressed] == ["old " * 100]
    rows = memory.to_rows()  # type: ignore[attr-defined]  # the notebook's table
    assert [r["marks"] for r in rows] == [["compressed"], [], []]
    assert memory.state_dict()["_compressed_summary"].startswith("<system-info>Here is a summary")


async def test_summary_survives_a_session_round_trip(memory: MemoryBase, tmp_path: Any) -> None:
    await memory.update_compressed_summary("earlier: greetings")
    await memory.add(Msg("user", "hi", "user"))
    await JSONSession(save_dir=str(tmp_path)).save_session_state("s", memory=memory)
    await memory.update_compressed_summary("")
    assert [m.content for m in await memory.get_memory()] == ["hi"]
    await JSONSession(save_dir=str(tmp_path)).load_session_state("s", memory=memory)
    assert [m.content for m in await memory.get_memory()] == ["earlier: greetings", "hi"]


async def test_bad_input_is_refused_before_anything_is_written(memory: MemoryBase) -> None:
    await memory.add(Msg("user", "kept", "user"))
    with pytest.raises(TypeError, match="memory only stores Msg objects, got dict"):
        await memory.add([Msg("user", "x", "user"), {"role": "user"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="marks must be"):
        await memory.add(Msg("user", "y", "user"), marks=[1])  # type: ignore[list-item]
    assert [m.content for m in await memory.get_memory()] == ["kept"]


async def test_duplicates_are_skipped_or_refused_whole(memory: MemoryBase) -> None:
    first = Msg("user", "a", "user")
    await memory.add(first)
    await memory.add([first, Msg("user", "b", "user")])  # every backend skips a stored id
    assert [m.content for m in await memory.get_memory()] == ["a", "b"]
    if not isinstance(memory, InMemoryMemory):  # AgentScope's skip_duplicated=False
        with pytest.raises(ValueError, match="is already stored"):
            await memory.add([Msg("user", "c", "user"), first], skip_duplicated=False)
        assert [m.content for m in await memory.get_memory()] == ["a", "b"]


async def test_sql_and_redis_sessions_round_trip() -> None:
    import fakeredis.aioredis
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    fake = fakeredis.aioredis.FakeRedis()
    for store in (
        AsyncSQLAlchemySession(engine),
        RedisSession(connection_pool=fake.connection_pool),
    ):
        source = InMemoryMemory()
        await source.add(Msg("user", "saved", "user"))
        await store.save_session_state("s:1", user_id="ü", memory=source)
        await source.add(Msg("user", "later", "user"))
        await store.save_session_state("s:1", user_id="ü", memory=source)  # replaces
        copy = InMemoryMemory()
        await store.load_session_state("s:1", user_id="ü", memory=copy)
        assert [m.content for m in await copy.get_memory()] == ["saved", "later"]
        with pytest.raises(ValueError, match="no saved session"):
            await store.load_session_state("other", allow_not_exist=False, memory=copy)
        await store.load_session_state("other", memory=copy)  # allowed: nothing changes
        assert await copy.size() == 2
    await engine.dispose()


async def test_sql_memory_on_a_session_the_caller_owns(tmp_path: Any) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    async with AsyncSession(engine) as session:
        memory = AsyncSQLAlchemyMemory(session, session_id="x")
        await memory.add(Msg("user", "hi", "user"), marks="m")
        assert [(r["text"], r["marks"]) for r in memory.to_rows()] == [("hi", ["m"])]
        await memory.close()  # the caller's session stays usable
        assert await memory.size() == 1
    with pytest.raises(ValueError, match="AsyncSession is not bound to an engine"):
        AsyncSQLAlchemyMemory(AsyncSession(), session_id="x")
    with pytest.raises(ValueError, match="must be a sqlalchemy.ext.asyncio.AsyncEngine"):
        AsyncSQLAlchemyMemory("sqlite:///x.db", session_id="x")  # type: ignore[arg-type]
    await engine.dispose()
