"""The embedded model warms in the background: ``%%agent`` returns at once, the card
turns from "warming…" to "ready", and an immediate ``%%ask`` waits for the warming and
answers. The llama.cpp server is the fake OpenAI server (a slow warming reply); the
kernel, the magics, ``LocalModel`` and its schema tool mode are real."""

from __future__ import annotations

import json
import queue
import time
from pathlib import Path
from typing import Any

import pytest
from kernel_driver import KernelDriver

from ascope_nb.testing import FakeOpenAIServer, FakeReply

pytestmark = pytest.mark.kernel

WARM_SECONDS = 5.0
ATTACH = """
from pathlib import Path
from ascope_nb.model._local import LocalModel
from ascope_nb.model._local._server import LocalServer
weights = Path({path!r}); weights.write_bytes(b"GGUF")
lm = LocalModel(weights)
lm.server = LocalServer(model_path=weights, base_url={url!r}, api_key="k", load_seconds=0.0,
                        n_threads=1, n_ctx=512)
"""


def _card_update(kernel: KernelDriver, display_id: str, timeout: float) -> dict[str, Any]:
    """The ``update_display_data`` of the card (any parent: it comes from a thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kernel.kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        content = msg["content"]
        if msg["header"]["msg_type"] == "update_display_data" and (
            content.get("transient", {}).get("display_id") == display_id
        ):
            return dict(content["data"])
    raise AssertionError("the agent card was not updated after warming")


def test_agent_returns_before_warming_ends_and_ask_waits(
    kernel: KernelDriver, tmp_path: Path
) -> None:
    answer = json.dumps({"name": "finish", "answer": "17 * 23 = 391"})
    warm = FakeReply(text=answer, chunk_delay=WARM_SECONDS)
    with FakeOpenAIServer(replies=[warm, answer]) as fake:
        kernel.ok(ATTACH.format(path=str(tmp_path / "tiny.gguf"), url=fake.base_url))
        started = time.monotonic()
        ex = kernel.ok("%%agent Warm --model lm --tools execute_python_code\nYou are quick.")
        returned = time.monotonic() - started
        card = next(m for m in ex.messages if m["header"]["msg_type"] == "display_data")
        assert "state warming…" in card["content"]["data"]["text/plain"]
        assert returned < WARM_SECONDS, f"%%agent blocked for {returned:.1f}s"
        state = kernel.ok("json.dumps(Warm.model.state)").value()
        assert state == "warming…"  # the cell returned before the warming ended

        kernel.ok("%%ask Warm --out r\nWhat is 17 * 23? Use Python.")  # before ready
        display_id = card["content"]["transient"]["display_id"]
        updated = _card_update(kernel, display_id, timeout=WARM_SECONDS + 20)
        assert "state ready" in updated["text/plain"]
        got = kernel.ok(
            "reply = await r\njson.dumps([r.status, reply.get_text_content(), Warm.model.state])",
            timeout=60,
        ).value()
        assert got == ["completed", "17 * 23 = 391", "ready"]
        first, second = fake.requests
    # the warming request is the first request's prefix: same system prompt and tools
    assert first["max_tokens"] == 1 and second["max_tokens"] == 1024
    assert first["messages"][0] == second["messages"][0]
    assert first["messages"][1] == {"role": "user", "content": ""}
    assert "What is 17 * 23?" in json.dumps(second["messages"][1])
    assert first["grammar"] == second["grammar"]  # the same schema step, as a grammar
