"""Run controls called on a kernel subshell thread (ipykernel 7, JEP 91).

Subshells are an ipykernel 7 feature, so this module uses only the ipykernel 7 kernel.
Code (or a comm handler) on a subshell runs on that subshell's thread; ``Run`` hands the
request to the kernel's main loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def kernel7() -> Iterator[KernelDriver]:
    driver = KernelDriver(sys.executable)
    try:
        driver.ok("%load_ext ascope_nb")
        driver.ok(SETUP)
        yield driver
    finally:
        driver.shutdown()


def test_stop_called_on_a_subshell_thread(kernel7: KernelDriver) -> None:
    k = kernel7
    k.ok(
        """
import threading
started = asyncio.Event()
threads = []

async def slow(seconds: float) -> ToolResponse:
    \"\"\"Wait.

    Args:
        seconds: How long.
    \"\"\"
    started.set()
    await asyncio.sleep(seconds)
    return ToolResponse(content=[{"type": "text", "text": "slept"}])

m = ScriptedModel([[tool_call("slow", seconds=30)], "never reached"])
"""
    )
    k.ok("%%agent Sub --model m --tools slow\nYou wait.")
    k.ok("%%ask Sub --out run\nWait.")
    k.ok("main_thread = threading.get_ident()\nawait asyncio.wait_for(started.wait(), 10)")
    subshell = k.create_subshell()
    msg = k.kc.session.msg(
        "execute_request",
        {
            "code": "threads.append(threading.get_ident())\nrun.steer('Hurry.')\nrun.stop()",
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
    )
    msg["header"]["subshell_id"] = subshell
    k.kc.shell_channel.send(msg)
    ex = k.finish_execute(msg["header"]["msg_id"], timeout=20)
    assert ex.status == "ok", ex.reply["content"]
    got = k.ok(
        "await asyncio.wait_for(run.wait(), 10)\n"
        "json.dumps([run.status, len(threads), threads[0] != main_thread])",
        timeout=20,
    ).value()
    assert got == ["interrupted", 1, True], "stop came on another thread and still worked"
