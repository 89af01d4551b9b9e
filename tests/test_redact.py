"""The redaction layer: what it removes, and every way out of the process it guards.

The store test writes a real SQLite file and reads its bytes; the notebook outputs are the
MIME bundle and HTML transcript a saved notebook keeps; the tool environment is checked in a
real child process.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from ascope_nb import redact
from ascope_nb.agent import ReActAgent
from ascope_nb.agent._printer import ConsolePrinter
from ascope_nb.events import RunContext, RunEnded, TextDelta, ToolResult
from ascope_nb.exceptions import ModelCallError
from ascope_nb.export import export
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.message import Msg
from ascope_nb.model import ChatModelBase, ChatResponse, OpenAIChatModel
from ascope_nb.run import start
from ascope_nb.store import RunStore
from ascope_nb.testing import ScriptedModel, tool_call
from ascope_nb.testing.openai_server import FakeOpenAIServer, FakeReply
from ascope_nb.tool import Toolkit, execute_python_code
from ascope_nb.views import RunView
from ascope_nb.views.run_view import RUN_MIME

ENV_SECRET = "envsecret-4f8a2c9e1b7d"
MODEL_KEY = "mk-2b9f7c1d8e3a6f0b4c5d"
URL_PASSWORD = "urlpass-9d8c7b6a"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", ENV_SECRET)
    redact.refresh()
    OpenAIChatModel(  # a model client registers its key and its URL's password
        "gpt-x",
        api_key=MODEL_KEY,
        client_kwargs={"base_url": f"http://bob:{URL_PASSWORD}@127.0.0.1:9/v1"},
    )
    yield
    monkeypatch.delenv("MY_SERVICE_TOKEN")
    redact.refresh()


def leaks(text: str) -> list[str]:
    return [s for s in (ENV_SECRET, MODEL_KEY, URL_PASSWORD) if s in text]


@pytest.mark.usefixtures("secrets")
def test_what_is_redacted() -> None:
    text = (
        f"env {ENV_SECRET}, model {MODEL_KEY}, url http://u:{URL_PASSWORD}@h/x, "
        "Authorization: Bearer abcdefgh12345678, x-api-key: qwertyuiop, password=hunter22, "
        "sk-abcdefghijklmnopqrstu, ghp_" + "a" * 36 + ", input_tokens: 12, tokenizer ok"
    )
    out = redact.redact_text(text)
    assert leaks(out) == []
    for gone in ("abcdefgh12345678", "qwertyuiop", "hunter22", "sk-abc", "ghp_"):
        assert gone not in out
    assert "input_tokens: 12, tokenizer ok" in out and out.count("[REDACTED]") == 8
    # short or ordinary values never become secrets
    redact.register_secret("abc")
    assert redact.redact_text("abc") == "abc"


def test_pattern_rebuilt_only_when_the_secrets_change(monkeypatch: pytest.MonkeyPatch) -> None:
    redact.refresh()
    before = redact._redactor.rebuilds
    for _ in range(3):
        redact.refresh()
    assert redact._redactor.rebuilds == before
    monkeypatch.setenv("ANOTHER_SECRET", "fresh-secret-value-1")
    redact.refresh()
    assert redact._redactor.rebuilds == before + 1
    assert redact.redact_text("x fresh-secret-value-1") == "x [REDACTED]"


@pytest.mark.usefixtures("secrets")
def test_events_are_redacted_when_emitted_and_printed() -> None:
    ctx = RunContext("r1", keep_events=True)
    out = io.StringIO()
    ctx.subscribers.append(ConsolePrinter(file=out))
    ctx.emit(TextDelta(agent="A", msg_id="m", block_id="b", delta=f"key {MODEL_KEY}"))
    ctx.emit(
        ToolResult(agent="A", name="t", output=[{"type": "text", "text": f"env={ENV_SECRET}"}])
    )
    ctx.emit(RunEnded(agent="A", status="error", error=f"401 bad key {MODEL_KEY}"))
    assert leaks(json.dumps([e.to_dict() for e in ctx.events])) == []
    assert leaks(out.getvalue()) == [] and "[REDACTED]" in out.getvalue()


@pytest.mark.usefixtures("secrets")
def test_saved_notebook_outputs_hold_no_secret_streamed_in_pieces() -> None:
    half = len(MODEL_KEY) // 2
    view = RunView.from_events(
        [
            {"kind": "run_started", "agent": "A", "run_id": "r", "seq": 0, "ts": 0},
            {"kind": "step_started", "agent": "A", "reply_id": "p", "step": 0, "ts": 0},
            {
                "kind": "text_delta",
                "msg_id": "m",
                "block_id": "b",
                "reply_id": "p",
                "delta": f"the key is {MODEL_KEY[:half]}",
                "ts": 0,
            },
            {
                "kind": "text_delta",
                "msg_id": "m",
                "block_id": "b",
                "reply_id": "p",
                "delta": f"{MODEL_KEY[half:]} ok",
                "ts": 0,
            },
            {"kind": "run_ended", "agent": "A", "status": "completed", "ts": 0},
        ]  # fmt: skip
    )
    data, _ = view._repr_mimebundle_()
    assert "[REDACTED]" in json.dumps(data[RUN_MIME])
    assert leaks(json.dumps(data)) == []


@pytest.mark.usefixtures("secrets")
async def test_store_file_and_exports_hold_no_secret(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite").attach()
    args = json.dumps({"code": "print(1)", "password": "pw", "api_key": "k1"})
    toolkit = Toolkit()
    toolkit.register_tool_function(execute_python_code)
    agent = ReActAgent(
        name="Leaky",
        sys_prompt=f"Use {MODEL_KEY} when asked.",
        model=ScriptedModel(
            [[tool_call("execute_python_code", raw=args)], f"url http://a:{URL_PASSWORD}@h"]
        ),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
    )
    agent.set_console_output_enabled(False)
    run = start(agent, Msg("user", f"my token is {ENV_SECRET}", "user"), store=False)
    await asyncio.wait_for(run.wait(), 30)
    assert store.flush()
    store.close()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"execute_python_code" in files
    for value in (ENV_SECRET, MODEL_KEY, URL_PASSWORD, '\\"k1\\"', '\\"pw\\"'):
        assert value.encode() not in files, value
    for source, name in ((RunStore(tmp_path / "runs.sqlite"), "store"), ([run], "run")):
        out = tmp_path / f"{name}.jsonl"
        export(source, "openai", out)
        text = out.read_text()
        assert "execute_python_code" in text and leaks(text) == [], name


async def test_code_tools_run_without_secret_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOO_TOKEN", "foo-token-value-123")
    monkeypatch.setenv("OPENAI_API_KEY", "openai-key-value-456")
    code = "import os; print(os.environ.get('FOO_TOKEN'), os.environ.get('OPENAI_API_KEY'), os.environ.get('HOME') is not None)"
    out = (await execute_python_code(code)).content[0]["text"]
    assert "<stdout>None None True\n</stdout>" in out
    monkeypatch.setenv("ASCOPE_TOOLS_KEEP_SECRETS", "1")  # the documented opt-in
    out = (await execute_python_code(code)).content[0]["text"]
    assert "foo-token-value-123 openai-key-value-456 True" in out


class ThreeCharStream(ChatModelBase):
    """A model that streams its answer three characters at a time (as real servers split keys)."""

    def __init__(self, text: str) -> None:
        super().__init__("three-chars", True)
        self.text = text

    async def __call__(self, messages, tools=None, tool_choice=None, **kwargs):  # type: ignore[no-untyped-def]
        async def chunks():  # type: ignore[no-untyped-def]
            for end in range(3, len(self.text) + 3, 3):
                yield ChatResponse(content=[{"type": "text", "text": self.text[:end]}])

        return chunks()


@pytest.mark.usefixtures("secrets")
async def test_a_key_streamed_in_pieces_is_redacted_in_the_deltas() -> None:
    agent = ReActAgent(
        name="Echo",
        sys_prompt="s",
        model=ThreeCharStream(f"my key is {MODEL_KEY}, ok"),
        formatter=OpenAIChatFormatter(),
    )
    agent.set_console_output_enabled(False)
    run = start(agent, "hi", store=False)
    await asyncio.wait_for(run.wait(), 10)
    deltas = [e.delta for e in run.events if e.kind == "text_delta"]
    assert len(deltas) > 1 and "".join(deltas) == "my key is [REDACTED], ok"


async def test_a_key_echoed_in_a_401_error_is_not_in_the_exception() -> None:
    key = "wrong-key-7f3a9c2e5b1d"
    with FakeOpenAIServer() as server:
        server.add_reply(
            FakeReply(status=401, error_message=f"Incorrect API key provided: {key}"), "never"
        )
        host = server.base_url.split("://", 1)[1]
        model = OpenAIChatModel(
            "gpt-x",
            api_key=key,
            stream=False,
            client_kwargs={"base_url": f"http://bob:{URL_PASSWORD}@{host}"},
        )
        with pytest.raises(ModelCallError) as info:
            await model([{"role": "user", "content": "hi"}])
    message = str(info.value)
    assert "authentication failed (HTTP 401)" in message and "Incorrect API key" in message
    assert key not in message and URL_PASSWORD not in message
