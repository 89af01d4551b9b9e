"""Two real kernels talk over A2A: one serves a notebook agent with ``%a2a serve``, the other
adds it with ``%a2a add`` and asks it with ``%%ask``; mistakes are one line."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest
from kernel_driver import KernelDriver

pytest.importorskip("a2a.server", reason="needs the a2a extra")
pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[KernelDriver, KernelDriver]]:
    server, client = KernelDriver(sys.executable), KernelDriver(sys.executable)
    try:
        for kernel in (server, client):
            kernel.ok("%load_ext ascope_nb")
            kernel.ok("import json\nfrom ascope_nb.testing import ScriptedModel")
        yield server, client
    finally:
        server.shutdown()
        client.shutdown()


def _one_line(ex) -> str:  # type: ignore[no-untyped-def]
    assert ex.status == "error" and ex.errors == [], "a traceback was shown"
    lines = ex.stderr.strip().splitlines()
    assert len(lines) == 1, ex.stderr
    return lines[0]


def test_two_kernels_talk_over_a2a(pair: tuple[KernelDriver, KernelDriver]) -> None:
    server, client = pair
    server.ok('m = ScriptedModel(["Hello from the other kernel", "Second answer"])')
    server.ok("%%agent Friday --model m\nYou are Friday.")
    served = server.ok("%a2a serve Friday").stdout
    url = re.search(r"serving 'Friday' at (http://127\.0\.0\.1:\d+)", served)
    assert url, served
    assert "skills:" in served and f"url: {url[1]}" in served

    added = client.ok(f"%a2a add Remote {url[1]} --timeout 30").stdout
    assert f"Remote -> remote A2A agent 'Friday' at {url[1]}" in added
    client.ok("%%ask Remote --out run1\nHello?")
    client.ok("reply = await run1")
    answer = client.ok("json.dumps([reply.name, reply.get_text_content(), run1.status])").value()
    assert answer == ["Remote", "Hello from the other kernel", "completed"]
    kinds = client.ok("json.dumps(sorted({e.kind for e in run1.events}))").value()
    assert "text_delta" in kinds and "step_started" in kinds  # the remote's steps replayed
    meta = client.ok("json.dumps(run1.events[0].metadata)").value()
    assert meta["remote"] == url[1]  # the live view's run is marked remote

    stored = server.ok("import ascope_nb\njson.dumps(len(ascope_nb.runs(agent='Friday')))").value()
    assert stored >= 1  # the served request is a run in the serving kernel's store

    line = _one_line(client.execute(f"%a2a serve Remote --port {url[1].rsplit(':', 1)[1]}"))
    assert "port already in use" in line
    assert "no agent named 'Ghost'" in _one_line(server.execute("%a2a serve Ghost"))

    server.ok("%a2a stop Friday")
    client.ok("%%ask Remote --out run2\nStill there?")
    client.execute("await run2")
    error = client.ok("json.dumps(str(run2.error))").value()
    assert url[1] in error and "Remote" in error


def test_add_with_a_bad_url_is_one_line(pair: tuple[KernelDriver, KernelDriver]) -> None:
    _, client = pair
    line = _one_line(client.execute("%a2a add Nope http://127.0.0.1:9/ --timeout 2"))
    assert line.startswith("UsageError: %a2a add: cannot reach http://127.0.0.1:9/.well-known")
    assert "Nope" not in client.ok("json.dumps(sorted(globals()))").value()
    assert "usage" in _one_line(client.execute("%a2a bogus"))
