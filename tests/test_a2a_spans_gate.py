"""a2a-sdk's OpenTelemetry spans are made only while a tracer provider is set
(``formatter/_a2a_spans.py``): each case runs in a fresh process, since OpenTelemetry's
global provider can be set once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("a2a.server", reason="needs the a2a extra")
pytest.importorskip("opentelemetry.sdk", reason="needs opentelemetry-sdk")

ROOT = Path(__file__).resolve().parent.parent

ROUND_TRIP = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from ascope_nb.a2a import WellKnownAgentCardResolver, serve
    from ascope_nb.agent import A2AAgent, ReActAgent
    from ascope_nb.formatter import OpenAIChatFormatter
    from ascope_nb.message import Msg
    from ascope_nb.testing import FunctionModel
    import a2a.utils.telemetry as telemetry

    real_calls = []
    real_get_tracer = trace.get_tracer
    def counting(name, *args, **kwargs):
        real_calls.append(name)
        return real_get_tracer(name, *args, **kwargs)
    trace.get_tracer = counting

    exporter = InMemorySpanExporter()
    def set_provider():
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)

    when = sys.argv[1]  # "never", "before" or "after" (the app is built)
    if when == "before":
        set_provider()
    agent = ReActAgent(name="Friday", sys_prompt="", model=FunctionModel(lambda m, t: "ok"),
                       formatter=OpenAIChatFormatter())
    agent.set_console_output_enabled(False)
    with serve(agent) as server:
        if when == "after":
            set_provider()
        async def talk():
            card = await WellKnownAgentCardResolver(server.url).get_agent_card()
            remote = A2AAgent(card, timeout=30)
            remote.set_console_output_enabled(False)
            gate = telemetry.trace
            asked = []
            if hasattr(gate, "get_tracer") and type(gate).__name__ == "_TracingGate":
                original = gate.get_tracer
                def asking(*a, **k):
                    asked.append(a[0] if a else "")
                    return original(*a, **k)
                gate.get_tracer = asking
            reply = await remote(Msg("user", "hi", "user"))
            return reply.get_text_content(), len(asked)
        text, asked = asyncio.run(talk())
    spans = [s.name for s in exporter.get_finished_spans()]
    print(json.dumps({
        "text": text,
        "gate": type(telemetry.trace).__name__,
        "asked": asked,
        "sdk_tracer_calls": real_calls.count("a2a-python-sdk"),
        "sdk_spans": [n for n in spans if n.startswith("a2a.")],
    }))
    """
)


def _run(when: str, **env: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, when],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ASCOPE_STORE": str(Path(env.pop("STORE_DIR")) / "runs.sqlite"),
            **env,
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["text"] == "ok"
    return data


def test_without_a_tracer_provider_the_sdk_makes_no_span(tmp_path: Path) -> None:
    data = _run("never", STORE_DIR=str(tmp_path))
    assert data["gate"] == "_TracingGate"
    assert isinstance(data["asked"], int) and data["asked"] > 0  # the SDK's wrappers ran
    assert data["sdk_tracer_calls"] == 0  # ... and never reached OpenTelemetry
    assert data["sdk_spans"] == []


def test_with_a_tracer_provider_the_sdk_spans_are_made(tmp_path: Path) -> None:
    data = _run("before", STORE_DIR=str(tmp_path))
    spans = data["sdk_spans"]
    assert isinstance(spans, list) and spans, data
    assert any("RequestHandler" in name for name in spans), spans  # the server side
    assert any("JsonRpcTransport" in name for name in spans), spans  # the client side


def test_a_provider_set_after_serving_started_still_gets_the_sdk_spans(tmp_path: Path) -> None:
    data = _run("after", STORE_DIR=str(tmp_path))
    spans = data["sdk_spans"]
    assert isinstance(spans, list) and any("RequestHandler" in n for n in spans), data


def test_the_sdk_switch_in_the_environment_is_left_as_it_is(tmp_path: Path) -> None:
    data = _run("before", STORE_DIR=str(tmp_path), OTEL_INSTRUMENTATION_A2A_SDK_ENABLED="false")
    assert data["gate"] != "_TracingGate"  # the SDK's own no-op stays
    assert data["sdk_spans"] == [] and data["sdk_tracer_calls"] == 0
