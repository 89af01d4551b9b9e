"""Long-term memory across kernels: what one kernel's agent remembered, a new kernel's agent
retrieves (real ipykernels, the real embedded model and Qdrant folder under ``$ASCOPE_MEMORY``);
``%knowledge`` in a real kernel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

FIRST = """
from ascope_nb.agent import ReActAgent
from ascope_nb.memory import LocalLongTermMemory
from ascope_nb.message import Msg
ltm = LocalLongTermMemory()
model = ScriptedModel([[tool_call("record_to_memory", thinking="a fact about the user",
                                  content=["Kai's bicycle is a red Gazelle from 1998"])], "Noted."],
                      stream=False)
agent = ReActAgent(name="Keeper", sys_prompt="s", model=model, long_term_memory=ltm,
                   long_term_memory_mode="agent_control")
agent.set_console_output_enabled(False)
reply = await agent(Msg("Kai", "Remember my bike: a red Gazelle from 1998.", "user"))
await ltm.close()
print(reply.get_text_content(), len(ltm.entries()), ltm.path)
"""

SECOND = """
from ascope_nb.agent import ReActAgent
from ascope_nb.memory import LocalLongTermMemory
from ascope_nb.message import Msg
ltm = LocalLongTermMemory()
model = ScriptedModel(["Your bike is a red Gazelle."], stream=False)
agent = ReActAgent(name="Keeper", sys_prompt="s", model=model, long_term_memory=ltm,
                   long_term_memory_mode="static_control")
agent.set_console_output_enabled(False)
await agent(Msg("Kai", "What kind of bicycle do I ride?", "user"))
mem = await agent.memory.get_memory()
print("RECALLED", mem[1].name, "red Gazelle from 1998" in mem[1].get_text_content())
print("MODEL SAW", "red Gazelle from 1998" in str(model.calls[0]))
await ltm.close()
"""


def test_memory_written_in_one_kernel_is_retrieved_in_a_new_one(tmp_path: Path) -> None:
    env = {"ASCOPE_MEMORY": str(tmp_path / "memory"), "ASCOPE_STORE": str(tmp_path / "runs.sqlite")}
    first = KernelDriver(sys.executable, extra_env=env)
    try:
        first.ok(SETUP)
        out = first.ok(FIRST, timeout=240).stdout
    finally:
        first.shutdown()
    assert out.startswith("Noted. 1 ") and str(tmp_path / "memory") in out
    assert (tmp_path / "memory" / "memories.jsonl").is_file()
    second = KernelDriver(sys.executable, extra_env=env)
    try:
        second.ok(SETUP)
        out = second.ok(SECOND, timeout=240).stdout
    finally:
        second.shutdown()
    assert "RECALLED long_term_memory True" in out and "MODEL SAW True" in out
