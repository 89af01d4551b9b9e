"""The experiment span covers the whole experiment: it ends after its last sample, never
between two samples, and no sample span ends after it."""

from __future__ import annotations

import asyncio
import time

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ascope_nb.agent import ReActAgent
from ascope_nb.formatter import OpenAIChatFormatter
from ascope_nb.testing import FunctionModel
from ascope_nb.tracing import instrument, shutdown_tracing


@pytest.fixture
def spans(tmp_path, monkeypatch):
    from ascope_nb import store

    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    store.set_default_store(None)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider, capture_content=False)
    yield exporter
    shutdown_tracing()
    store.set_default_store(None)


async def test_the_experiment_span_lasts_as_long_as_the_experiment(spans) -> None:
    from ascope_nb.evaluate import experiment

    async def answer(messages, tools):
        text = str(messages[-1]["content"])
        await asyncio.sleep(0.02 if "q0" in text or "q1" in text else 0.25)
        return "4"

    def slow_metric(output, target):  # scoring between samples: no sample runs meanwhile
        time.sleep(0.05)
        return 1.0

    agent = ReActAgent("Counter", "s", FunctionModel(answer), formatter=OpenAIChatFormatter())
    agent.set_console_output_enabled(False)
    began = time.time_ns()
    exp = experiment(
        agent=agent,
        dataset=[{"input": f"q{i}", "target": 4} for i in range(5)],
        metrics=[slow_metric],
        concurrency=2,
        name="paced-exp",
    )
    await exp
    took = time.time_ns() - began
    finished = spans.get_finished_spans()
    (root,) = [s for s in finished if s.name == "experiment paced-exp"]
    samples = [s for s in finished if s.name == "invoke_agent Counter"]
    assert len(samples) == 5
    late = [s for s in samples if s.end_time > root.end_time]
    assert not late, f"{len(late)} of 5 sample spans end after the experiment span"
    first, last = min(s.start_time for s in samples), max(s.end_time for s in samples)
    assert root.start_time <= first and root.end_time >= last
    assert exp.ended_at is not None
    assert abs(root.end_time / 1e9 - exp.ended_at) < 0.1, "the span ends when the experiment does"
    assert took > 0
