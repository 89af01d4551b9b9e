"""One agent, two notebooks: two real kernels whose ``%%agent --memory redis://...`` agents
share one Redis memory (a real ``redis-server``); each kernel's ``%agent_memory`` shows both
turns; ``%session save/load`` moves an agent's state between kernels through Redis and SQL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

from tests.support.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.kernel


def test_two_kernels_share_one_redis_memory(
    redis_server: RedisServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    url = redis_server.url
    env = {"ASCOPE_STORE": str(tmp_path / "runs.sqlite")}
    kernels = [KernelDriver(sys.executable, extra_env=env) for _ in range(2)]
    try:
        for kernel, (question, answer) in zip(
            kernels,
            [("Hi from notebook A", "Hello A"), ("Hi from notebook B", "Hello B")],
            strict=True,
        ):
            kernel.ok("%load_ext ascope_nb")
            kernel.ok(SETUP)
            kernel.ok(f"m = ScriptedModel([{answer!r}], stream=False)")
            kernel.ok(f"%%agent Tutor --model m --memory {url}\nYou teach.")
            kernel.ok(f"%%ask Tutor --out run\n{question}")
            kernel.ok("await run", timeout=60)
        expected = [
            ("system", "You teach."),
            ("user", "Hi from notebook A"),
            ("assistant", "Hello A"),
            ("user", "Hi from notebook B"),
            ("assistant", "Hello B"),
        ]
        for kernel in kernels:
            ex = kernel.ok("%agent_memory Tutor")
            rows = ex.widget_state(ex.widget_comm("rows"))["rows"]
            assert [(r["role"], r["text"]) for r in rows] == expected
        frame = kernels[0].ok("json.dumps(list(Tutor.memory.to_dataframe()['text']))").value()
        assert frame == [text for _, text in expected[1:]]

        # %session: kernel B saves its agent's state, kernel A loads it (Redis, then SQLite)
        sql = f"sqlite:///{tmp_path / 'sessions.db'}"
        for where in (url, sql):
            kernels[1].ok("Tutor._sys_prompt = 'You teach, from B.'")
            out = kernels[1].ok(f"%session save lesson --to {where}").stdout
            assert out.startswith("saved Tutor to ")
            kernels[0].ok("Tutor._sys_prompt = 'changed'")
            assert (
                kernels[0]
                .ok(f"%session load lesson --from {where}")
                .stdout.startswith("loaded Tutor from ")
            )
            assert kernels[0].ok("json.dumps(Tutor.sys_prompt)").value() == "You teach, from B."
        missing = kernels[0].execute(f"%session load nothing-here --from {url}")
        error = (missing.errors[0]["evalue"] if missing.errors else missing.stderr).strip()
        assert "no saved session" in error and "\n" not in error, error
    finally:
        for kernel in kernels:
            kernel.shutdown()
