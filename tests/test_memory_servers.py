"""RedisMemory / AsyncSQLAlchemyMemory / RedisSession on real servers: a real ``redis-server``,
SQLite files and a PostgreSQL cluster, each started by the test on 127.0.0.1.

What a second process wrote is read back; a server killed mid-run gives one clear error and
leaves every stored write whole; TTLs expire; passwords are checked and never echoed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from ascope_nb.memory import (
    AsyncSQLAlchemyMemory,
    MemoryBackendError,
    RedisMemory,
    memory_from_url,
)
from ascope_nb.message import Msg
from ascope_nb.session import RedisSession
from tests.support import postgres as pg
from tests.support.postgres import postgres_server  # noqa: F401  (fixture)
from tests.support.redis_server import (
    RedisServer,
    free_port,
    redis_server,  # noqa: F401  (fixture)
    start_redis,
    stop_redis,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from ascope_nb.memory import memory_from_url
    from ascope_nb.message import Msg

    async def main(url, n):
        mem = memory_from_url(url, session_id="shared: s*1", user_id="u1")
        for i in range(n):
            msg = Msg("writer", f"line {i}", "assistant")
            msg.id = f"w{i}"
            await mem.add(msg, marks="from-writer" if i % 2 == 0 else None)
        await mem.close()

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
    """
)


def run_writer(url: str, n: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(n)],
        env=env,
        text=True,
        stderr=subprocess.PIPE,
    )


def texts(msgs: list[Msg]) -> list[str]:
    return [m.get_text_content() or "" for m in msgs]


def msg(text: str, msg_id: str) -> Msg:
    out = Msg("user", text, "user")
    out.id = msg_id
    return out


async def read_back(url: str) -> list[str]:
    mem = memory_from_url(url, session_id="shared: s*1", user_id="u1")
    try:
        got = texts(await mem.get_memory())
        marked = [m.id for m in await mem.get_memory(mark="from-writer")]
    finally:
        await mem.close()  # type: ignore[attr-defined]
    assert marked == [f"w{i}" for i in range(0, 5, 2)]
    return got


@pytest.fixture
def pg_url(postgres_server: pg.PostgresServer) -> str:  # noqa: F811
    return postgres_server.new_database()


# ---------------------------------------------------------------- a second process reads
@pytest.mark.parametrize("backend", ["redis", "sqlite", "postgresql"])
async def test_a_second_process_reads_what_the_first_wrote(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    if backend == "redis":
        url = request.getfixturevalue("redis_server").url
    elif backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'memory.db'}"
    else:
        url = request.getfixturevalue("pg_url").replace("+psycopg", "")
    writer = run_writer(url, 5)
    _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert await read_back(url) == [f"line {i}" for i in range(5)]


async def test_two_processes_writing_at_once_keep_every_message_in_one_order(
    pg_url: str,
) -> None:
    url = pg_url.replace("+psycopg", "")
    mem = memory_from_url(url, session_id="shared: s*1", user_id="u1")
    writer = run_writer(url, 40)
    for i in range(40):
        await mem.add(msg(f"mine {i}", f"m{i}"))
    _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    stored = await mem.get_memory()
    assert len(stored) == 80 and len({m.id for m in stored}) == 80
    assert [m.id for m in stored if m.id.startswith("m")] == [f"m{i}" for i in range(40)]
    assert [m.id for m in stored if m.id.startswith("w")] == [f"w{i}" for i in range(40)]
    await mem.close()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- servers that die
async def test_redis_killed_mid_run_gives_one_line_and_leaves_whole_writes() -> None:
    server = start_redis()
    try:
        mem = RedisMemory(port=server.port, session_id="s", user_id="u", socket_timeout=5)
        for i in range(20):
            await mem.add([msg(f"a{i}", f"a{i}"), msg(f"b{i}", f"b{i}")], marks="pair")
        server.kill()
        with pytest.raises(MemoryBackendError) as caught:
            await mem.add([msg("late", "late1"), msg("late", "late2")], marks="pair")
        line = str(caught.value)
        assert "\n" not in line
        assert f"RedisMemory at redis://localhost:{server.port}/0: cannot add messages" in line
        server.start()  # same port and folder: the append-only file is replayed
        stored = await mem.get_memory()
        ids = [m.id for m in stored]
        assert len(ids) == 40 and ids[:2] == ["a0", "b0"]
        assert [m.id for m in await mem.get_memory(mark="pair")] == ids  # marks whole too
        assert "late1" not in ids and "late2" not in ids
        await mem.close()
    finally:
        stop_redis(server)


