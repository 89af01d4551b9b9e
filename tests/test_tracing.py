"""Tracing: runs become OpenTelemetry GenAI spans (checked with the SDK's in-memory exporter)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from ascope_nb import _config
from ascope_nb.agent import ReActAgent
from ascope_nb.exceptions import ConfigError
from ascope_nb.formatter import OpenAIChatFormatter, OpenAIMultiAgentFormatter
from ascope_nb.run import start, start_hub
from ascope_nb.testing import FunctionModel, ScriptedModel, tool_call
from ascope_nb.tool import Toolkit
from ascope_nb.tracing import instrument, setup_tracing, shutdown_tracing, trace, trace_id_of

SECRET = "sk-abcdefghijklmnopqrstuvwx1234"


async def nap(seconds: float) -> str:
    """Sleep a while.

    Args:
        seconds: How long.
    """
    await asyncio.sleep(seconds)
    return "rested"


@trace(name="lookup")
def lookup(city: str, api_key: str = "") -> str:
    """Look a city up.

    Args:
        city: The city.
        api_key: A credential the model should never see in traces.
    """
    return f"{city}: sunny"


def agent_with(replies, *, name: str = "Friday", **kwargs) -> ReActAgent:
    toolkit = Toolkit()
    toolkit.register_tool_function(nap)
    toolkit.register_tool_function(lookup)
    agent = ReActAgent(
        name=name,
        sys_prompt="s",
        model=ScriptedModel(replies, stream=False),
        formatter=OpenAIChatFormatter(),
        toolkit=toolkit,
        **kwargs,
    )
    agent.set_console_output_enabled(False)
    return agent


@pytest.fixture(autouse=True)
def no_store(tmp_path, monkeypatch):
    from ascope_nb import store

    monkeypatch.setenv("ASCOPE_STORE", str(tmp_path / "runs.sqlite"))
    store.set_default_store(None)
    yield
    store.set_default_store(None)


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider, capture_content=False)
    yield exporter
    shutdown_tracing()


@pytest.fixture
def content_spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider, capture_content=True)
    yield exporter
    shutdown_tracing()


def tree(finished: tuple[ReadableSpan, ...]) -> list[tuple[int, str]]:
    """The spans as (depth, name), depth-first in start order."""
    by_parent: dict[int | None, list[ReadableSpan]] = {}
    for span in finished:
        parent = span.parent.span_id if span.parent is not None else None
        by_parent.setdefault(parent, []).append(span)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in sorted(by_parent.get(parent, []), key=lambda s: (s.start_time, s.name)):
            out.append((depth, span.name))
            walk(span.context.span_id, depth + 1)

    walk(None, 0)
    assert len(out) == len(finished), "every span hangs off the root"
    return out


def named(finished: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return sorted((s for s in finished if s.name == name), key=lambda s: s.start_time)


def all_text(finished: tuple[ReadableSpan, ...]) -> str:
    parts = []
    for span in finished:
        parts.append(json.dumps(dict(span.attributes or {}), default=str))
        parts.append(span.status.description or "")
        for event in span.events:
            parts.append(json.dumps(dict(event.attributes or {}), default=str))
    return "\n".join(parts)


async def test_react_run_with_parallel_tools(spans) -> None:
    agent = agent_with(
        [
            [tool_call("nap", id="c1", seconds=0.05), tool_call("nap", id="c2", seconds=0.05)],
            "done",
        ],
        parallel_tool_calls=True,
    )
    run = start(agent, "nap twice")
    await run
    finished = spans.get_finished_spans()
    assert tree(finished) == [
        (0, "invoke_agent Friday"),
        (1, "chat scripted"),
        (1, "execute_tool nap"),
        (1, "execute_tool nap"),
        (1, "chat scripted"),
    ]
    root = named(finished, "invoke_agent Friday")[0]
    assert {s.context.trace_id for s in finished} == {root.context.trace_id}
    assert trace_id_of(run.run_id) == format(root.context.trace_id, "032x")
    assert root.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert root.attributes["gen_ai.agent.name"] == "Friday"
    assert root.attributes["gen_ai.conversation.id"] == run.run_id
    assert root.attributes["ascope.run.status"] == "completed"
    first, second = named(finished, "chat scripted")
    for chat in (first, second):
        attrs = chat.attributes
        assert attrs["gen_ai.operation.name"] == "chat"
        assert attrs["gen_ai.provider.name"] == "ascope_nb"
        assert attrs["gen_ai.request.model"] == "scripted"
        assert attrs["gen_ai.conversation.id"] == run.run_id
        assert attrs["gen_ai.usage.input_tokens"] > 0 and attrs["gen_ai.usage.output_tokens"] > 0
    assert first.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert second.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    tools = named(finished, "execute_tool nap")
    assert sorted(t.attributes["gen_ai.tool.call.id"] for t in tools) == ["c1", "c2"]
    assert all(t.attributes["gen_ai.tool.name"] == "nap" for t in tools)
    assert all(t.attributes["ascope.tool.state"] == "success" for t in tools)
    assert tools[1].start_time < tools[0].end_time, "parallel calls overlap in time"
    # content is opt-in: nothing of the conversation is on the spans
    assert "nap twice" not in all_text(finished) and "gen_ai.input.messages" not in all_text(
        finished
    )
    assert all(s.status.status_code is StatusCode.UNSET for s in finished)


async def test_denied_call_and_steering_are_span_events(spans) -> None:
    agent = agent_with([[tool_call("nap", id="n1", seconds=0.01)], "ok"], require_approval="nap")
    agent.steer("be quick")
    run = start(agent, "nap")
    for _ in range(100):
        if run.agent_status == "waiting_approval":
            break
        await asyncio.sleep(0.01)
    run.deny("n1", "not now")
    await asyncio.wait_for(run.wait(), 5)
    finished = spans.get_finished_spans()
    tool = named(finished, "execute_tool nap")[0]
    assert [e.name for e in tool.events] == ["ascope.approval_requested", "ascope.denied"]
    assert tool.events[1].attributes["ascope.decision"] == "denied"
    assert "ascope.reason" not in tool.events[1].attributes  # human text is content: opt-in
    assert tool.attributes["ascope.tool.state"] == "denied"
    assert tool.status.status_code is StatusCode.UNSET
    root = named(finished, "invoke_agent Friday")[0]
    names = [e.name for e in root.events]
    assert names[0] == "ascope.steering" and "ascope.status" in names
    assert root.events[0].attributes["ascope.source"] == "human"


async def test_stopped_run(spans) -> None:
    agent = agent_with([[tool_call("nap", id="long", seconds=30)]])
    run = start(agent, "sleep long")
    await asyncio.sleep(0.2)
    run.stop()
    await asyncio.wait_for(run.wait(), 5)
    finished = spans.get_finished_spans()
    assert tree(finished) == [
        (0, "invoke_agent Friday"),
        (1, "chat scripted"),
        (1, "execute_tool nap"),
    ]
    root = named(finished, "invoke_agent Friday")[0]
    assert root.attributes["ascope.run.status"] == "interrupted"
    assert "ascope.interrupted" in [e.name for e in root.events]
    tool = named(finished, "execute_tool nap")[0]
    assert tool.attributes["ascope.tool.state"] == "interrupted"
    assert [e.name for e in tool.events] == ["ascope.interrupted"]


async def test_msghub_rounds_and_late_feedback(spans) -> None:
    agents = []
    for name in ("A", "B"):
        agent = ReActAgent(
            name=name,
            sys_prompt="s",
            model=FunctionModel(lambda m, t, n=name: f"{n} speaks", model_name=f"m-{name}"),
            formatter=OpenAIMultiAgentFormatter(),
        )
        agent.set_console_output_enabled(False)
        agents.append(agent)
    run = start_hub(agents, "tea or coffee?", announcement="Debate.", rounds=2)
    await run
    run.feedback(label="up", score=1.0, comment="nice")
    finished = spans.get_finished_spans()
    assert tree(finished) == [
        (0, "MsgHub"),
        (1, "round 0"),
        (2, "invoke_agent A"),
        (3, "chat m-A"),
        (2, "invoke_agent B"),
        (3, "chat m-B"),
        (1, "round 1"),
        (2, "invoke_agent A"),
        (3, "chat m-A"),
        (2, "invoke_agent B"),
        (3, "chat m-B"),
        (1, "feedback"),
    ]
    assert (
        run.view.trace_id == trace_id_of(run.run_id) == format(finished[0].context.trace_id, "032x")
    )
    assert "mountTraceId" in run.view._esm
    hub = named(finished, "MsgHub")[0]
    assert hub.attributes["ascope.hub.participants"] == ("A", "B")
    assert {s.attributes["gen_ai.conversation.id"] for s in finished} == {run.run_id}
    feedback = named(finished, "feedback")[0]
    assert feedback.events[0].name == "ascope.feedback"
    assert dict(feedback.events[0].attributes) == {"ascope.score": 1.0, "ascope.label": "up"}


async def test_failing_model_call_sets_error_status_without_the_secret(content_spans) -> None:
    agent = agent_with([RuntimeError(f"upstream refused key {SECRET}")])
    run = start(agent, "hello")
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(run.wait(), 5)
    finished = content_spans.get_finished_spans()
    assert tree(finished) == [(0, "invoke_agent Friday"), (1, "chat scripted")]
    chat = named(finished, "chat scripted")[0]
    assert chat.status.status_code is StatusCode.ERROR
    assert chat.status.description == "RuntimeError: upstream refused key [REDACTED]"
    assert chat.attributes["error.type"] == "RuntimeError"
    root = named(finished, "invoke_agent Friday")[0]
    assert root.status.status_code is StatusCode.ERROR
    assert root.attributes["ascope.run.status"] == "error"
    assert SECRET not in all_text(finished)


async def test_content_capture_is_redacted_and_decorated_tools_nest(content_spans) -> None:
    agent = agent_with(
        [[tool_call("lookup", id="w1", city="Paris", api_key=SECRET)], f"Paris is sunny {SECRET}"]
    )
    run = start(agent, "weather in Paris?")
    reply = await run
    assert SECRET in reply.get_text_content()  # the agent itself is not changed
    finished = content_spans.get_finished_spans()
    assert tree(finished) == [
        (0, "invoke_agent Friday"),
        (1, "chat scripted"),
        (1, "execute_tool lookup"),
        (1, "lookup"),
        (1, "chat scripted"),
    ]
    root = named(finished, "invoke_agent Friday")[0]
    assert json.loads(root.attributes["gen_ai.input.messages"])[0]["parts"] == [
        {"type": "text", "content": "weather in Paris?"}
    ]
    tool = named(finished, "execute_tool lookup")[0]
    assert json.loads(tool.attributes["gen_ai.tool.call.arguments"]) == {
        "city": "Paris",
        "api_key": "[REDACTED]",
    }
    assert json.loads(tool.attributes["gen_ai.tool.call.result"]) == "Paris: sunny"
    out = json.loads(named(finished, "chat scripted")[1].attributes["gen_ai.output.messages"])
    assert out[0]["parts"][0]["content"] == "Paris is sunny [REDACTED]"
    assert SECRET not in all_text(finished)


def test_bad_endpoint_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="must be an http"):
        setup_tracing("localhost:6006")
    assert _config.trace_enabled is False


def run_python(code: str) -> str:
    env = {**os.environ, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "1"}  # no waiting on port 9
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_tracing_off_never_imports_opentelemetry() -> None:
    out = run_python(
        "import asyncio, sys\n"
        "import ascope_nb, ascope_nb.tracing\n"
        "from ascope_nb.message import Msg\n"
        "from ascope_nb.agent import ReActAgent\n"
        "from ascope_nb.testing import ScriptedModel, tool_call\n"
        "from ascope_nb.tracing import trace\n"
        "@trace()\n"
        "def add(a: int, b: int) -> int:\n"
        "    '''Add.\n\n    Args:\n        a: A.\n        b: B.\n    '''\n"
        "    return a + b\n"
        "agent = ReActAgent('F', 's', ScriptedModel([[tool_call('add', a=1, b=2)], 'three']))\n"
        "agent.toolkit.register_tool_function(add)\n"
        "agent.set_console_output_enabled(False)\n"
        "print(asyncio.run(agent(Msg('user', 'sum', 'user'))).get_text_content())\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    assert out.splitlines() == ["three", "[]"]


def test_setup_tracing_reuses_the_global_provider() -> None:
    out = run_python(
        "import asyncio\n"
        "from opentelemetry import trace\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
        "from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter\n"
        "exporter = InMemorySpanExporter()\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(exporter))\n"
        "trace.set_tracer_provider(provider)\n"
        "from ascope_nb.tracing import setup_tracing, shutdown_tracing, tracing_endpoint\n"
        "from ascope_nb.agent import ReActAgent\n"
        "from ascope_nb.message import Msg\n"
        "from ascope_nb.testing import ScriptedModel\n"
        "setup_tracing('http://127.0.0.1:9/v1/traces')\n"
        "print(trace.get_tracer_provider() is provider, tracing_endpoint())\n"
        "agent = ReActAgent('F', 's', ScriptedModel(['hi']))\n"
        "agent.set_console_output_enabled(False)\n"
        "asyncio.run(agent(Msg('user', 'hello', 'user')))\n"
        "print(sorted(s.name for s in exporter.get_finished_spans()))\n"
        "shutdown_tracing()\n"
    )
    assert out.splitlines() == [
        "True http://127.0.0.1:9/v1/traces",
        "['chat scripted', 'invoke_agent F']",
    ]


async def test_run_view_shows_the_trace_id(spans) -> None:
    from ascope_nb.views import RunView

    run = start(agent_with(["hi"]), "hello")
    await run
    view = run.view
    view.flush()
    trace_id = trace_id_of(run.run_id)
    root = named(spans.get_finished_spans(), "invoke_agent Friday")[0]
    assert trace_id == format(root.context.trace_id, "032x")
    assert view.trace_id == trace_id
    assert "mountTraceId" in RunView._esm  # the live widget shows it with a copy button
    stored = RunView.from_events(view.events)  # a view of the same run made later
    assert stored.trace_id == trace_id
    shutdown_tracing()
    untraced = start(agent_with(["hi"]), "hello")
    await untraced
    assert untraced.view.trace_id == ""


def test_ascope_trace_setting_parses_and_switches() -> None:
    from ascope_nb.notebook import _args
    from ascope_nb.tracing._magic import trace_setting

    assert _args.parse_ascope("trace off") == _args.AscopeArgs("trace", "off")
    assert _args.parse_ascope("trace") == _args.AscopeArgs("trace", None)
    with pytest.raises(ConfigError, match="one value"):
        _args.parse_ascope("trace http://a http://b")
    assert trace_setting(None) == "trace: off"
    with pytest.raises(ConfigError, match="http"):
        trace_setting("127.0.0.1:6006")
    assert trace_setting("http://127.0.0.1:9/v1/traces").endswith("127.0.0.1:9/v1/traces")
    assert trace_setting(None) == "trace: http://127.0.0.1:9/v1/traces"
    assert _config.trace_enabled is True
    assert trace_setting("OFF") == "trace: off" and _config.trace_enabled is False


async def test_an_experiment_is_one_trace_with_a_span_per_sample(spans):
    from ascope_nb.evaluate import experiment

    async def answer(messages, tools):
        await asyncio.sleep(0.01)
        return "4"

    agent = ReActAgent("Counter", "s", FunctionModel(answer), formatter=OpenAIChatFormatter())
    agent.set_console_output_enabled(False)
    exp = experiment(
        agent=agent,
        dataset=[{"input": f"q{i}", "target": 4} for i in range(5)],
        metrics=["numeric"],
        concurrency=2,
        name="traced-exp",
    )
    await exp
    finished = spans.get_finished_spans()
    (root,) = named(finished, "experiment traced-exp")
    assert root.parent is None and root.attributes["ascope.experiment.name"] == "traced-exp"
    samples = named(finished, "invoke_agent Counter")
    assert len(samples) == 5
    assert {s.parent.span_id for s in samples} == {root.context.span_id}
    assert {s.context.trace_id for s in samples} == {root.context.trace_id}
    assert len({s.attributes["gen_ai.conversation.id"] for s in samples}) == 5


async def test_finished_spans_are_the_same_on_the_fast_sink_and_on_live_spans() -> None:
    """Chat and tool spans handed straight to the SDK's processors (the fast sink, used with
    the default sampler) carry the same names, parents, attributes, events and status as the
    same spans made through ``start_span``/``end`` (any other sampler)."""
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON

    async def spans_of(provider: TracerProvider, *, fast: bool) -> tuple[str, tuple]:
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        tracer = instrument(tracer_provider=provider, capture_content=True)
        assert (type(tracer._finish.__self__).__name__ == "_FinishedSpanSink") is fast
        agent = agent_with(
            [[tool_call("lookup", id="l1", city="Oslo")], [tool_call("nap", id="n1", seconds=0)]]
            + ["ok"],
            require_approval="nap",
        )
        run = start(agent, "weather")
        for _ in range(200):
            if run.agent_status == "waiting_approval":
                break
            await asyncio.sleep(0.01)
        run.approve("n1")
        await asyncio.wait_for(run.wait(), 5)
        shutdown_tracing()
        return run.run_id, exporter.get_finished_spans()

    def shape(finished, run_id: str) -> list[tuple]:
        by_id = {s.context.span_id: s for s in finished}
        out = []
        for span in sorted(finished, key=lambda s: (s.start_time, s.name)):
            attrs = {k: v for k, v in (span.attributes or {}).items() if k != "ascope.reply.id"}
            assert attrs.get("gen_ai.conversation.id", run_id) == run_id
            attrs.pop("gen_ai.conversation.id", None)
            parent = by_id[span.parent.span_id].name if span.parent is not None else None
            events = [(e.name, dict(e.attributes or {})) for e in span.events]
            out.append((span.name, parent, attrs, events, span.status.status_code))
            assert span.start_time <= span.end_time
        return out

    shapes = []
    for provider, fast in ((TracerProvider(), True), (TracerProvider(sampler=ALWAYS_ON), False)):
        run_id, finished = await spans_of(provider, fast=fast)
        shapes.append(shape(finished, run_id))
    fast, live = shapes
    assert [s[0] for s in fast] == [
        "invoke_agent Friday",
        "chat scripted",
        "execute_tool lookup",
        "lookup",  # the tool's own @trace span (under the reply)
        "chat scripted",
        "execute_tool nap",
        "chat scripted",
    ]
    nap = fast[5]
    assert [name for name, _ in nap[3]] == ["ascope.approval_requested", "ascope.approved"]
    assert nap[2]["gen_ai.tool.call.result"] == '"rested"'
    assert fast == live


async def test_a_subscriber_gets_only_the_event_types_it_declared() -> None:
    from ascope_nb.events import RunEnded, RunStarted, ToolResult, subscribe

    every, some, later = [], [], []
    agent = agent_with([[tool_call("nap", id="n1", seconds=0)], "ok"])
    with subscribe(every.append), subscribe(some.append, event_types=[RunStarted, ToolResult]):
        await start(agent, "nap")
        with subscribe(later.append, event_types={RunEnded}):
            await start(agent_with(["again"]), "hi")
    kinds = [type(e) for e in every]
    assert kinds.count(RunStarted) == 2 and ToolResult in kinds and len(set(kinds)) > 5
    assert [type(e) for e in some] == [t for t in kinds if t in (RunStarted, ToolResult)]
    assert [e.seq for e in some] == [e.seq for e in every if type(e) in (RunStarted, ToolResult)]
    assert [type(e) for e in later] == [RunEnded]
    count = len(every)
    await start(agent_with(["closed"]), "hi")  # all three subscriptions closed: nothing more
    assert len(every) == count and len(later) == 1


async def test_an_unsampled_run_sends_no_spans() -> None:
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = instrument(tracer_provider=provider)
    try:
        assert type(tracer._finish.__self__).__name__ == "_FinishedSpanSink"
        run = start(agent_with([[tool_call("lookup", id="l1", city="Oslo")], "ok"]), "weather")
        await asyncio.wait_for(run.wait(), 5)
    finally:
        shutdown_tracing()
    assert run.status == "completed" and exporter.get_finished_spans() == ()
