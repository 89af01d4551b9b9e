"""``%session save/load`` and ``%%agent --memory`` in an IPython shell (the kernel test in
``tests/kernel/test_shared_memory_kernel.py`` runs them across two real kernels)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from ascope_nb.memory import AsyncSQLAlchemyMemory, InMemoryMemory
from ascope_nb.notebook import load_ipython_extension


@pytest.fixture()
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    from ascope_nb.agent import AgentBase

    ip = InteractiveShell.instance()
    load_ipython_extension(ip)
    for name in [k for k, v in ip.user_ns.items() if isinstance(v, AgentBase)]:
        del ip.user_ns[name]  # the shell is shared: only this test's agents
    yield ip


def test_session_saves_and_loads_the_notebook_agents(
    shell: InteractiveShell, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_cell_magic("agent", "Ann --model demo", "You are Ann.")
    shell.run_cell_magic("agent", "Bob --model demo", "You are Bob.")
    capsys.readouterr()
    shell.run_line_magic("session", f"save day1 --to {tmp_path}")
    assert capsys.readouterr().out == f"saved Ann, Bob to {tmp_path}\n"
    assert (tmp_path / "default_user_day1.json").is_file()
    shell.user_ns["Ann"].sys_prompt = "changed"
    shell.run_line_magic("session", f"load day1 --from {tmp_path} --agents Ann")
    assert shell.user_ns["Ann"].sys_prompt == "You are Ann."
    assert capsys.readouterr().out == f"loaded Ann from {tmp_path}\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("frob x", "%session: argument action: invalid choice: 'frob'"),
        ("save", "%session: the following arguments are required: name"),
        ("save s --agents Nobody", "%session: no agent variable named 'Nobody'"),
        ("load missing --from {tmp}", "%session load 'missing' ({tmp}): no saved session"),
        ("save s --to redis://127.0.0.1:1/0", "RedisSession at redis://127.0.0.1:1/0: cannot"),
    ],
)
def test_session_mistakes_are_one_line(
    shell: InteractiveShell, tmp_path: Path, line: str, message: str
) -> None:
    shell.run_cell_magic("agent", "Ann --model demo", "You are Ann.")
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("session", line.format(tmp=tmp_path))
    assert message.format(tmp=tmp_path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_agent_memory_option_picks_the_backend(shell: InteractiveShell, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    shell.run_cell_magic("agent", f"Ann --model demo --memory {url} --session lesson", "Hi.")
    memory = shell.user_ns["Ann"].memory
    assert isinstance(memory, AsyncSQLAlchemyMemory) and memory.session_id == "lesson"
    shell.run_cell_magic("agent", "Bob --model demo", "Hi.")
    assert isinstance(shell.user_ns["Bob"].memory, InMemoryMemory)
    with pytest.raises(UsageError, match="memory URL 'nowhere': expected redis://"):
        shell.run_cell_magic("agent", "Cy --model demo --memory nowhere", "Hi.")
    assert "Cy" not in shell.user_ns
