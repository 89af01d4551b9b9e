"""Built-in tools with real subprocesses and temp files."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from ascope_nb.tool import (
    Toolkit,
    ToolResponse,
    execute_python_code,
    execute_shell_command,
    insert_text_file,
    view_text_file,
    write_text_file,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="process groups and /proc are POSIX")


def text(resp: ToolResponse) -> str:
    return "".join(b["text"] for b in resp.content if b["type"] == "text")


def alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (killed, not yet reaped by init) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    return True


async def wait_for_file(path: Path, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} was never written")


async def test_python_stdout_stderr_and_returncode() -> None:
    code = "import sys\nprint('out', 6 * 7)\nprint('oops', file=sys.stderr)\nsys.exit(3)"
    resp = await execute_python_code(code)
    assert (
        text(resp) == "<returncode>3</returncode><stdout>out 42\n</stdout><stderr>oops\n</stderr>"
    )
    assert resp.metadata == {"success": True, "returncode": 3}

    crash = await execute_python_code("1 / 0")
    assert text(crash).startswith("<returncode>1</returncode><stdout></stdout><stderr>Traceback")
    assert "ZeroDivisionError: division by zero" in text(crash)

    unicode = await execute_python_code("print('héllo ✓')")
    assert text(unicode) == "<returncode>0</returncode><stdout>héllo ✓\n</stdout><stderr></stderr>"


async def test_python_timeout_kills_and_keeps_partial_output() -> None:
    t0 = time.monotonic()
    resp = await execute_python_code("import time\nprint('started')\ntime.sleep(30)", timeout=1)
    assert time.monotonic() - t0 < 10
    assert text(resp) == (
        "<returncode>-1</returncode><stdout>started\n</stdout>"
        "<stderr>TimeoutError: The code execution exceeded the timeout of 1 seconds.</stderr>"
    )
    assert resp.metadata is not None and resp.metadata["success"] is False


@posix_only
async def test_cancelling_python_kills_the_child(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    code = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)"
    task = asyncio.create_task(execute_python_code(code))
    pid = int(await wait_for_file(pid_file))
    assert alive(pid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not alive(pid)


@posix_only
async def test_cancelling_through_the_toolkit_kills_shell_and_grandchild(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    toolkit = Toolkit()
    toolkit.register_tool_function(execute_shell_command)
    command = f"sleep 60 & echo $! > {pid_file}; wait"
    block = {
        "type": "tool_use",
        "id": "c1",
        "name": "execute_shell_command",
        "input": {"command": command},
    }

    async def consume() -> list[ToolResponse]:
        return [c async for c in toolkit.call_tool_function(block)]  # type: ignore[arg-type]

    task = asyncio.create_task(consume())
    sleeper = int(await wait_for_file(pid_file))
    assert alive(sleeper)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline = time.monotonic() + 5
    while alive(sleeper) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not alive(sleeper)


async def test_shell_command_output_and_timeout() -> None:
    resp = await execute_shell_command("echo hi; echo err 1>&2; exit 2")
    assert text(resp) == "<returncode>2</returncode><stdout>hi\n</stdout><stderr>err\n</stderr>"
    t0 = time.monotonic()
    slow = await execute_shell_command("echo begin; sleep 30", timeout=1)
    assert time.monotonic() - t0 < 10
    assert text(slow) == (
        "<returncode>-1</returncode><stdout>begin\n</stdout>"
        "<stderr>TimeoutError: The command execution exceeded the timeout of 1 seconds.</stderr>"
    )


async def test_builtins_register_with_clean_schemas() -> None:
    toolkit = Toolkit()
    for tool in (execute_python_code, execute_shell_command, view_text_file, write_text_file):
        toolkit.register_tool_function(tool)
    params = {
        s["function"]["name"]: (
            sorted(s["function"]["parameters"]["properties"]),
            s["function"]["parameters"].get("required"),
        )
        for s in toolkit.get_json_schemas()
    }
    assert params == {
        "execute_python_code": (["code", "timeout"], ["code"]),
        "execute_shell_command": (["command", "timeout"], ["command"]),
        "view_text_file": (["file_path", "ranges"], ["file_path"]),
        "write_text_file": (["content", "file_path", "ranges"], ["file_path", "content"]),
    }
    block = {
        "type": "tool_use",
        "id": "c1",
        "name": "execute_python_code",
        "input": {"code": f"import sys; print(sys.executable == {sys.executable!r})"},
    }
    resp = await toolkit.call_tool_function(block).last()  # type: ignore[arg-type]
    assert text(resp) == "<returncode>0</returncode><stdout>True\n</stdout><stderr></stderr>"


async def test_view_text_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one\ntwo\nthree\nfour", encoding="utf-8")
    whole = await view_text_file(str(path))
    # a last line without newline is shown as it is (AgentScope's wording)
    assert text(whole) == f"The content of {path}:\n```\n1: one\n2: two\n3: three\n4: four```"
    part = await view_text_file(str(path), [2, 3])
    assert text(part) == f"The content of {path} in [2, 3] lines:\n```\n2: two\n3: three\n```"
    tail = await view_text_file(str(path), [-2, -1])
    assert text(tail).splitlines()[2:4] == ["3: three", "4: four```"]

    missing = await view_text_file(str(tmp_path / "nope.txt"))
    assert (text(missing), missing.metadata["success"]) == (  # type: ignore[index]
        f"Error: The file {tmp_path / 'nope.txt'} does not exist.",
        False,
    )
    folder = await view_text_file(str(tmp_path))
    assert text(folder) == f"Error: The path {tmp_path} is not a file."
    out_of_bounds = await view_text_file(str(path), [9, 10])
    assert text(out_of_bounds) == (
        f"InvalidArgumentError: The range '[9, 10]' is out of bounds for the file "
        f"'{path}', which has only 4 lines."
    )
    bad = await view_text_file(str(path), [3, 1])
    assert text(bad).startswith("InvalidArgumentError:")


async def test_write_and_insert_text_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "b.txt"
    created = await write_text_file(str(path), "l1\nl2\nl3\nl4\n")
    assert text(created) == f"Create and write {path} successfully."
    assert path.read_text() == "l1\nl2\nl3\nl4\n"

    replaced = await write_text_file(str(path), "L2\nL2b", ranges=[2, 3])
    assert path.read_text() == "l1\nL2\nL2b\nl4\n"
    assert text(replaced) == (
        f"Write {path} successfully. The new content snippet:\n```\n1: l1\n2: L2\n3: L2b\n4: l4\n```"
    )

    inserted = await insert_text_file(str(path), "new", 1)
    assert path.read_text() == "new\nl1\nL2\nL2b\nl4\n"
    assert text(inserted) == (
        f"Insert content into {path} at line 1 successfully. The new content between lines "
        "1-5 is:\n```\n1: new\n2: l1\n3: L2\n4: L2b\n5: l4\n```"
    )
    appended = await insert_text_file(str(path), "end", 6)  # appended as given
    assert path.read_text().endswith("l4\nend")
    assert text(appended).endswith("5: l4\n6: end```")
    assert appended.metadata == {"success": True}
    bad = await insert_text_file(str(path), "x", 99)
    assert (
        text(bad)
        == "InvalidArgumentsError: The given line_number (99) is not in the valid range [1, 7]."
    )
    window = tmp_path / "fifty.txt"
    window.write_text("\n".join(str(i) for i in range(50)))
    middle = await insert_text_file(str(window), "e", 25)  # 5 lines before, 6 after
    assert "between lines 20-31 is:\n```\n20: 19\n" in text(middle)
    assert text(middle).endswith("25: e\n26: 24\n27: 25\n28: 26\n29: 27\n30: 28\n31: 29\n```")

    home = Path.home() / f".ascope_tilde_{os.getpid()}.txt"
    try:  # "~" is the user's home, as in AgentScope
        await write_text_file(f"~/{home.name}", "at home\n")
        assert home.read_text() == "at home\n"
        await insert_text_file(f"~/{home.name}", "first", 1)
        assert text(await view_text_file(f"~/{home.name}")).endswith("1: first\n2: at home\n```")
    finally:
        home.unlink(missing_ok=True)

    overwritten = await write_text_file(str(path), "fresh")
    assert (text(overwritten), path.read_text()) == (f"Overwrite {path} successfully.", "fresh")
