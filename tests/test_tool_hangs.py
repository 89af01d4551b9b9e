"""Built-in process tools never hang the kernel and leave no process behind.

Real subprocess trees: a shell that backgrounds a child, a server started with ``&``, a
timeout, the Stop button on a live run, and the end of the process (kernel shutdown).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.run import start
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.tool import Toolkit, execute_python_code, execute_shell_command


def live_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that are still running (zombies awaiting init don't count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def wait_gone(pgid: int, timeout: float = 3.0) -> list[int]:
    end = time.monotonic() + timeout
    while (members := live_members(pgid)) and time.monotonic() < end:
        time.sleep(0.05)
    return members


def text_of(response) -> str:
    return response.content[0]["text"]


def stdout_of(text: str) -> str:
    return text.split("<stdout>", 1)[1].split("</stdout>", 1)[0]


async def test_background_child_does_not_hold_the_call() -> None:
    started = time.monotonic()
    out = text_of(await execute_shell_command("sleep 15 & echo $$", timeout=2))
    took = time.monotonic() - started
    assert took < 2.5, f"the call waited {took:.1f} s for the background sleep"
    assert wait_gone(int(stdout_of(out).strip())) == []


async def test_server_started_with_ampersand_returns_and_is_gone() -> None:
    command = f"echo $$; {sys.executable} -m http.server 0 --bind 127.0.0.1 &"
    out = await asyncio.wait_for(execute_shell_command(command, timeout=30), 10)
    assert wait_gone(int(stdout_of(text_of(out)).split()[0])) == []


async def test_timeout_kills_the_whole_tree() -> None:
    started = time.monotonic()
    out = text_of(await execute_shell_command("echo $$; sleep 30 & sleep 30", timeout=1))
    assert time.monotonic() - started < 3
    assert "<returncode>-1</returncode>" in out and "timeout of 1 seconds" in out
    assert wait_gone(int(stdout_of(out).strip())) == []


async def test_python_tool_timeout_kills_its_children() -> None:
    code = textwrap.dedent(
        """
        import os, subprocess, sys, time
        print(os.getpgrp(), flush=True)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        time.sleep(30)
        """
    )
    started = time.monotonic()
    out = text_of(await execute_python_code(code, timeout=1.5))
    assert time.monotonic() - started < 4
    assert wait_gone(int(stdout_of(out).strip())) == []


async def test_stop_button_leaves_no_process(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    calls = [  # a command that leaves a child holding the pipes, then one that runs long
        tool_call("execute_shell_command", command=f"echo $$ > {first}; sleep 30 & echo started"),
        tool_call("execute_shell_command", command=f"echo $$ > {second}; sleep 30 & sleep 30"),
    ]
    toolkit = Toolkit()
    toolkit.register_tool_function(execute_shell_command)
    agent = ReActAgent(
        name="Runner",
        sys_prompt="You run commands.",
        model=ScriptedModel([[calls[0]], [calls[1]], "done"]),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    run = start(agent, "run it", store=False)
    for _ in range(60):  # until the long command runs (or, on a hang, 3 s)
        if second.exists() and second.read_text().strip():
            break
        await asyncio.sleep(0.05)
    run.stop()
    await asyncio.wait_for(run.wait(), 5)
    assert run.status == "interrupted"
    for marker in (first, second):
        if marker.exists():
            assert wait_gone(int(marker.read_text())) == [], marker.name
    assert second.exists(), "the first command held the run until Stop"


def test_kernel_exit_kills_the_tools_still_running(tmp_path: Path) -> None:
    marker = tmp_path / "pgid"
    script = tmp_path / "kernel_like.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import asyncio, os, sys, threading, time
            from ascope_nb.tool import execute_shell_command
            command = "echo $$ > {marker}; sleep 60 & sleep 60"
            threading.Thread(
                target=asyncio.run, args=(execute_shell_command(command, timeout=120),), daemon=True
            ).start()
            while not os.path.exists("{marker}") or not open("{marker}").read().strip():
                time.sleep(0.05)
            print(open("{marker}").read().strip())
            sys.exit(0)  # the kernel shuts down with the tool call in flight
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=30, env=env
    )
    assert done.returncode == 0, done.stderr
    assert wait_gone(int(done.stdout.strip())) == []


async def test_huge_output_is_capped_before_it_reaches_the_model() -> None:
    toolkit = Toolkit()
    toolkit.register_tool_function(execute_python_code)
    call = {
        "type": "tool_use",
        "id": "big",
        "name": "execute_python_code",
        "input": {"code": "import sys\nsys.stdout.write('x' * 100_000_000)\nprint('END')"},
    }
    started = time.monotonic()
    result = await toolkit.call_tool_function(call).last()
    took = time.monotonic() - started
    text = text_of(result)
    assert len(text) < 110_000, len(text)
    assert "characters cut" in text and "limit 100,000" in text
    assert text.endswith("END\n</stdout><stderr></stderr>")  # the tail is kept
    assert any("output cut" in w for w in result.metadata["warnings"])
    assert took < 30
