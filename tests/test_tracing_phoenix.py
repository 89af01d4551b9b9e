"""End to end: a notebook run traced with ``%ascope trace`` into a real Arize Phoenix server.

Phoenix (``arize-phoenix``) pins many packages, so it lives in its own virtualenv:
``$ASCOPE_PHOENIX_PYTHON`` if set, else ``.venv-phoenix`` at the repository root, built on
first use from PyPI (about 2 minutes; git-ignored). The server runs on 127.0.0.1 with
telemetry and external resources off; the spans are read back with Phoenix's own client,
run inside that virtualenv.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "kernel"))
from kernel_driver import REPO, KernelDriver  # noqa: E402

# Installing Phoenix into the test environment would move mcp to 2.x (we pin <2) and
# downgrade tenacity, hence its own virtualenv.
PHOENIX_REQUIREMENT = "arize-phoenix==20.26.1"
pytestmark = pytest.mark.timeout(900)  # the first run installs Phoenix (about 2 minutes)
PHOENIX_DIR = REPO / ".venv-phoenix"
SECRET = "sk-abcdefghijklmnopqrstuvwx1234"

READ_SPANS = """
import json, sys, time
from phoenix.client import Client
client = Client(base_url=sys.argv[1])
deadline = time.monotonic() + 60
while True:  # Phoenix ingests in the background: wait for the expected number of spans
    spans = client.spans.get_spans(
        project_identifier="default", trace_ids=[sys.argv[2]], limit=1000
    )
    if len(spans) >= int(sys.argv[3]) or time.monotonic() > deadline:
        break
    time.sleep(0.5)
print(json.dumps(spans, default=str))
"""


def phoenix_python() -> str:
    """The Python of the Phoenix virtualenv (built on first use)."""
    given = os.environ.get("ASCOPE_PHOENIX_PYTHON")
    if given:
        return given
    python = PHOENIX_DIR / "bin" / "python"
    check = [str(python), "-c", "import phoenix.server.main, phoenix.client"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(python)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PHOENIX_DIR)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            PHOENIX_REQUIREMENT,
        ],
        check=True,
    )
    return str(python)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def phoenix() -> Iterator[tuple[str, str]]:
    """A Phoenix server on 127.0.0.1: (its URL, the Python that has its client)."""
    python = phoenix_python()
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="ascope-phoenix-")
    env = {
        **os.environ,
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(free_port()),
        "PHOENIX_WORKING_DIR": workdir,
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
        "DO_NOT_TRACK": "1",
    }
    log = open(Path(workdir) / "server.log", "wb")
    server = subprocess.Popen(
        [python, "-m", "phoenix.server.main", "serve"], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, (Path(workdir) / "server.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Phoenix did not start in 180 s"
            time.sleep(0.5)
        yield url, python
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def read_spans(phoenix: tuple[str, str], trace_id: str, expected: int) -> list[dict]:
    """The spans of ``trace_id`` as Phoenix's client returns them (waits for ingestion)."""
    url, python = phoenix
    started = time.monotonic()
    done = subprocess.run(
        [python, "-c", READ_SPANS, url, trace_id, str(expected)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"read back in {time.monotonic() - started:.1f}s")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_notebook_run_reaches_phoenix_with_genai_attributes_and_no_secret(phoenix) -> None:
    url, _ = phoenix
    kernel = KernelDriver(
        sys.executable, extra_env={"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"}
    )
    try:
        kernel.ok("%load_ext ascope_nb")
        ex = kernel.ok(f"%ascope trace {url}/v1/traces")
        assert ex.stdout.strip() == f"trace: runs are sent to {url}/v1/traces"
        kernel.ok(
            "import json\n"
            "from ascope_nb import ReActAgent, start\n"
            "from ascope_nb.testing import ScriptedModel, tool_call\n"
            "def weather(city: str, api_key: str = '') -> str:\n"
            "    '''The weather.\n\n    Args:\n        city: The city.\n        api_key: A key.\n    '''\n"
            "    return f'{city}: sunny'\n"
            "Friday = ReActAgent('Friday', 'You help.', ScriptedModel([\n"
            f"    [tool_call('weather', id='w1', city='Paris', api_key='{SECRET}')],\n"
            "    'Paris is sunny.']))\n"
            "Friday.toolkit.register_tool_function(weather)\n"
        )
        kernel.ok(f"%%ask Friday --out run\nWeather in Paris? My key is {SECRET}")
        kernel.ok("await run", timeout=60)
        trace_id = kernel.ok(
            "import ascope_nb.tracing\n"
            "json.dumps([ascope_nb.tracing.trace_id_of(run.run_id), run.view.trace_id, run.run_id])"
        ).value()
        assert trace_id[0] and trace_id[0] == trace_id[1]
        run_id = trace_id[2]
        assert kernel.ok("%ascope trace off").stdout.strip() == "trace: off"  # flushes
    finally:
        kernel.shutdown()

    spans = read_spans(phoenix, trace_id[0], 4)
    by_name = {s["name"]: s for s in spans}
    assert sorted(s["name"] for s in spans) == [
        "chat scripted",
        "chat scripted",
        "execute_tool weather",
        "invoke_agent Friday",
    ]
    root = by_name["invoke_agent Friday"]
    assert root["parent_id"] is None
    assert {s["parent_id"] for s in spans if s is not root} == {root["context"]["span_id"]}
    assert root["attributes"]["gen_ai.operation.name"] == "invoke_agent"
    assert root["attributes"]["gen_ai.agent.name"] == "Friday"
    chats = [s for s in spans if s["name"] == "chat scripted"]
    for chat in chats:
        attrs = chat["attributes"]
        assert attrs["gen_ai.operation.name"] == "chat"
        assert attrs["gen_ai.request.model"] == "scripted"
        assert attrs["gen_ai.provider.name"] == "ascope_nb"
        assert attrs["gen_ai.conversation.id"] == run_id
        assert attrs["gen_ai.usage.input_tokens"] > 0
    assert sorted(c["attributes"]["gen_ai.response.finish_reasons"][0] for c in chats) == [
        "stop",
        "tool_calls",
    ]
    tool = by_name["execute_tool weather"]
    assert tool["attributes"]["gen_ai.tool.name"] == "weather"
    assert tool["attributes"]["gen_ai.tool.call.id"] == "w1"
    assert json.loads(tool["attributes"]["gen_ai.tool.call.arguments"]) == {
        "city": "Paris",
        "api_key": "[REDACTED]",
    }
    assert "[REDACTED]" in root["attributes"]["gen_ai.input.messages"]  # content opted in
    assert SECRET not in json.dumps(spans)
