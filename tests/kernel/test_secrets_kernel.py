"""Secrets never leave a real kernel: not in iopub, the store file, or any export.

The kernel is started with ``OPENAI_API_KEY`` and ``FOO_TOKEN`` set (values without any
known key shape) and a model client built with a third key. A scripted model makes the
agent print the values with ``execute_python_code``, repeat them in its answer, and fail
with an error that quotes a key. The agent really had the values (the model saw them in the
tool output); none of them appears in anything that left the kernel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SETUP
from kernel_driver import KernelDriver

pytestmark = pytest.mark.kernel

OPENAI_KEY = "oak-7c1f9e2b4d6a8e0f1a2b3c4d"
FOO_TOKEN = "ftk93jd82hf71kd02la"
MODEL_KEY = FOO_TOKEN[::-1] + "-mdl"  # built in the kernel, never typed in a cell

CELLS = """
import os
from ascope_nb.model import OpenAIChatModel
from ascope_nb.tool import execute_python_code
KEY, TOK = os.environ["OPENAI_API_KEY"], os.environ["FOO_TOKEN"]
MODEL_KEY = TOK[::-1] + "-mdl"
client = OpenAIChatModel("gpt-x", api_key=MODEL_KEY, client_kwargs={"base_url": "http://127.0.0.1:9/v1"})
code = (f"import os\\nprint('literal', {KEY!r}, {TOK!r}, {MODEL_KEY!r})\\n"
        "print('env', os.environ.get('OPENAI_API_KEY'), os.environ.get('FOO_TOKEN'))")
leaky = ScriptedModel([
    [tool_call("execute_python_code", raw=json.dumps({"code": code}))],
    f"The key is {KEY}, the token is {TOK} and the client key is {MODEL_KEY}.",
])
failing = ScriptedModel([RuntimeError(f"401 Incorrect API key provided: {KEY} ({MODEL_KEY})")])
"""


def _clean(text: str | bytes, where: str) -> None:
    data = text.encode() if isinstance(text, str) else text
    for name, value in (
        ("OPENAI_API_KEY", OPENAI_KEY),
        ("FOO_TOKEN", FOO_TOKEN),
        ("model key", MODEL_KEY),
    ):
        assert value.encode() not in data, f"the {name} value leaked into {where}"


def test_secrets_stay_in_the_kernel(tmp_path: Path) -> None:
    store = tmp_path / "store" / "runs.sqlite"
    driver = KernelDriver(
        sys.executable,
        extra_env={
            "ASCOPE_STORE": str(store),
            "OPENAI_API_KEY": OPENAI_KEY,
            "FOO_TOKEN": FOO_TOKEN,
        },
    )
    iopub: list[dict[str, Any]] = []
    receive = driver.kc.get_iopub_msg

    def recording(*args: Any, **kwargs: Any) -> dict[str, Any]:
        msg = receive(*args, **kwargs)
        iopub.append(msg)
        return msg

    driver.kc.get_iopub_msg = recording  # type: ignore[method-assign]  # every message counts
    try:
        driver.ok("%load_ext ascope_nb")
        driver.ok(SETUP)
        driver.ok(CELLS)
        driver.ok("%%agent Leaky --model leaky --tools execute_python_code\nYou leak.")
        driver.ok("%%ask Leaky --out leak\nPrint the keys.")
        driver.ok("%%agent Failing --model failing\nYou fail.")
        driver.execute("%%ask Failing --out fail\nTry.")
        seen = driver.ok(
            "answer = await leak\ntry:\n    await fail\nexcept Exception:\n    pass\n"
            "tool_out = [e for e in leak.events if e.kind == 'tool_result'][0].output[0]['text']\n"
            "json.dumps([leak.status, fail.status, TOK in leaky.calls[1].text(),\n"
            "            MODEL_KEY in answer.get_text_content(), 'env None None' in tool_out,\n"
            "            tool_out.count('[REDACTED]')])"
        ).value()
        # the agent really had the values; the tool ran without the secret variables
        assert seen == ["completed", "error", True, True, True, 3], seen
        out_store, out_run = tmp_path / "from_store.jsonl", tmp_path / "from_run.jsonl"
        driver.ok(f"%export openai {out_store}")
        driver.ok(
            f"from ascope_nb.export import export\nexport([leak, fail], 'openai', {str(out_run)!r})\n"
            "from ascope_nb.store import default_store\nassert default_store().flush()"
        )
        driver.ok("leak.view")  # shown again later: the saved outputs (MIME bundle, HTML)
        driver.drain_iopub()

        _clean(json.dumps(iopub, default=str), "an iopub message")
        stored = b"".join(p.read_bytes() for p in store.parent.iterdir() if p.is_file())
        assert b"[REDACTED]" in stored and b"execute_python_code" in stored
        _clean(stored, "the store files")
        for out in (out_store, out_run):
            text = out.read_text()
            assert "[REDACTED]" in text and "execute_python_code" in text
            _clean(text, out.name)
    finally:
        driver.shutdown()
