"""The AgentScope-named decorators: spans for user code, inside the run's trace."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from ascope_nb import _config
from ascope_nb.embedding import EmbeddingModelBase, EmbeddingResponse, EmbeddingUsage
from ascope_nb.model import ChatModelBase, ChatResponse, ChatUsage
from ascope_nb.tool import Toolkit, ToolResponse
from ascope_nb.tracing import (
    instrument,
    shutdown_tracing,
    trace,
    trace_embedding,
    trace_llm,
    trace_toolkit,
)


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider)
    yield exporter
    shutdown_tracing()


class Model(ChatModelBase):
    @trace_llm
    async def __call__(self, messages, tools=None, tool_choice=None, **kwargs):
        if self.stream:

            async def chunks():
                for n in (1, 2):
                    yield ChatResponse(
                        content=[{"type": "text", "text": "x" * n}],
                        usage=ChatUsage(input_tokens=3, output_tokens=n, time=0.0),
                    )

            return chunks()
        if messages == "fail":
            raise ValueError("no")
        return ChatResponse(
            content=[{"type": "text", "text": "hi"}],
            usage=ChatUsage(input_tokens=5, output_tokens=1, time=0.0),
        )


async def test_trace_llm_streaming_and_errors(spans) -> None:
    reply = await Model("m1", stream=False)([])
    assert reply.content[0]["text"] == "hi"
    chunks = [c async for c in await Model("m2", stream=True)([])]
    assert [c.content[0]["text"] for c in chunks] == ["x", "xx"]
    with pytest.raises(ValueError, match="no"):
        await Model("m3", stream=False)("fail")
    first, second, third = spans.get_finished_spans()
    assert first.name == "chat m1" and first.attributes["gen_ai.operation.name"] == "chat"
    assert first.attributes["gen_ai.usage.output_tokens"] == 1
    assert second.name == "chat m2" and second.attributes["gen_ai.usage.output_tokens"] == 2
    assert (
        third.status.status_code is StatusCode.ERROR
        and third.status.description == "ValueError: no"
    )


async def test_generators_end_their_span_with_the_last_chunk(spans) -> None:
    @trace(name="gen")
    def gen():
        yield 1
        yield 2

    @trace()
    async def agen():
        yield "a"

    iterator = gen()
    assert next(iterator) == 1
    assert spans.get_finished_spans() == ()  # still open while it streams
    assert list(iterator) == [2]
    assert [x async for x in agen()] == ["a"]
    assert [s.name for s in spans.get_finished_spans()] == ["gen", "agen"]


async def test_trace_toolkit_keeps_both_ways_of_iterating(spans) -> None:
    class TracedToolkit(Toolkit):
        @trace_toolkit
        def call_tool_function(self, tool_call):
            return super().call_tool_function(tool_call)

    def add(a: int, b: int) -> ToolResponse:
        """Add.

        Args:
            a: A.
            b: B.
        """
        return ToolResponse(content=[{"type": "text", "text": str(a + b)}])

    toolkit = TracedToolkit()
    toolkit.register_tool_function(add)
    call = {"type": "tool_use", "id": "t1", "name": "add", "input": {"a": 1, "b": 2}}
    direct = [c async for c in toolkit.call_tool_function(call)]
    awaited = [c async for c in await toolkit.call_tool_function({**call, "id": "t2"})]
    assert direct[-1].content[0]["text"] == awaited[-1].content[0]["text"] == "3"
    bad = [c async for c in toolkit.call_tool_function({**call, "id": "t3", "input": {}})]
    assert bad[-1].metadata["success"] is False
    tool_spans = spans.get_finished_spans()
    assert [s.attributes["gen_ai.tool.call.id"] for s in tool_spans] == ["t1", "t2", "t3"]
    assert [s.attributes["ascope.tool.state"] for s in tool_spans] == [
        "success",
        "success",
        "error",
    ]
    assert all(s.name == "execute_tool add" for s in tool_spans)


async def test_trace_embedding_and_off_means_no_span(spans) -> None:
    class Embedder(EmbeddingModelBase):
        @trace_embedding
        async def __call__(self, texts):
            return EmbeddingResponse(
                embeddings=[[0.0, 1.0]], usage=EmbeddingUsage(time=0.01, tokens=4)
            )

    model = Embedder("e1", 2)
    assert (await model(["hi"])).embeddings == [[0.0, 1.0]]
    span = spans.get_finished_spans()[0]
    assert span.name == "embeddings e1" and span.attributes["gen_ai.usage.input_tokens"] == 4
    shutdown_tracing()
    assert _config.trace_enabled is False
    await model(["hi"])
    assert len(spans.get_finished_spans()) == 1
