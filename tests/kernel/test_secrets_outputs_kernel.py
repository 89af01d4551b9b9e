"""Secrets in a real kernel's cell outputs and files (issue 27, item 6): a collector URL's
password, keys in indexed files shown by ``%knowledge search`` / ``%knowledge memory``,
secrets recorded by ``LocalLongTermMemory.record()`` into ``memories.jsonl``, and the final
``Msg`` shown by ``await run`` as a cell's last line. None reaches iopub or the files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

OPENAI_KEY = "oak-7c1f9e2b4d6a8e0f1a2b3c4d"  # in the kernel's environment: a known secret
SHAPED = "sk-proj-Zx81kd93jf72hd0s1a2b3c4d"  # a key shape nobody registered
PASSWORD = "sk-collector-5f4e3d2c1b0a9z8y7x"


def test_secrets_stay_out_of_cell_outputs_and_files(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "deploy.md").write_text(
        f"# deploy settings\nOPENAI_API_KEY={OPENAI_KEY}\nBACKUP_KEY={SHAPED}\nREGION=eu\n"
    )
    memory_dir = tmp_path / "memory"
    memory_dir.mkdir()
    env = {
        "ASCOPE_MEMORY": str(memory_dir),
        "ASCOPE_STORE": str(tmp_path / "runs.sqlite"),
        "OPENAI_API_KEY": OPENAI_KEY,
    }
    k = KernelDriver(sys.executable, extra_env=env)
    iopub: list[dict[str, Any]] = []
    receive = k.kc.get_iopub_msg

    def recording(*args: Any, **kwargs: Any) -> dict[str, Any]:
        msg = receive(*args, **kwargs)
        iopub.append(msg)
        return msg

    k.kc.get_iopub_msg = recording  # type: ignore[method-assign]
    try:
        k.ok("%load_ext ascope_nb")
        k.ok(SETUP)
        shown = k.ok(f"%ascope trace http://user:{PASSWORD}@127.0.0.1:9/v1/traces").stdout
        assert "127.0.0.1:9/v1/traces" in shown
        assert "127.0.0.1:9" in k.ok("%ascope trace").stdout
        k.ok("%ascope trace off")
        k.ok(f"%knowledge add {notes}", timeout=240)
        found = k.ok("%knowledge search which OPENAI_API_KEY does deploy use", timeout=120)
        assert found.result is not None, (found.stdout, found.stderr)
        assert "deploy.md" in found.result["text/html"]  # type: ignore[index]
        assert "REDACTED" in found.result["text/plain"]  # type: ignore[index]
        k.ok(
            "from ascope_nb.memory import LocalLongTermMemory\n"
            "from ascope_nb.message import Msg\n"
            "import os\n"
            "ltm = LocalLongTermMemory(agent_name='Keeper')\n"
            f"shaped = open({str(notes / 'deploy.md')!r}).read().split('BACKUP_KEY=')[1].split()[0]\n"
            "await ltm.record([Msg('user', 'my key is ' + os.environ['OPENAI_API_KEY'], 'user'),\n"
            "                  Msg('Keeper', 'noted ' + shaped, 'assistant')])\n"
            "await ltm.close()",
            timeout=240,
        )
        memory = k.ok("%knowledge memory", timeout=120).result["text/plain"]  # type: ignore[index]
        assert "my key is [REDACTED]" in memory, memory
        k.ok(
            "from ascope_nb.agent import ReActAgent\nimport ascope_nb\n"
            "agent = ReActAgent('Leaky', 's', ScriptedModel(['the key is ' + "
            "os.environ['OPENAI_API_KEY']]))\n"
            "run = ascope_nb.start(agent, 'hi')"
        )
        last = k.ok("await run")
        assert "[REDACTED]" in last.result["text/plain"]  # type: ignore[index]
        assert (
            k.ok(
                "OPENAI_KEY_SEEN = 'the key is ' + os.environ['OPENAI_API_KEY'] == "
                "run.result.get_text_content()\nOPENAI_KEY_SEEN"
            ).result[  # type: ignore[index]
                "text/plain"
            ]
            == "True"
        )  # the agent really answered with the key
        k.drain_iopub()
    finally:
        k.shutdown()
    outputs = [m for m in iopub if m["msg_type"] != "execute_input"]  # the typed URL itself
    assert any(m["msg_type"] == "execute_input" and PASSWORD in str(m) for m in iopub)
    data = json.dumps(outputs, default=str)
    for name, value in (("OPENAI_API_KEY", OPENAI_KEY), ("key", SHAPED), ("password", PASSWORD)):
        assert value not in data, f"the {name} value leaked into an iopub message"
    record = (memory_dir / "memories.jsonl").read_text()
    assert "[REDACTED]" in record
    assert OPENAI_KEY not in record and SHAPED not in record, "a secret reached memories.jsonl"