async def test_postgres_killed_mid_run_gives_one_line_and_leaves_whole_writes() -> None:
    server = pg.start_server()  # its own: this test stops it
    try:
        url = server.new_database().replace("+psycopg", "+asyncpg")
        url = url.replace("//postgres@", "//postgres:hunter2@")  # trust auth ignores it
        mem = memory_from_url(url, session_id="s", user_id="u")
        for i in range(10):
            await mem.add([msg(f"a{i}", f"a{i}"), msg(f"b{i}", f"b{i}")], marks="pair")
        server.stop()
        with pytest.raises(MemoryBackendError) as caught:
            await mem.add([msg("late", "late1")])
        line = str(caught.value)
        assert "\n" not in line and "hunter2" not in line
        assert line.startswith("AsyncSQLAlchemyMemory at postgresql+asyncpg://postgres:***@")
        assert "cannot add messages" in line
        options = f"-p {server.port} -k {server.base} -c listen_addresses=127.0.0.1"
        log = os.path.join(server.base, "server.log")
        started = server._run(
            "pg_ctl", "-D", server.data_dir, "-o", options, "-l", log, "-w", "start"
        )
        assert started.returncode == 0, started.stderr
        for _ in range(3):  # the pool's old connections are dropped one failure at a time
            try:
                stored = await mem.get_memory()
                break
            except MemoryBackendError:
                await asyncio.sleep(0.2)
        assert [m.id for m in stored] == [f"{p}{i}" for i in range(10) for p in "ab"]
        assert len(await mem.get_memory(mark="pair")) == 20
        await mem.add(msg("after", "after"))  # the memory works again, in order
        assert (await mem.get_memory())[-1].id == "after"
        await mem.close()  # type: ignore[attr-defined]
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


async def test_servers_down_at_start_give_one_line() -> None:
    port = free_port()
    redis_mem = RedisMemory(port=port, socket_connect_timeout=2)
    with pytest.raises(MemoryBackendError, match=rf"^RedisMemory at redis://localhost:{port}/0"):
        await redis_mem.get_memory()
    sql_mem = memory_from_url(f"postgresql://nobody:pw@127.0.0.1:{port}/x")
    with pytest.raises(MemoryBackendError) as caught:
        await sql_mem.add(msg("hi", "1"))
    assert "\n" not in str(caught.value) and ":pw@" not in str(caught.value)
    session = RedisSession(port=port, socket_connect_timeout=2)
    with pytest.raises(MemoryBackendError, match="RedisSession .* cannot save the session"):
        await session.save_session_state("s", agent=redis_mem)


async def test_a_wrong_redis_password_is_one_line_without_the_password() -> None:
    server = start_redis(password="right-pass")
    try:
        wrong = RedisMemory(port=server.port, password="wrong-pass")
        with pytest.raises(MemoryBackendError, match="authentication failed") as caught:
            await wrong.add(msg("hi", "1"))
        assert "wrong-pass" not in str(caught.value) and "right-pass" not in str(caught.value)
        right = RedisMemory(port=server.port, password="right-pass")
        await right.add(msg("hi", "1"))
        assert await right.size() == 1
        await right.close()
    finally:
        stop_redis(server)


# ---------------------------------------------------------------- TTL, ids, sizes
async def test_ttl_is_honoured_and_expiry_is_reported(redis_server: RedisServer) -> None:  # noqa: F811
    mem = RedisMemory(port=redis_server.port, session_id="ttl", key_ttl=1)
    await mem.add([msg("one", "1"), msg("two", "2")], marks="m")
    assert 0 < await mem.get_client().ttl(mem._list_key()) <= 1
    assert len(await mem.get_memory()) == 2
    await asyncio.sleep(0.6)
    assert len(await mem.get_memory()) == 2  # each access slides the expiry
    await asyncio.sleep(0.6)
    assert len(await mem.get_memory()) == 2
    await asyncio.sleep(1.6)
    with pytest.warns(RuntimeWarning, match=r"expired \(key_ttl=1s\)"):
        assert await mem.get_memory() == []
    assert await mem.get_client().keys("*") == []
    await mem.add(msg("again", "3"))  # the memory is usable after expiry
    assert texts(await mem.get_memory()) == ["again"]
    await mem.close()


