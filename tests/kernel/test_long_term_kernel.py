"""``%knowledge memory --agent NAME`` in a real ipykernel: a Mem0 memory (the mem0 SDK faked,
as in ``tests/test_mem0_memory.py``) is listed, a memory that cannot list is one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel
TESTS = Path(__file__).resolve().parents[1]

AGENTS = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from test_mem0_memory import fake_mem0_modules, memory
sys.modules.update(fake_mem0_modules())
from ascope_nb.agent import ReActAgent
from ascope_nb.memory import LongTermMemoryBase

class Notes(LongTermMemoryBase):
    async def retrieve(self, msg, limit=5, **kwargs):
        return "kiwi is green" if "kiwi" in msg.get_text_content() else ""

mem = memory(agent_name="Friday", user_name="ada")
await mem.record_to_memory("", ["Ada likes tea", "Ada has a cat"])
Friday = ReActAgent("Friday", "s", ScriptedModel(["ok"]), long_term_memory=mem)
Keeper = ReActAgent("Keeper", "s", ScriptedModel(["ok"]), long_term_memory=Notes())
"""


def test_knowledge_memory_shows_any_agents_long_term_memory(tmp_path: Path) -> None:
    k = KernelDriver(sys.executable, extra_env={"ASCOPE_STORE": str(tmp_path / "runs.sqlite")})
    try:
        k.ok("%load_ext ascope_nb")
        k.ok(SETUP)
        k.ok(AGENTS, timeout=60)
        listed = k.ok("%knowledge memory --agent Friday").result
        assert listed["text/plain"] == (  # type: ignore[index]
            "long-term memory of Friday (Mem0LongTermMemory, 2 entries)\n"
            "Friday |  | Ada likes tea\nFriday |  | Ada has a cat"
        )
        assert "<td>Ada has a cat</td>" in listed["text/html"]  # type: ignore[index]
        found = k.ok("%knowledge memory kiwi --agent Keeper").result
        assert found["text/plain"].endswith("\n |  | kiwi is green")  # type: ignore[index]
        bad = k.execute("%knowledge memory --agent Keeper")
        assert bad.status == "error" and bad.errors == []  # one line, no traceback
        assert bad.stderr.strip().splitlines() == [
            "UsageError: Notes cannot list its memories; give a query "
            "(%knowledge memory QUERY --agent NAME)"
        ]
    finally:
        k.shutdown()
