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


def test_knowledge_magic_adds_searches_and_shows_memory(tmp_path: Path) -> None:
    import docx

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "garden.md").write_text(
        "Tomatoes need six hours of sun a day.\n\nWater them at dawn.\n"
    )
    document = docx.Document()
    document.add_paragraph("The office wifi password is written on the kitchen fridge.")
    document.save(str(notes / "office.docx"))
    env = {"ASCOPE_MEMORY": str(tmp_path / "memory"), "ASCOPE_STORE": str(tmp_path / "runs.sqlite")}
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memories.jsonl").write_text(
        '{"id": "m1", "text": "Kai rides a red Gazelle", "agent": "Keeper", "kind": "fact"}\n'
    )
    k = KernelDriver(sys.executable, extra_env=env)
    try:
        k.ok("%load_ext ascope_nb")
        added = k.ok(f"%knowledge add {notes}", timeout=240).stdout
        assert added.strip() == "knowledge 'notes': added 3 chunk(s) from 2 file(s) (3 in all)"
        found = k.ok("%knowledge search where is the wifi password? --limit 2", timeout=120)
        html = found.result["text/html"]  # type: ignore[index]
        assert "kitchen fridge" in html.split("</tr>")[1] and "office.docx" in html
        assert found.result["text/plain"].startswith(  # type: ignore[index]
            "knowledge 'notes': where is the wifi password?\n1 | "
        )
        memory = k.ok("%knowledge memory", timeout=120).result["text/plain"]  # type: ignore[index]
        assert memory == "long-term memory (1 entries)\nKeeper | fact | Kai rides a red Gazelle"
        bad = k.execute("%knowledge add /no/such/place")
        assert bad.status == "error" and bad.errors == []  # one line, no traceback
        assert bad.stderr.strip().splitlines() == [
            "UsageError: %knowledge add: no such file or folder '/no/such/place'"
        ]
        listed = k.ok("%knowledge list").result["text/plain"]  # type: ignore[index]
        assert listed.endswith("notes | 3")
    finally:
        k.shutdown()
    assert (tmp_path / "knowledge" / "notes").is_dir()  # next to the run store
