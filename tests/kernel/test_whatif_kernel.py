"""Fork a stored run after a kernel restart: the tools come from the new kernel's namespace
and the fork's first model call is the one the original made at that step."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

TOOLS = """
from ascope_nb.testing import FunctionModel
from ascope_nb.agent import ReActAgent
"""

ADD = '''
def add(a: int, b: int) -> str:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return str(a + b)

def counting(messages, tools):
    seen = [m["content"] for m in messages if m["role"] == "tool"]
    if len(seen) < 3:
        return [tool_call("add", a=len(seen), b=1)]
    return f"The last sum is {seen[-1]}."
'''


def test_a_stored_run_forks_after_a_kernel_restart(tmp_path: Path) -> None:
    import sys

    kernel = KernelDriver(sys.executable, extra_env={"ASCOPE_STORE": str(tmp_path / "r.sqlite")})
    try:
        kernel.ok(SETUP + TOOLS + ADD + "import ascope_nb")
        kernel.ok(
            "from ascope_nb import Toolkit\n"
            "tk = Toolkit(); tk.register_tool_function(add)\n"
            "agent = ReActAgent(name='Friday', sys_prompt='Add.', model=FunctionModel(counting),"
            " toolkit=tk)\n"
            "run = ascope_nb.start(agent, 'Add things up.')\n"
            "await run\n"
        )
        run_id = kernel.ok("json.dumps(run.run_id)").value()
        kernel.km.restart_kernel(now=True)
        kernel.kc.wait_for_ready(timeout=60)
        kernel.ok(SETUP + TOOLS + "import ascope_nb")
        missing = kernel.execute(f"ascope_nb.load_run({run_id!r}).fork(1)")
        assert missing.errors and "tool 'add' of run" in missing.errors[0]["evalue"]
        kernel.ok(ADD + "model = FunctionModel(counting, model_name='after-restart')")
        kernel.ok(f"fork = ascope_nb.load_run({run_id!r}).fork(1, model=model)\nawait fork")
        out = kernel.ok(
            "from ascope_nb.fold import RunFold\n"
            "from ascope_nb.formatter import OpenAIChatFormatter\n"
            "from ascope_nb.message import Msg\n"
            "parent = ascope_nb.load_run(" + repr(run_id) + ")\n"
            "(rec,) = [c for c in RunFold().extend(parent.events).model_calls() if c.step == 1]\n"
            "sent = await OpenAIChatFormatter().format([Msg.from_dict(m) for m in rec.input])\n"
            "json.dumps([fork.status, sent == model.calls[0].messages,"
            " fork.result.get_text_content(), fork.events[0].metadata['parent_run_id']])"
        ).value()
        assert out == ["completed", True, "The last sum is 3.", run_id]
        kernel.ok("%load_ext ascope_nb")
        fork_id = kernel.ok("json.dumps(fork.run_id)").value()
        tree = kernel.ok(f"%runs --tree {run_id}").result
        assert tree is not None
        assert tree["text/plain"].splitlines() == [
            f"{run_id} · Friday · completed",
            f"└ fork@1 {fork_id} · Friday · fork@1 · completed",
        ]
        assert f"<code>{fork_id}</code>" in tree["text/html"]
    finally:
        kernel.shutdown()
