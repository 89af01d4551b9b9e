"""``%ascope model anthropic:...`` / ``openai-responses:...`` / ``deepseek:...`` in a real
kernel, each against the fake server (keys from the usual variables, base URLs from the
SDKs' own variables), and a missing key as one line."""

from __future__ import annotations

import pytest
from kernel_driver import KernelDriver

pytest.importorskip("anthropic")

KEY = "sk-ant-kernel-test-0123456789abcdef"

SETUP = f"""
import os, json
from ascope_nb.testing import FakeOpenAIServer, FakeReply
server = FakeOpenAIServer().start()
os.environ["ANTHROPIC_API_KEY"] = "{KEY}"
os.environ["ANTHROPIC_BASE_URL"] = server.root
os.environ["OPENAI_API_KEY"] = "{KEY}"
os.environ["OPENAI_BASE_URL"] = server.base_url
os.environ["DEEPSEEK_API_KEY"] = "{KEY}"
os.environ["DEEPSEEK_BASE_URL"] = server.base_url
"""


@pytest.mark.parametrize(
    "spec", ["anthropic:claude-fake", "openai-responses:o-fake", "deepseek:ds-fake"]
)
def test_one_line_switches_the_family(kernel: KernelDriver, spec: str) -> None:
    kernel.ok(SETUP)
    family = spec.split(":")[0]
    kernel.ok(f'server.add_reply(FakeReply(text="Hi from {family}."))')
    ex = kernel.ok(f"%ascope model {spec}")
    assert ex.stdout.strip() == f"default model: {spec}"
    name = "Agent_" + family.replace("-", "_")
    kernel.ok(f"%%agent {name}\nYou greet people.")
    kernel.ok(f"%%ask {name}\nSay hello.")
    kernel.ok("reply = await _", timeout=60)
    assert kernel.ok("json.dumps(reply.get_text_content())").value() == f"Hi from {family}."
    paths = kernel.ok("json.dumps(server.paths)").value()
    assert paths[-1].endswith(
        {"anthropic": "/v1/messages", "openai-responses": "/v1/responses"}.get(
            family, "/chat/completions"
        )
    )
    kernel.ok("%ascope model demo")


def test_a_missing_key_is_one_line_and_the_old_model_stays(kernel: KernelDriver) -> None:
    kernel.ok(
        'import os\nos.environ.pop("GEMINI_API_KEY", None)\nos.environ.pop("GOOGLE_API_KEY", None)'
    )
    kernel.ok("%ascope model demo")
    ex = kernel.execute("%ascope model gemini:gemini-2.5-flash")
    assert ex.status == "error" and ex.errors == [], "one line, no traceback"
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1, ex.stderr
    text = lines[0]
    assert "GEMINI_API_KEY" in text and "gemini-2.5-flash" in text
    assert KEY not in text
    assert kernel.ok("%ascope").stdout.strip() == "model: demo"