async def test_redis_session_ttl_and_round_trip(redis_server: RedisServer) -> None:  # noqa: F811
    from ascope_nb.memory import InMemoryMemory

    source = InMemoryMemory()
    await source.add(msg("kept", "k"))
    session = RedisSession(port=redis_server.port, key_ttl=1)
    await session.save_session_state("odd id: *?", user_id="ü", memory=source)
    copy = InMemoryMemory()
    await session.load_session_state("odd id: *?", user_id="ü", memory=copy)
    assert texts(await copy.get_memory()) == ["kept"]
    await asyncio.sleep(1.6)
    with pytest.raises(ValueError, match="no saved session"):
        await session.load_session_state("odd id: *?", user_id="ü", allow_not_exist=False)
    await session.close()


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
async def test_odd_session_ids_stay_apart(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    if backend == "redis":
        url = request.getfixturevalue("redis_server").url
    else:
        url = f"sqlite:///{tmp_path / 'odd.db'}"
    odd = ["*", "a:mark:x", "a", "sp ace/ü\t[x]", "100%:"]
    mems = [memory_from_url(url, session_id=s, user_id="u:1") for s in odd]
    for i, mem in enumerate(mems):
        await mem.add(msg(f"in {odd[i]}", f"id{i}"), marks="x")
    await mems[0].clear()  # "*" clears itself only
    assert await mems[0].size() == 0
    for i, mem in enumerate(mems[1:], start=1):
        assert texts(await mem.get_memory(mark="x")) == [f"in {odd[i]}"]
    with pytest.raises(ValueError, match="session_id .* contains NUL or a line break"):
        memory_from_url(url, session_id="bad\nid")
    for mem in mems:
        await mem.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
async def test_a_message_too_large_writes_nothing(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    if backend == "redis":
        url = request.getfixturevalue("redis_server").url
    else:
        url = f"sqlite:///{tmp_path / 'big.db'}"
    mem = memory_from_url(url, session_id="big")
    mem.max_message_bytes = 2000  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=r"message 'huge' is \d+ bytes, more than"):
        await mem.add([msg("small", "small"), msg("x" * 5000, "huge")])
    assert await mem.size() == 0
    await mem.add(msg("small", "small"))
    assert await mem.size() == 1
    await mem.close()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- notebook rows
@pytest.mark.parametrize("backend", ["redis", "sqlite"])
async def test_rows_and_dataframe_read_the_server_from_inside_a_running_loop(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    if backend == "redis":
        url = request.getfixturevalue("redis_server").url
    else:
        url = f"sqlite:///{tmp_path / 'rows.db'}"
    mem = memory_from_url(url, session_id="rows")
    other = memory_from_url(url, session_id="rows")  # "another kernel" on the same session
    await mem.add(msg("hello", "1"), marks=["hint", "compressed"])
    await other.add(msg("from the other one", "2"))
    rows = mem.to_rows()  # type: ignore[attr-defined]
    assert [(r["id"], r["text"], r["marks"]) for r in rows] == [
        ("1", "hello", ["compressed", "hint"]),
        ("2", "from the other one", []),
    ]
    frame = mem.to_dataframe()  # type: ignore[attr-defined]
    assert list(frame["text"]) == ["hello", "from the other one"]
    for one in (mem, other):
        await one.close()  # type: ignore[attr-defined]


def test_memory_urls_pick_the_backend(tmp_path: Any) -> None:
    from ascope_nb.exceptions import ConfigError
    from ascope_nb.memory import InMemoryMemory

    assert isinstance(memory_from_url("memory"), InMemoryMemory)
    assert isinstance(memory_from_url("redis://127.0.0.1:1/0", session_id="s"), RedisMemory)
    sql = memory_from_url(f"sqlite:///{tmp_path / 'x.db'}", session_id="s", user_id="u")
    assert isinstance(sql, AsyncSQLAlchemyMemory)
    assert (sql.session_id, sql.user_id) == ("s", "u")
    with pytest.raises(ConfigError, match="expected redis://"):
        memory_from_url("nowhere")
    with pytest.raises(ConfigError, match=r"'nosuchdb://u:\*\*\*@h/x'"):
        memory_from_url("nosuchdb://u:secret@h/x")
